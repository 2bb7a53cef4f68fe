/**
 * The `records.changed` event, whoever changed the records: a run (run-events.ts) or an inbound webhook
 * applied to the cache (src/app/webhooks-inbound/apply.ts). One shape for both: the connection, the stream
 * (`model`), the Common Models read from it (`unified_models`), what changed it (`run_id` or
 * `inbound_event_id`), and the primary keys added, updated and deleted.
 */
import type { Kysely } from "kysely";
import { unifiedMappers } from "../../providers/unified-mappers.ts";
import { appendEvent, type ConnectionRow, type Database } from "../../store/index.ts";

/** Most ids of one change kind in one `records.changed` event; more make more events. */
export const RECORDS_CHANGED_CHUNK = 1_000;

export interface ChangedIds {
  added: string[];
  updated: string[];
  deleted: string[];
}

/** What made the change: a run, or a provider's webhook event (its `inbound_webhook_events` id). */
export type ChangeSource = { run_id: string } | { inbound_event_id: string };

/**
 * Appends the `records.changed` event(s) of one stream of a connection (nothing when no id changed): one
 * event, or `parts` events when a kind has more than RECORDS_CHANGED_CHUNK ids. Within `db`'s transaction
 * when it is one, so the event commits with the change it announces.
 */
export async function appendRecordsChanged(
  db: Kysely<Database>,
  connection: Pick<ConnectionRow, "id" | "environment_id" | "provider">,
  stream: string,
  ids: ChangedIds,
  source: ChangeSource,
): Promise<void> {
  const lists = Object.values(ids);
  if (lists.every((list) => list.length === 0)) return;
  const chunks = Math.max(...lists.map((list) => Math.ceil(list.length / RECORDS_CHANGED_CHUNK)));
  const models = unifiedModelsOf(connection.provider, stream);
  for (let chunk = 0; chunk < chunks; chunk++) {
    const slice = (list: string[]) =>
      list.slice(chunk * RECORDS_CHANGED_CHUNK, (chunk + 1) * RECORDS_CHANGED_CHUNK);
    await appendEvent(db, {
      environmentId: connection.environment_id,
      type: "records.changed",
      connectionId: connection.id,
      data: {
        connection_id: connection.id,
        provider: connection.provider,
        model: stream,
        unified_models: models,
        ...source,
        added: slice(ids.added),
        updated: slice(ids.updated),
        deleted: slice(ids.deleted),
        ...(chunks > 1 ? { part: chunk + 1, parts: chunks } : {}),
      },
    });
  }
}

/** The Common Models read from a provider's stream (`Contact` from HubSpot's `contacts`), if any. */
export function unifiedModelsOf(provider: string, stream: string): string[] {
  return unifiedMappers.ofStream(provider, stream).map((mapper) => mapper.model);
}
