/**
 * End to end with the Pipedrive emulator: a webhook subscribed through Pipedrive's own `/v1/webhooks`
 * (v2 payloads, HTTP Basic credentials), the secret set through Switchyard's API; a change asks for an
 * incremental sync of the stream, a deletion marks the cached record deleted.
 */
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueApiKey } from "../../src/app/api-keys/api-keys.ts";
import type { PlatformDeps } from "../../src/app/platform.ts";
import { createSync } from "../../src/app/syncs/syncs.ts";
import { createInboundProcessor, type InboundProcessor } from "../../src/app/webhooks-inbound/processor.ts";
import { RecordsCache } from "../../src/destinations/records-cache.ts";
import { prepareRecords } from "../../src/engine/prepare-records.ts";
import {
  DEFAULT_TOKEN,
  type PipedriveEmulator,
  startPipedriveEmulator,
} from "../../src/providers/pipedrive/emulator/server.ts";
import { pipedrive } from "../../src/providers/pipedrive/index.ts";
import { buildServer } from "../../src/server/app.ts";
import {
  createConnection,
  ensureEnvironment,
  getSync,
  listInboundEvents,
  type Store,
  type Sync,
  setEnvironmentPrivateNetwork,
} from "../../src/store/index.ts";
import { generateVaultKey, parseVaultKey, Vault } from "../../src/vault/index.ts";
import { openTempStore } from "../helpers/temp-store.ts";

const BASIC = { user: "switchyard", password: "a-long-random-password" };

describe("Pipedrive webhooks, emulator to Switchyard", () => {
  let emulator: PipedriveEmulator;
  let store: Store;
  let cleanup: () => Promise<void>;
  let app: ReturnType<typeof buildServer>;
  let processor: InboundProcessor;
  let environmentId: string;
  let connectionId: string;
  let sync: Sync;

  beforeAll(async () => {
    emulator = await startPipedriveEmulator({
      counts: { persons: 10, organizations: 5, deals: 5, activities: 5 },
    });
    ({ store, cleanup } = await openTempStore());
    const vault = new Vault({ current: parseVaultKey(generateVaultKey()), previous: [] });
    const environment = await ensureEnvironment(store.db, "dev");
    environmentId = environment.id;
    await setEnvironmentPrivateNetwork(store.db, environmentId, true);
    const connection = await createConnection(store.db, {
      environmentId,
      provider: "pipedrive",
      config: { baseUrl: emulator.url },
      sealedCredentials: vault.seal(JSON.stringify({ type: "api_key", key: DEFAULT_TOKEN })),
    });
    connectionId = connection.id;
    sync = await createSync(store.db, pipedrive, connectionId, { streams: ["persons"], frequency: "1h" });
    const deps: PlatformDeps = { db: store.db, vault, providers: { pipedrive } };
    processor = createInboundProcessor(deps, { debounceMs: 10 });
    deps.inboundWebhooks = processor;
    app = buildServer(deps, { log: false, rateLimit: false });
    await app.listen({ host: "127.0.0.1", port: 0 });
    processor.start();

    const { secret } = await issueApiKey(store.db, environment, "test");
    const settings = await app.inject({
      method: "PUT",
      url: "/v1/webhook-settings/pipedrive",
      headers: { authorization: `Bearer ${secret}` },
      payload: { secret: `${BASIC.user}:${BASIC.password}` },
    });
    expect(settings.statusCode).toBe(200);
    const { url } = settings.json() as { url: string };
    const { port } = app.server.address() as AddressInfo;
    const subscription = await fetch(`${emulator.url}/api/v1/webhooks`, {
      method: "POST",
      headers: { "x-api-token": DEFAULT_TOKEN, "content-type": "application/json" },
      body: JSON.stringify({
        // The settings name the public URL; this test's server listens on a port of its own.
        subscription_url: url.replace(/^http:\/\/[^/]+/, `http://127.0.0.1:${port}`),
        event_action: "*",
        event_object: "person",
        http_auth_user: BASIC.user,
        http_auth_password: BASIC.password,
        version: "2.0",
      }),
    });
    expect(subscription.status).toBe(201);
  });

  afterAll(async () => {
    await processor?.stop();
    await app?.close();
    await emulator?.close();
    await cleanup?.();
  });

  async function settledEvents(count: number) {
    for (let i = 0; i < 500; i++) {
      await processor.idle();
      const page = await listInboundEvents(store.db, environmentId, { limit: 100 });
      const open = page.items.some((event) => event.status === "received" || event.status === "syncing");
      if (page.items.length >= count && !open) return page.items;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`fewer than ${count} events arrived`);
  }

  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${emulator.url}/api/v2${path}`, {
      method,
      headers: { "x-api-token": DEFAULT_TOKEN, ...(body ? { "content-type": "application/json" } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });

  it("turns a change into a request for an incremental sync of the stream", async () => {
    expect((await getSync(store.db, sync.id)).requested).toBeNull();
    expect((await api("PATCH", "/persons/3", { name: "Grace Hopper" })).status).toBe(200);
    const [event] = await settledEvents(1);
    expect(event).toMatchObject({
      type: "change.person",
      account_id: "7001",
      action: "sync",
      status: "processed",
    });
    expect((await getSync(store.db, sync.id)).requested).toMatchObject({ fullRefresh: false });
  });

  it("marks the cached record deleted on a deletion", async () => {
    const stream = pipedrive.streams.find((candidate) => candidate.name === "persons")!;
    await new RecordsCache(store.db).write({
      connectionId,
      target: {
        provider: "pipedrive",
        stream: "persons",
        table: "pipedrive_persons",
        primaryKey: "id",
        schema: stream.schema,
      },
      records: prepareRecords(stream, [{ id: 4, name: "To delete", [stream.deletedField!]: false }]),
      syncedAt: new Date(),
    });
    expect((await api("DELETE", "/persons/4")).status).toBe(200);
    const events = await settledEvents(2);
    expect(events.find((event) => event.type === "delete.person")).toMatchObject({
      action: "delete",
      status: "processed",
    });
    const row = await store.db
      .selectFrom("records")
      .select("deleted")
      .where("connection_id", "=", connectionId)
      .where("pk", "=", "4")
      .executeTakeFirstOrThrow();
    expect(Boolean(row.deleted)).toBe(true);
  });
});
