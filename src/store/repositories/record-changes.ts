import { type Kysely, sql } from "kysely";
import type { Database } from "../schema.ts";

/** A cached record as the change feed shows it: its payload, when it was first seen and last changed. */
export interface RecordChange {
  pk: string;
  payload: string;
  deleted: boolean;
  firstSeenAt: string;
  /** When its content or deleted flag last changed in the cache: the feed's order. */
  updatedAt: string;
  deletedAt: string | null;
}

/**
 * A stream's records in the order they last changed (`updated_at`, then primary key), strictly after `after`
 * (the `[updated_at, pk]` of the last record a reader saw) and, with `modifiedAfter`, changed after that time;
 * deleted records included. A batch's records share one change time and a later batch's is always later
 * (src/destinations/records-cache.ts), so a reader that keeps the last position never misses a change.
 * Served by the `records_by_change` index.
 */
export async function listRecordChanges(
  db: Kysely<Database>,
  connectionId: string,
  stream: string,
  options: { after?: readonly [string, string]; modifiedAfter?: string; limit: number },
): Promise<RecordChange[]> {
  let query = db
    .selectFrom("records")
    .select(["pk", "payload", "deleted", "first_seen_at", "updated_at", "deleted_at"])
    .where("connection_id", "=", connectionId)
    .where("stream", "=", stream);
  if (options.modifiedAfter !== undefined) query = query.where("updated_at", ">", options.modifiedAfter);
  if (options.after) {
    const [at, pk] = options.after;
    query = query.where(sql<boolean>`(updated_at > ${at} or (updated_at = ${at} and pk > ${pk}))`);
  }
  const rows = await query.orderBy("updated_at").orderBy("pk").limit(options.limit).execute();
  return rows.map((row) => ({
    pk: row.pk,
    payload: row.payload,
    deleted: row.deleted === 1,
    firstSeenAt: row.first_seen_at,
    updatedAt: row.updated_at,
    deletedAt: row.deleted_at,
  }));
}
