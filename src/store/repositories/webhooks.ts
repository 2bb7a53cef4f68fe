/**
 * Outbound webhooks in the store (migration 0016): endpoints, the deliveries the worker drains (the outbox
 * filled in the same transaction as each event), their attempts, and the runs already announced.
 */
import { type Kysely, type Selectable, sql } from "kysely";
import { NotFoundError } from "../../core/index.ts";
import { type Page, pageNewestFirst } from "../cursor.ts";
import { newId, nowIso } from "../ids.ts";
import type {
  Database,
  EventsTable,
  WebhookAttemptsTable,
  WebhookDeliveriesTable,
  WebhookEndpointsTable,
} from "../schema.ts";

export type WebhookEndpointRow = Selectable<WebhookEndpointsTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;
export type WebhookAttemptRow = Selectable<WebhookAttemptsTable>;

/** The event types sent to endpoints; an endpoint subscribes to some or (with no filter) all of them. */
export const OUTBOUND_EVENT_TYPES = [
  "connection.created",
  "connection.auth_failed",
  "sync.completed",
  "sync.failed",
  "records.changed",
  "endpoint.disabled",
] as const;
export type OutboundEventType = (typeof OUTBOUND_EVENT_TYPES)[number];

function isOutboundEventType(type: string): type is OutboundEventType {
  return (OUTBOUND_EVENT_TYPES as readonly string[]).includes(type);
}

export interface NewWebhookEndpoint {
  environmentId: string;
  url: string;
  description: string;
  /** Null: every type. */
  eventTypes: readonly OutboundEventType[] | null;
  sealedSecret: string;
}

export async function insertWebhookEndpoint(
  db: Kysely<Database>,
  input: NewWebhookEndpoint,
): Promise<WebhookEndpointRow> {
  const at = nowIso();
  const row: WebhookEndpointRow = {
    id: newId("whep"),
    environment_id: input.environmentId,
    url: input.url,
    description: input.description,
    event_types: input.eventTypes ? JSON.stringify(input.eventTypes) : null,
    secret: input.sealedSecret,
    previous_secret: null,
    previous_secret_expires_at: null,
    enabled: 1,
    disabled_reason: null,
    disabled_at: null,
    failing_since: null,
    exhausted_in_a_row: 0,
    created_at: at,
    updated_at: at,
  };
  await db.insertInto("webhook_endpoints").values(row).execute();
  return row;
}

