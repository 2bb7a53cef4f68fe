/**
 * Test helper (not shipped behaviour) for the unified CRM contract suite (every `*.test.ts` of this folder):
 * the providers under contract, and one provider's world, built only from what the registries give: the
 * provider's definition and its emulator handle (`ProviderDefinition.emulator`), its mappers
 * (`unifiedMappers`) and its writers (`unifiedWriters`). A Switchyard server holds one connection to the emulator,
 * synced by the scheduler as `npm start` runs it, and Merge's SDK reads it. The world also reads what the
 * expectations are made of: the records cache (the providers' raw payloads) and the emulator's truth.
 */
import { MergeClient, MergeError } from "@mergeapi/merge-node-client";
import { expect } from "vitest";
import { buildSyncJob } from "../../src/app/syncs/sync-connection.ts";
import type { EmulatorHandle, EmulatorTruth, ProviderDefinition } from "../../src/core/index.ts";
import { providers } from "../../src/providers/registry.ts";
import { unifiedMappers } from "../../src/providers/unified-mappers.ts";
import { unifiedWriters } from "../../src/providers/unified-writers.ts";
import { createScheduler, createStoreSyncQueue, createSyncRunner } from "../../src/scheduler/index.ts";
import { type Harness, startHarness } from "../../src/server/test-harness.ts";
import { listRecords } from "../../src/store/index.ts";
import type { CrmModelName } from "../../src/unified/mappers.ts";

export const MODELS: readonly CrmModelName[] = ["Contact", "Account", "Opportunity", "User", "Stage"];
/** The models Merge's CRM API writes (POST and PATCH). */
export const WRITTEN: readonly CrmModelName[] = ["Contact", "Account", "Opportunity"];

/**
 * The providers the contract suite runs against, as the registries list them: each has an emulator, and maps
 * and writes contacts, accounts and opportunities. Each file of the suite runs every case for each, with no
 * provider-specific code: a provider added to the three registries is under contract at once.
 */
export const CONTRACT_PROVIDERS: readonly (readonly [string, ProviderDefinition])[] = Object.values(providers)
  .filter(
    (provider) =>
      provider.emulator !== undefined &&
      WRITTEN.every(
        (model) => unifiedMappers.find(provider.name, model) && unifiedWriters.find(provider.name, model),
      ),
  )
  .map((provider) => [provider.name, provider] as const);

/** A Common Model object as the SDK returns it (camelCase), read loosely: the suite checks every model. */
export type Obj = Record<string, unknown> & {
  id?: string;
  remoteId?: string | null;
  remoteWasDeleted?: boolean;
  remoteData?: { path: string; data?: unknown }[] | null;
};
export type Query = Record<string, unknown>;
/** One SDK resource (`merge.crm.contacts`…), as the suite calls it. */
export interface Endpoint {
  list(query?: Query): Promise<{ data: Obj[]; response: { next?: string | null; previous?: string | null } }>;
  retrieve(id: string, query?: Query): Promise<Obj>;
}

/** A cached raw record: the provider's payload, keyed by its primary key. */
export interface Cached {
  pk: string;
  payload: Record<string, unknown>;
}

export interface CrmWorld {
  provider: ProviderDefinition;
  emulator: EmulatorHandle;
  h: Harness;
  connectionId: string;
  merge: MergeClient;
  /** The secret values of the connection's credentials (token, key), which no answer may carry. */
  secrets: readonly string[];
  endpoint(model: CrmModelName): Endpoint;
  /** Whether the provider maps the model (asked of the mapper registry). */
  maps(model: CrmModelName): boolean;
  /**
   * Whether the model's objects are found on another model's records (HubSpot's stages on deals) rather
   * than read from a stream of their own: another mapped model, earlier in MODELS, reads the same stream.
   */
  derived(model: CrmModelName): boolean;
  /** The stream the model is read from. */
  streamOf(model: CrmModelName): string;
  /** The live cached records of the model's stream. */
  cached(model: CrmModelName): Promise<Cached[]>;
  /** The emulator's truth of the model's stream, when the emulator knows it (else undefined). */
  truth(model: CrmModelName): Promise<EmulatorTruth | undefined>;
  /** Queues a run of the connection's sync and runs it, as the scheduler would. */
  resync(): Promise<void>;
  close(): Promise<void>;
}

