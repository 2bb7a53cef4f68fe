/**
 * Connections as linked accounts of the unified API: their account token (stored as its sha256 only), and
 * the filtered, id-ordered pages Merge's `linked-accounts` endpoint lists.
 */
import type { Kysely } from "kysely";
import type { Database } from "../schema.ts";
import type { ConnectionRow } from "./connections.ts";

/** Replaces the connection's account token hash: the previous token stops working at once. */
export async function setAccountTokenHash(
  db: Kysely<Database>,
  connectionId: string,
  hash: string,
): Promise<void> {
  await db
    .updateTable("connections")
    .set({ account_token_hash: hash })
    .where("id", "=", connectionId)
    .execute();
}

/** The connection of an environment whose account token has this hash, if any. */
export async function findConnectionByAccountTokenHash(
  db: Kysely<Database>,
  environmentId: string,
  hash: string,
): Promise<ConnectionRow | undefined> {
  return db
    .selectFrom("connections")
    .selectAll()
    .where("account_token_hash", "=", hash)
    .where("environment_id", "=", environmentId)
    .executeTakeFirst();
}

export interface LinkedAccountFilters {
  providers: readonly string[];
  ids?: readonly string[];
  endUserIds?: readonly string[];
  endUserEmail?: string;
  endUserOrganization?: string;
  statuses?: readonly string[];
}

/** Up to `limit + 1` connections of the environment matching the filters, in id order after `afterId`. */
export async function listLinkedConnections(
  db: Kysely<Database>,
  environmentId: string,
  filters: LinkedAccountFilters,
  page: { limit: number; cursor?: { direction: "next" | "previous"; id: string } },
): Promise<ConnectionRow[]> {
  if (filters.providers.length === 0) return [];
  let query = db
    .selectFrom("connections")
    .selectAll()
    .where("environment_id", "=", environmentId)
    .where("provider", "in", filters.providers);
  if (filters.ids) query = query.where("id", "in", filters.ids.length > 0 ? filters.ids : [""]);
  if (filters.endUserIds) {
    query = query.where("end_user_id", "in", filters.endUserIds.length > 0 ? filters.endUserIds : [""]);
  }
  if (filters.endUserEmail !== undefined) query = query.where("end_user_email", "=", filters.endUserEmail);
  if (filters.endUserOrganization !== undefined) {
    query = query.where("end_user_organization", "=", filters.endUserOrganization);
  }
  if (filters.statuses)
    query = query.where("status", "in", filters.statuses.length > 0 ? filters.statuses : [""]);
  // Up to `limit + 1` rows after (or, going back, before) the cursor's row, always in id order.
  const backward = page.cursor?.direction === "previous";
  if (page.cursor !== undefined) query = query.where("id", backward ? "<" : ">", page.cursor.id);
  const rows = await query
    .orderBy("id", backward ? "desc" : "asc")
    .limit(page.limit + 1)
    .execute();
  return backward ? rows.reverse() : rows;
}

export interface StreamSyncState {
  stream: string;
  lastStartedAt: string | null;
  lastFinishedAt: string | null;
  lastResult: string | null;
  syncEnabled: boolean;
  nextRunAt: string | null;
}

/** What happened to each synced stream of a connection, with its sync's schedule. */
export async function readStreamSyncStates(
  db: Kysely<Database>,
  connectionId: string,
): Promise<Map<string, StreamSyncState>> {
  const rows = await db
    .selectFrom("sync_streams")
    .innerJoin("syncs", "syncs.id", "sync_streams.sync_id")
    .select([
      "sync_streams.stream",
      "sync_streams.last_started_at",
      "sync_streams.last_finished_at",
      "sync_streams.last_result",
      "syncs.enabled",
      "syncs.next_run_at",
    ])
    .where("sync_streams.connection_id", "=", connectionId)
    .execute();
  return new Map(
    rows.map((row) => [
      row.stream,
      {
        stream: row.stream,
        lastStartedAt: row.last_started_at,
        lastFinishedAt: row.last_finished_at,
        lastResult: row.last_result,
        syncEnabled: Number(row.enabled) === 1,
        nextRunAt: row.next_run_at,
      },
    ]),
  );
}
