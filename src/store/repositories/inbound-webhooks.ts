/**
 * Inbound webhooks (migration 0017): the sealed secret per environment and provider, the events received,
 * and each connection's account id at its provider.
 */
import type { Kysely, Selectable } from "kysely";
import { type Page, pageNewestFirst } from "../cursor.ts";
import { newId, nowIso } from "../ids.ts";
import type { Database, InboundEventStatus, InboundWebhookEventsTable } from "../schema.ts";

export type { InboundEventStatus } from "../schema.ts";

export type InboundEventRow = Selectable<InboundWebhookEventsTable>;
type Db = Kysely<Database>;

/** Sets (or replaces) the sealed secret an environment verifies a provider's deliveries with. */
export async function saveInboundSecret(db: Db, environmentId: string, provider: string, sealed: string) {
  const at = nowIso();
  await db
    .insertInto("inbound_webhook_settings")
    .values({
      id: newId("whin"),
      environment_id: environmentId,
      provider,
      secret: sealed,
      created_at: at,
      updated_at: at,
    })
    .onConflict((conflict) =>
      conflict.columns(["environment_id", "provider"]).doUpdateSet({ secret: sealed, updated_at: at }),
    )
    .execute();
}

export async function findInboundSecret(db: Db, environmentId: string, provider: string) {
  const row = await db
    .selectFrom("inbound_webhook_settings")
    .select(["secret", "updated_at"])
    .where("environment_id", "=", environmentId)
    .where("provider", "=", provider)
    .executeTakeFirst();
  return row;
}

export async function deleteInboundSecret(db: Db, environmentId: string, provider: string): Promise<boolean> {
  const result = await db
    .deleteFrom("inbound_webhook_settings")
    .where("environment_id", "=", environmentId)
    .where("provider", "=", provider)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export type NewInboundEvent = Omit<
  InboundWebhookEventsTable,
  "id" | "status" | "connection_ids" | "error" | "attempts" | "processed_at"
> & { status: "received" | "ignored" };

/**
 * Stores a delivery's events in one transaction; an event whose provider id is already stored (a
 * redelivery) is skipped. Says how many were new.
 */
export async function insertInboundEvents(db: Db, events: readonly NewInboundEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  // One statement is atomic on its own; a batch needs a transaction.
  if (events.length === 1) return insertEach(db, events);
  return db.transaction().execute((trx) => insertEach(trx, events));
}

async function insertEach(db: Db, events: readonly NewInboundEvent[]): Promise<number> {
  let inserted = 0;
  // One statement per event keeps each within the parameter limits, and counts what was new.
  for (const event of events) {
    const result = await db
      .insertInto("inbound_webhook_events")
      .values({
        ...event,
        id: newId("whevt"),
        connection_ids: null,
        error: null,
        attempts: 0,
        processed_at: null,
      })
      .onConflict((conflict) => conflict.columns(["environment_id", "provider", "event_id"]).doNothing())
      .executeTakeFirst();
    inserted += Number(result.numInsertedOrUpdatedRows ?? 0n);
  }
  return inserted;
}

/** Up to `limit` events in `status` (not processed yet), oldest first. */
export function listEventsToProcess(
  db: Db,
  status: "received" | "syncing",
  limit: number,
  skip: readonly string[] = [],
): Promise<InboundEventRow[]> {
  let query = db.selectFrom("inbound_webhook_events").selectAll().where("status", "=", status);
  if (skip.length > 0) query = query.where("id", "not in", skip);
  return query.orderBy("received_at").orderBy("id").limit(limit).execute();
}

export interface EventOutcome {
  status: Exclude<InboundEventStatus, "received" | "syncing">;
  connectionIds?: readonly string[];
  error?: string;
  /** False when the try was already counted (`countAttempt`). */
  counted?: boolean;
}

export async function settleEvent(db: Db, id: string, outcome: EventOutcome): Promise<void> {
  await db
    .updateTable("inbound_webhook_events")
    .set((eb) => ({
      status: outcome.status,
      connection_ids: outcome.connectionIds ? JSON.stringify(outcome.connectionIds) : null,
      error: outcome.error ?? null,
      attempts: outcome.counted === false ? eb.ref("attempts") : eb("attempts", "+", 1),
      processed_at: nowIso(),
    }))
    .where("id", "=", id)
    .execute();
}

/** Routed to connections whose sync is debounced: asked for after restart if the process dies first. */
export async function markSyncing(db: Db, id: string, connectionIds: readonly string[]): Promise<void> {
  await db
    .updateTable("inbound_webhook_events")
    .set({ status: "syncing", connection_ids: JSON.stringify(connectionIds) })
    .where("id", "=", id)
    .execute();
}

/** Counts one failed try of an event that stays `received` (tried again later). */
export async function countAttempt(db: Db, id: string, error: string): Promise<number> {
  await db
    .updateTable("inbound_webhook_events")
    .set((eb) => ({ attempts: eb("attempts", "+", 1), error }))
    .where("id", "=", id)
    .execute();
  const row = await db
    .selectFrom("inbound_webhook_events")
    .select("attempts")
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
  return row.attempts;
}

export function listInboundEvents(
  db: Db,
  environmentId: string,
  options: { status?: InboundEventStatus; provider?: string; cursor?: string; limit: number },
): Promise<Page<InboundEventRow>> {
  let query = db.selectFrom("inbound_webhook_events").selectAll().where("environment_id", "=", environmentId);
  if (options.status) query = query.where("status", "=", options.status);
  if (options.provider) query = query.where("provider", "=", options.provider);
  return pageNewestFirst(query, { at: "received_at", id: "id" }, options, (row) => [row.received_at, row.id]);
}

/** The connections of the environment known to hold `accountId` at `provider`. */
export async function connectionsOfAccount(
  db: Db,
  environmentId: string,
  provider: string,
  accountId: string,
) {
  const rows = await db
    .selectFrom("inbound_webhook_accounts")
    .select("connection_id")
    .where("environment_id", "=", environmentId)
    .where("provider", "=", provider)
    .where("account_id", "=", accountId)
    .execute();
  return rows.map((row) => row.connection_id);
}

/** Connections of the environment at `provider` whose account id is not known yet. */
export async function connectionsWithoutAccount(db: Db, environmentId: string, provider: string) {
  return db
    .selectFrom("connections")
    .selectAll("connections")
    .leftJoin("inbound_webhook_accounts", "inbound_webhook_accounts.connection_id", "connections.id")
    .where("connections.environment_id", "=", environmentId)
    .where("connections.provider", "=", provider)
    .where("inbound_webhook_accounts.connection_id", "is", null)
    .execute();
}

export async function saveAccountId(
  db: Db,
  connection: { id: string; environment_id: string; provider: string },
  accountId: string,
): Promise<void> {
  const at = nowIso();
  await db
    .insertInto("inbound_webhook_accounts")
    .values({
      connection_id: connection.id,
      environment_id: connection.environment_id,
      provider: connection.provider,
      account_id: accountId,
      resolved_at: at,
    })
    .onConflict((conflict) =>
      conflict.column("connection_id").doUpdateSet({ account_id: accountId, resolved_at: at }),
    )
    .execute();
}

/** The cached payload of one record (deleted or not), or undefined. */
export async function cachedPayload(db: Db, connectionId: string, stream: string, pk: string) {
  const row = await db
    .selectFrom("records")
    .select("payload")
    .where("connection_id", "=", connectionId)
    .where("stream", "=", stream)
    .where("pk", "=", pk)
    .executeTakeFirst();
  return row ? (JSON.parse(row.payload) as Record<string, unknown>) : undefined;
}