export async function openCrmWorld(provider: ProviderDefinition): Promise<CrmWorld> {
  const emulator = await provider.emulator!({ seed: 11, records: 60, unlimited: true });
  const h = await startHarness({ providers: { [provider.name]: provider }, rateLimit: false });
  const baseUrl = `${await h.app.listen({ port: 0, host: "127.0.0.1" })}/api`;
  const credentials = emulator.credentials;
  // A connection is created with a token or key; OAuth2 tokens come only from Connect's flow.
  if (credentials.type === "oauth2") throw new Error(`${provider.name}'s emulator hands out OAuth2 tokens.`);
  // The emulator's secrets (token, key) must not reach the database or the logs either.
  const secrets = Object.entries(credentials).flatMap(([key, value]) =>
    key !== "type" && typeof value === "string" ? [h.secret(value)] : [],
  );
  const created = await h.dev.post("/v1/connections", {
    body: {
      provider: provider.name,
      credentials,
      end_user: { id: `customer-${provider.name}` },
      config: { base_url: emulator.url },
    },
  });
  const connectionId = created.id;
  const accountToken = h.secret(created.account_token);
  const errors: unknown[] = [];
  const scheduler = createScheduler({
    onError: (error) => errors.push(error),
    queue: createStoreSyncQueue(h.store.db),
    run: createSyncRunner({
      store: h.store,
      buildJob: (id, options) =>
        buildSyncJob({ store: h.store, vault: h.deps.vault, providers: h.deps.providers }, id, options),
    }),
  });
  const runDue = async () => {
    expect((await scheduler.tick()).length).toBe(1);
    await scheduler.idle();
    expect(errors).toEqual([]);
  };
  // The connection's default sync is due at once.
  await runDue();
  const merge = new MergeClient({ apiKey: h.keys.dev, accountToken, baseUrl });
  const resources: Record<CrmModelName, unknown> = {
    Contact: merge.crm.contacts,
    Account: merge.crm.accounts,
    Opportunity: merge.crm.opportunities,
    User: merge.crm.users,
    Stage: merge.crm.stages,
  };
  const mapperOf = (model: CrmModelName) => unifiedMappers.find(provider.name, model);
  const streamOf = (model: CrmModelName) => {
    const mapper = mapperOf(model);
    if (!mapper) throw new Error(`${provider.name} maps no ${model}.`);
    return mapper.stream;
  };
  return {
    provider,
    emulator,
    h,
    connectionId,
    merge,
    secrets,
    endpoint: (model) => resources[model] as Endpoint,
    maps: (model) => mapperOf(model) !== undefined,
    derived: (model) =>
      MODELS.slice(0, MODELS.indexOf(model)).some((other) => mapperOf(other)?.stream === streamOf(model)),
    streamOf,
    async cached(model) {
      const rows = await listRecords(h.store.db, connectionId, streamOf(model), { limit: 100_000 });
      return rows.map((row) => ({ pk: row.pk, payload: JSON.parse(row.payload) as Record<string, unknown> }));
    },
    async truth(model) {
      const stream = streamOf(model);
      return emulator.streams.includes(stream) ? emulator.truth(stream) : undefined;
    },
    async resync() {
      const { data } = await h.dev.get("/v1/syncs", { query: { connection_id: connectionId } });
      await h.dev.post("/v1/syncs/:id/trigger", { params: { id: data[0]!.id } });
      await runDue();
    },
    async close() {
      expect(await h.leakedSecrets()).toEqual([]);
      await h.close();
      await emulator.close();
    },
  };
}

/** The status and body of the MergeError a call throws (the call must throw one). */
export async function refusal(call: Promise<unknown>): Promise<{ status?: number; body: unknown }> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MergeError);
  return { status: (error as MergeError).statusCode, body: (error as MergeError).body };
}

/** Every object of a list, page after page (`page_size` 100, following `next`). */
export async function listAll(endpoint: Endpoint, query: Query = {}): Promise<Obj[]> {
  const out: Obj[] = [];
  let cursor: string | undefined;
  do {
    const page = await endpoint.list({ ...query, pageSize: 100, ...(cursor ? { cursor } : {}) });
    out.push(...page.data);
    cursor = page.response.next ?? undefined;
  } while (cursor);
  return out;
}

/** Every primitive value anywhere in a raw payload, as strings: where a mapped value must come from. */
export function valuesIn(value: unknown): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown): void => {
    if (v === null || v === undefined) return;
    if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === "object") Object.values(v).forEach(walk);
    else out.add(String(v));
  };
  walk(value);
  return out;
}

/** The id a reference field holds, expanded or not. */
export function refId(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (value !== null && typeof value === "object" && "id" in value) return String(value.id);
  return null;
}

/** The most frequent non-null value, to filter on something that matches several objects. */
export function mostCommon(values: readonly (string | null)[]): string | undefined {
  const counts = new Map<string, number>();
  for (const value of values) if (value !== null) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
}