/** The endpoint of this environment; throws not_found otherwise (also for another environment's). */
export async function getWebhookEndpointIn(
  db: Kysely<Database>,
  environmentId: string,
  id: string,
): Promise<WebhookEndpointRow> {
  const row = await db
    .selectFrom("webhook_endpoints")
    .selectAll()
    .where("id", "=", id)
    .where("environment_id", "=", environmentId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError("Webhook endpoint", id);
  return row;
}

export async function getWebhookEndpoint(
  db: Kysely<Database>,
  id: string,
): Promise<WebhookEndpointRow | undefined> {
  return db.selectFrom("webhook_endpoints").selectAll().where("id", "=", id).executeTakeFirst();
}

/** An environment's endpoints, newest first. */
export async function listWebhookEndpoints(
  db: Kysely<Database>,
  environmentId: string,
  options: { cursor?: string; limit: number },
): Promise<Page<WebhookEndpointRow>> {
  const query = db.selectFrom("webhook_endpoints").selectAll().where("environment_id", "=", environmentId);
  return pageNewestFirst(query, { at: "created_at", id: "id" }, options, (row) => [row.created_at, row.id]);
}

export type WebhookEndpointPatch = Partial<
  Pick<
    WebhookEndpointRow,
    | "url"
    | "description"
    | "event_types"
    | "secret"
    | "previous_secret"
    | "previous_secret_expires_at"
    | "enabled"
    | "disabled_reason"
    | "disabled_at"
    | "failing_since"
    | "exhausted_in_a_row"
  >
>;

export async function patchWebhookEndpoint(
  db: Kysely<Database>,
  id: string,
  patch: WebhookEndpointPatch,
): Promise<void> {
  await db
    .updateTable("webhook_endpoints")
    .set({ ...patch, updated_at: nowIso() })
    .where("id", "=", id)
    .execute();
}

/** Deletes an endpoint with its deliveries and their attempts. */
export async function deleteWebhookEndpoint(db: Kysely<Database>, id: string): Promise<void> {
  await db
    .deleteFrom("webhook_attempts")
    .where(
      "delivery_id",
      "in",
      db.selectFrom("webhook_deliveries").select("id").where("endpoint_id", "=", id),
    )
    .execute();
  await db.deleteFrom("webhook_deliveries").where("endpoint_id", "=", id).execute();
  await db.deleteFrom("webhook_endpoints").where("id", "=", id).execute();
}

/** Whether the endpoint takes events of this type. */
export function endpointWants(endpoint: Pick<WebhookEndpointRow, "event_types">, type: string): boolean {
  if (!isOutboundEventType(type)) return false;
  if (endpoint.event_types === null) return true;
  return (JSON.parse(endpoint.event_types) as string[]).includes(type);
}

let lastSeqMs = 0;
let seqCounter = 0;

/**
 * A creation-order key, monotonic within this process (milliseconds, then a counter). Deliveries of one
 * connection are created by one process at a time (its runs never overlap), so their order holds.
 */
export function nextDeliverySeq(now = Date.now()): string {
  if (now > lastSeqMs) {
    lastSeqMs = now;
    seqCounter = 0;
  } else seqCounter += 1;
  return `${lastSeqMs.toString().padStart(15, "0")}.${seqCounter.toString().padStart(9, "0")}`;
}

/** The JSON body an event is sent as (Standard Webhooks' `type`, `timestamp`, `data`, plus its id). */
export function webhookPayloadOf(event: Selectable<EventsTable>): string {
  return JSON.stringify({
    id: event.id,
    type: event.type,
    timestamp: event.created_at,
    data: JSON.parse(event.data) as unknown,
  });
}

/**
 * Queues the event for every enabled endpoint of its environment that wants it. Called by `appendEvent` in
 * the event's own transaction: the event log is the outbox, and no event is logged without its deliveries.
 */
export async function enqueueWebhookDeliveries(
  db: Kysely<Database>,
  event: Selectable<EventsTable>,
): Promise<number> {
  if (!isOutboundEventType(event.type)) return 0;
  const endpoints = await db
    .selectFrom("webhook_endpoints")
    .select(["id", "event_types"])
    .where("environment_id", "=", event.environment_id)
    .where("enabled", "=", 1)
    .execute();
  const wanting = endpoints.filter((endpoint) => endpointWants(endpoint, event.type));
  if (wanting.length === 0) return 0;
  const payload = webhookPayloadOf(event);
  const at = nowIso();
  await db
    .insertInto("webhook_deliveries")
    .values(
      wanting.map((endpoint) => ({
        id: newId("whd"),
        endpoint_id: endpoint.id,
        environment_id: event.environment_id,
        event_id: event.id,
        event_type: event.type,
        connection_id: event.connection_id,
        ordering_key: event.connection_id,
        seq: nextDeliverySeq(),
        message_id: event.id,
        payload,
        status: "pending",
        attempts: 0,
        next_attempt_at: at,
        lease_owner: null,
        lease_expires_at: null,
        last_response_status: null,
        replay_of: null,
        created_at: at,
        updated_at: at,
      })),
    )
    .execute();
  return wanting.length;
}

/** A new delivery of what `original` sent, due now, outside its connection's order; keeps its webhook-id. */
export async function insertReplay(
  db: Kysely<Database>,
  original: WebhookDeliveryRow,
): Promise<WebhookDeliveryRow> {
  const at = nowIso();
  const row: WebhookDeliveryRow = {
    ...original,
    id: newId("whd"),
    ordering_key: null,
    seq: nextDeliverySeq(),
    status: "pending",
    attempts: 0,
    next_attempt_at: at,
    lease_owner: null,
    lease_expires_at: null,
    last_response_status: null,
    replay_of: original.id,
    created_at: at,
    updated_at: at,
  };
  await db.insertInto("webhook_deliveries").values(row).execute();
  return row;
}

/**
 * Up to `limit` deliveries that may be attempted at `now`: pending, due, not leased (or the lease expired),
 * of an enabled endpoint, and first in their connection's order (no earlier pending delivery of the same
 * endpoint and connection).
 */
export async function listDueDeliveries(
  db: Kysely<Database>,
  now: string,
  limit: number,
): Promise<WebhookDeliveryRow[]> {
  return db
    .selectFrom("webhook_deliveries as d")
    .innerJoin("webhook_endpoints as e", "e.id", "d.endpoint_id")
    .selectAll("d")
    .where("d.status", "=", "pending")
    .where("d.next_attempt_at", "<=", now)
    .where("e.enabled", "=", 1)
    .where((eb) => eb.or([eb("d.lease_expires_at", "is", null), eb("d.lease_expires_at", "<", now)]))
    .where(
      sql<boolean>`(d.ordering_key is null or not exists (select 1 from webhook_deliveries p
        where p.endpoint_id = d.endpoint_id and p.ordering_key = d.ordering_key
          and p.status = 'pending' and p.seq < d.seq))`,
    )
    .orderBy("d.next_attempt_at")
    .orderBy("d.seq")
    .limit(limit)
    .execute();
}

/** Takes the delivery's lease unless another worker holds a live one; says whether it did. */
export async function claimDelivery(
  db: Kysely<Database>,
  id: string,
  claim: { owner: string; now: string; expiresAt: string },
): Promise<boolean> {
  const result = await db
    .updateTable("webhook_deliveries")
    .set({ lease_owner: claim.owner, lease_expires_at: claim.expiresAt })
    .where("id", "=", id)
    .where("status", "=", "pending")
    .where((eb) => eb.or([eb("lease_expires_at", "is", null), eb("lease_expires_at", "<", claim.now)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export type NewWebhookAttempt = Omit<WebhookAttemptRow, "id">;

/**
 * Records an attempt and the delivery's new state, releasing its lease, if `owner` still holds it. Says
 * whether it did (a worker whose lease expired and was taken over records nothing).
 */
export async function recordDeliveryAttempt(
  db: Kysely<Database>,
  delivery: { id: string; owner: string },
  attempt: NewWebhookAttempt,
  next: { status: "pending" | "succeeded" | "failed"; nextAttemptAt: string | null },
): Promise<boolean> {
  const result = await db
    .updateTable("webhook_deliveries")
    .set({
      status: next.status,
      attempts: attempt.attempt,
      next_attempt_at: next.nextAttemptAt,
      lease_owner: null,
      lease_expires_at: null,
      last_response_status:
        attempt.response_status === null ? (attempt.error ? "error" : null) : String(attempt.response_status),
      updated_at: nowIso(),
    })
    .where("id", "=", delivery.id)
    .where("lease_owner", "=", delivery.owner)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) return false;
  await db
    .insertInto("webhook_attempts")
    .values({ id: newId("wha"), ...attempt })
    .execute();
  return true;
}

/** Makes the endpoint's waiting deliveries due now (when it is enabled again). */
export async function makePendingDeliveriesDue(db: Kysely<Database>, endpointId: string): Promise<void> {
  await db
    .updateTable("webhook_deliveries")
    .set({ next_attempt_at: nowIso() })
    .where("endpoint_id", "=", endpointId)
    .where("status", "=", "pending")
    .execute();
}

/** The delivery of this environment; throws not_found otherwise. */
export async function getWebhookDeliveryIn(
  db: Kysely<Database>,
  environmentId: string,
  id: string,
): Promise<WebhookDeliveryRow> {
  const row = await db
    .selectFrom("webhook_deliveries")
    .selectAll()
    .where("id", "=", id)
    .where("environment_id", "=", environmentId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError("Webhook delivery", id);
  return row;
}

/** An endpoint's deliveries, newest first, optionally in one status. */
export async function listWebhookDeliveries(
  db: Kysely<Database>,
  endpointId: string,
  options: { status?: string; cursor?: string; limit: number },
): Promise<Page<WebhookDeliveryRow>> {
  let query = db.selectFrom("webhook_deliveries").selectAll().where("endpoint_id", "=", endpointId);
  if (options.status) query = query.where("status", "=", options.status);
  return pageNewestFirst(query, { at: "created_at", id: "id" }, options, (row) => [row.created_at, row.id]);
}

/** Every attempt of a delivery, first first. */
export async function listWebhookAttempts(
  db: Kysely<Database>,
  deliveryId: string,
): Promise<WebhookAttemptRow[]> {
  return db
    .selectFrom("webhook_attempts")
    .selectAll()
    .where("delivery_id", "=", deliveryId)
    .orderBy("attempt")
    .orderBy("started_at")
    .execute();
}

/** Marks a run announced; false when it already was (another process announced it). */
export async function markRunAnnounced(db: Kysely<Database>, runId: string): Promise<boolean> {
  const result = await db
    .insertInto("webhook_announced_runs")
    .values({ run_id: runId, announced_at: nowIso() })
    .onConflict((oc) => oc.column("run_id").doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

/** Ids of runs finished (succeeded or failed) since `since` and not announced yet, oldest first. */
export async function listUnannouncedRuns(
  db: Kysely<Database>,
  since: string,
  limit: number,
): Promise<string[]> {
  const rows = await db
    .selectFrom("runs")
    .select("runs.id")
    .where("runs.finished_at", ">=", since)
    .where("runs.status", "in", ["succeeded", "failed"])
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom("webhook_announced_runs as a")
            .select("a.run_id")
            .whereRef("a.run_id", "=", "runs.id"),
        ),
      ),
    )
    .orderBy("runs.finished_at")
    .limit(limit)
    .execute();
  return rows.map((row) => row.id);
}

/** A record a run changed: its key, and whether it was new, changed or deleted. */
export interface ChangedRecord {
  pk: string;
  change: "added" | "updated" | "deleted";
}

/**
 * The records of a connection's stream that changed in the records cache between `from` and `to`
 * (inclusive), in change order: added when first seen since `from`, deleted when deleted since, else updated.
 */
export async function listChangedRecords(
  db: Kysely<Database>,
  connectionId: string,
  stream: string,
  window: { from: string; to: string },
): Promise<ChangedRecord[]> {
  const rows = await db
    .selectFrom("records")
    .select(["pk", "deleted", "deleted_at", "first_seen_at"])
    .where("connection_id", "=", connectionId)
    .where("stream", "=", stream)
    .where("updated_at", ">=", window.from)
    .where("updated_at", "<=", window.to)
    .orderBy("updated_at")
    .orderBy("pk")
    .execute();
  return rows.map((row) => ({
    pk: row.pk,
    change:
      row.deleted === 1 && row.deleted_at !== null && row.deleted_at >= window.from
        ? "deleted"
        : row.first_seen_at >= window.from
          ? "added"
          : "updated",
  }));
}

/** The streams of a connection whose records changed since `from`. */
export async function streamsChangedSince(
  db: Kysely<Database>,
  connectionId: string,
  from: string,
): Promise<string[]> {
  const rows = await db
    .selectFrom("record_streams")
    .select("stream")
    .where("connection_id", "=", connectionId)
    .where("changed_at", ">=", from)
    .orderBy("stream")
    .execute();
  return rows.map((row) => row.stream);
}

/** A delivery reached the endpoint: it is healthy again. */
export async function noteEndpointSuccess(db: Kysely<Database>, endpointId: string): Promise<void> {
  await db
    .updateTable("webhook_endpoints")
    .set({ failing_since: null, exhausted_in_a_row: 0 })
    .where("id", "=", endpointId)
    .where((eb) => eb.or([eb("failing_since", "is not", null), eb("exhausted_in_a_row", "!=", 0)]))
    .execute();
}

/**
 * An attempt failed (and, with `exhausted`, it was the delivery's last): the endpoint is failing since
 * `at` unless it already was, and one more delivery in a row failed for good. Returns the endpoint after.
 */
export async function noteEndpointFailure(
  db: Kysely<Database>,
  endpointId: string,
  failure: { at: string; exhausted: boolean },
): Promise<WebhookEndpointRow | undefined> {
  await db
    .updateTable("webhook_endpoints")
    .set((eb) => ({
      failing_since: eb.fn.coalesce("failing_since", eb.val(failure.at)),
      ...(failure.exhausted ? { exhausted_in_a_row: eb("exhausted_in_a_row", "+", 1) } : {}),
    }))
    .where("id", "=", endpointId)
    .execute();
  return getWebhookEndpoint(db, endpointId);
}

/** Disables an enabled endpoint with a reason; false when it was not enabled (nothing changed). */
export async function disableWebhookEndpoint(
  db: Kysely<Database>,
  endpointId: string,
  reason: string,
  at: string,
): Promise<boolean> {
  const result = await db
    .updateTable("webhook_endpoints")
    .set({ enabled: 0, disabled_reason: reason, disabled_at: at, updated_at: at })
    .where("id", "=", endpointId)
    .where("enabled", "=", 1)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
