import type { Kysely, Selectable } from "kysely";
import { type Page, pageNewestFirst } from "../cursor.ts";
import { newId, nowIso } from "../ids.ts";
import type { Database, EventsTable } from "../schema.ts";
import { inTransaction } from "../transaction.ts";
import { enqueueWebhookDeliveries } from "./webhooks.ts";

export type EventRow = Selectable<EventsTable>;

export interface NewEvent {
  environmentId: string;
  /** `<resource>.<what happened>`, e.g. `connection.created`. */
  type: string;
  connectionId?: string;
  /** Must never hold secrets: it is shown to API callers as it is. */
  data: Record<string, unknown>;
}

/**
 * Appends an event to its environment's log and returns it, with its outbound webhook deliveries in the
 * same transaction (the log is the outbox; see repositories/webhooks.ts).
 */
export async function appendEvent(db: Kysely<Database>, event: NewEvent): Promise<EventRow> {
  const row: EventRow = {
    id: newId("evt"),
    environment_id: event.environmentId,
    type: event.type,
    connection_id: event.connectionId ?? null,
    data: JSON.stringify(event.data),
    created_at: nowIso(),
  };
  await inTransaction(db, async (trx) => {
    await trx.insertInto("events").values(row).execute();
    await enqueueWebhookDeliveries(trx, row);
  });
  return row;
}

/** Pages through an environment's events, newest first, optionally of one type or one connection. */
export async function listEvents(
  db: Kysely<Database>,
  environmentId: string,
  options: { type?: string; connectionId?: string; cursor?: string; limit: number },
): Promise<Page<EventRow>> {
  let query = db.selectFrom("events").selectAll().where("environment_id", "=", environmentId);
  if (options.type) query = query.where("type", "=", options.type);
  if (options.connectionId) query = query.where("connection_id", "=", options.connectionId);
  return pageNewestFirst(query, { at: "created_at", id: "id" }, options, (row) => [row.created_at, row.id]);
}
