/**
 * Receiving one delivery: find the secret the environment verifies the provider with, verify the raw
 * request, split it into the provider's events, and persist them durably — all before the caller answers
 * 2xx. A body that verifies but does not parse is kept too (as one `unparseable` event), never dropped.
 */
import { createHash } from "node:crypto";
import type { Kysely } from "kysely";
import {
  findProvider,
  type InboundEvent,
  type ProviderDefinition,
  type ProviderWebhooks,
  SwitchyardError,
} from "../../core/index.ts";
import {
  type Database,
  findInboundSecret,
  insertInboundEvents,
  type NewInboundEvent,
} from "../../store/index.ts";
import type { Vault } from "../../vault/index.ts";
import { SIGNATURE_SCHEMES, type SignedRequest } from "./verify/index.ts";

export interface ReceiveDeps {
  db: Kysely<Database>;
  vault: Vault;
  providers: Readonly<Record<string, ProviderDefinition>>;
  /** The deployment's OAuth app per provider: its client secret verifies HubSpot v3 when no secret is set. */
  providerSettings?: Readonly<Record<string, { oauth2?: { clientSecret: string } }>> | undefined;
  /** Epoch ms (tests move it). */
  now?: () => number;
}

export interface Received {
  /** Events in the delivery. */
  events: number;
  /** Of those, events stored for the first time (the rest were redeliveries). */
  stored: number;
  /** The stored ids of those waiting to be processed (what the caller enqueues). */
  toProcess: string[];
}

/** The provider's webhook declaration, or not_found (the same answer for an unknown provider as for one without webhooks). */
export function webhooksOf(deps: Pick<ReceiveDeps, "providers">, name: string): ProviderWebhooks {
  const { providers } = deps;
  const webhooks = Object.hasOwn(providers, name) ? findProvider(providers, name).webhooks : undefined;
  if (!webhooks) {
    const known = Object.values(providers).filter((provider) => provider.webhooks);
    throw new SwitchyardError("not_found", `Switchyard takes no webhooks from "${name}".`, {
      hint: `Providers whose webhooks it takes: ${known.map((provider) => provider.name).join(", ") || "none"}.`,
    });
  }
  return webhooks;
}

/** The secret deliveries of `provider` to `environmentId` are verified with; throws not_found when none is set. */
export async function inboundSecret(
  deps: ReceiveDeps,
  environmentId: string,
  provider: string,
): Promise<string> {
  const stored = await findInboundSecret(deps.db, environmentId, provider);
  if (stored) return deps.vault.open(stored.secret);
  const webhooks = webhooksOf(deps, provider);
  const oauthSecret = deps.providerSettings?.[provider]?.oauth2?.clientSecret;
  // The deployment-wide secret verifies deliveries to any environment: only to one that exists.
  if (
    webhooks.signedWithOAuthClientSecret &&
    oauthSecret &&
    (await environmentExists(deps.db, environmentId))
  ) {
    return oauthSecret;
  }
  throw new SwitchyardError("not_found", `No webhook secret is set for ${provider} in this environment.`, {
    hint: `Set ${webhooks.secretDescription} with PUT /v1/webhook-settings/${provider} (docs/webhooks-inbound.md).`,
  });
}

/** Verifies and persists one delivery; throws `unauthenticated` for a bad signature (nothing is stored then). */
export async function receiveWebhook(
  deps: ReceiveDeps,
  environmentId: string,
  provider: string,
  request: SignedRequest,
): Promise<Received> {
  const webhooks = webhooksOf(deps, provider);
  const secret = await inboundSecret(deps, environmentId, provider);
  SIGNATURE_SCHEMES[webhooks.scheme].verify(request, secret, (deps.now ?? Date.now)());
  const receivedAt = new Date().toISOString();
  const events = eventsOf(webhooks, request.rawBody);
  const rows = events.map(
    (event): NewInboundEvent => ({
      environment_id: environmentId,
      provider,
      // Providers number events per account: the account keeps two accounts' events apart.
      event_id: event.accountId === undefined ? event.eventId : `${event.accountId}:${event.eventId}`,
      type: event.type,
      account_id: event.accountId ?? null,
      action: event.action,
      stream: event.stream ?? null,
      record_id: event.recordId ?? null,
      payload: JSON.stringify(event.payload ?? null),
      status: event.action === "ignore" ? "ignored" : "received",
      occurred_at: event.occurredAt ?? null,
      received_at: receivedAt,
    }),
  );
  const stored = await insertInboundEvents(deps.db, rows);
  const toProcess = stored === 0 ? [] : await receivedNow(deps.db, environmentId, provider, rows, receivedAt);
  return { events: rows.length, stored, toProcess };
}

/** The ids of the rows this delivery stored to be processed (a redelivered event kept its first `received_at`). */
async function receivedNow(
  db: Kysely<Database>,
  environmentId: string,
  provider: string,
  rows: readonly NewInboundEvent[],
  receivedAt: string,
): Promise<string[]> {
  const waiting = rows.filter((row) => row.status === "received").map((row) => row.event_id);
  if (waiting.length === 0) return [];
  const found = await db
    .selectFrom("inbound_webhook_events")
    .select("id")
    .where("environment_id", "=", environmentId)
    .where("provider", "=", provider)
    .where("event_id", "in", waiting)
    .where("received_at", "=", receivedAt)
    .where("status", "=", "received")
    .execute();
  return found.map((row) => row.id);
}

/** The events of these ids still waiting to be processed, oldest first (a job's events; the rest were done). */
export function receivedEventsOf(db: Kysely<Database>, ids: readonly string[]) {
  return db
    .selectFrom("inbound_webhook_events")
    .selectAll()
    .where("id", "in", ids)
    .where("status", "=", "received")
    .orderBy("received_at")
    .orderBy("id")
    .execute();
}

/** The delivery's events; a body the declaration cannot read becomes one kept `unparseable` event. */
function eventsOf(webhooks: ProviderWebhooks, rawBody: Buffer): InboundEvent[] {
  const text = rawBody.toString("utf8");
  try {
    return webhooks.parse(JSON.parse(text));
  } catch (error) {
    return [
      {
        eventId: `body-${createHash("sha256").update(rawBody).digest("hex").slice(0, 32)}`,
        type: "unparseable",
        accountId: undefined,
        action: "ignore",
        stream: undefined,
        recordId: undefined,
        occurredAt: undefined,
        payload: {
          body: text.slice(0, 10_000),
          problem: error instanceof Error ? error.message : String(error),
        },
      },
    ];
  }
}

async function environmentExists(db: Kysely<Database>, id: string): Promise<boolean> {
  const row = await db.selectFrom("environments").select("id").where("id", "=", id).executeTakeFirst();
  return row !== undefined;
}
