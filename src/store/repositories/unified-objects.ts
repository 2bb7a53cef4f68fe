/**
 * `unified_objects`, the Common Model objects mapped from the records cache, and `unified_marks`, how far
 * each stream's objects have caught up with the cache. Lists page by id (keyset) over indexed columns of one
 * connection's model, so no page reads more rows than it returns, whatever the cache's size.
 */
import { type Insertable, type Kysely, type Selectable, sql } from "kysely";
import type { Database, UnifiedObjectsTable } from "../schema.ts";

export type UnifiedObjectRow = Selectable<UnifiedObjectsTable>;
export type NewUnifiedObject = Insertable<UnifiedObjectsTable>;

/** Rows per insert statement: 16 columns x 200 rows stays under SQLite's and Postgres' parameter limits. */
const ROWS_PER_STATEMENT = 200;

export interface CachedRecordChange {
  pk: string;
  payload: string;
  deleted: boolean;
  firstSeenAt: string;
  updatedAt: string;
}

/**
 * A page of a stream's records that changed after `changedAfter` (all when null), in change order
 * (`updated_at`, then primary key) after `after`: an index range (`records_by_change`), however large the stream.
 */
export async function readRecordChangesForUnified(
  db: Kysely<Database>,
  connectionId: string,
  stream: string,
  options: RecordChangesRequest,
): Promise<CachedRecordChange[]> {
  const rows = await recordChangesQuery(db, connectionId, stream, options).execute();
  return rows.map((row) => ({
    pk: row.pk,
    payload: row.payload,
    deleted: Number(row.deleted) === 1,
    firstSeenAt: row.first_seen_at,
    updatedAt: row.updated_at,
  }));
}

export interface RecordChangesRequest {
  changedAfter: string | null;
  after?: { updatedAt: string; pk: string };
  limit: number;
}

/** The statement `readRecordChangesForUnified` runs, for tests of its plan. */
export function recordChangesQuery(
  db: Kysely<Database>,
  connectionId: string,
  stream: string,
  options: RecordChangesRequest,
) {
  let query = db
    .selectFrom("records")
    .select(["pk", "payload", "deleted", "first_seen_at", "updated_at"])
    .where("connection_id", "=", connectionId)
    .where("stream", "=", stream);
  if (options.changedAfter !== null) query = query.where("updated_at", ">", options.changedAfter);
  const after = options.after;
  if (after !== undefined) {
    query = query.where((eb) =>
      eb.or([
        eb("updated_at", ">", after.updatedAt),
        eb.and([eb("updated_at", "=", after.updatedAt), eb("pk", ">", after.pk)]),
      ]),
    );
  }
  return query.orderBy("updated_at").orderBy("pk").limit(options.limit);
}

/** Raw payloads of some records of a stream, by primary key (for `remote_data`). */
export async function readRecordPayloads(
  db: Kysely<Database>,
  connectionId: string,
  stream: string,
  pks: readonly string[],
): Promise<Map<string, string>> {
  if (pks.length === 0) return new Map();
  const rows = await db
    .selectFrom("records")
    .select(["pk", "payload"])
    .where("connection_id", "=", connectionId)
    .where("stream", "=", stream)
    .where("pk", "in", pks)
    .execute();
  return new Map(rows.map((row) => [row.pk, row.payload]));
}

/** When each stream of the connection last changed in the records cache. */
export async function readRecordStreamChanges(
  db: Kysely<Database>,
  connectionId: string,
): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom("record_streams")
    .select(["stream", "changed_at"])
    .where("connection_id", "=", connectionId)
    .execute();
  return new Map(rows.map((row) => [row.stream, row.changed_at]));
}

export interface UnifiedMark {
  syncedThrough: string;
  mapperVersion: string;
}

export async function readUnifiedMarks(
  db: Kysely<Database>,
  connectionId: string,
): Promise<Map<string, UnifiedMark>> {
  const rows = await db
    .selectFrom("unified_marks")
    .select(["stream", "synced_through", "mapper_version"])
    .where("connection_id", "=", connectionId)
    .execute();
  return new Map(
    rows.map((row) => [row.stream, { syncedThrough: row.synced_through, mapperVersion: row.mapper_version }]),
  );
}

export async function writeUnifiedMark(
  db: Kysely<Database>,
  connectionId: string,
  stream: string,
  mark: UnifiedMark,
): Promise<void> {
  const values = { synced_through: mark.syncedThrough, mapper_version: mark.mapperVersion };
  await db
    .insertInto("unified_marks")
    .values({ connection_id: connectionId, stream, ...values })
    .onConflict((oc) => oc.columns(["connection_id", "stream"]).doUpdateSet(values))
    .execute();
}

/** Removes the objects mapped from a stream (before they are mapped again by a new mapper version). */
export async function deleteUnifiedObjectsOfStream(
  db: Kysely<Database>,
  connectionId: string,
  stream: string,
): Promise<void> {
  await db
    .deleteFrom("unified_objects")
    .where("connection_id", "=", connectionId)
    .where("stream", "=", stream)
    .execute();
}

/**
 * Upserts objects by (connection, model, remote id). Objects read as records take every new value; objects
 * `derived` from other records (a deal's stage) are only inserted, so the first sighting stays their creation.
 */
export async function upsertUnifiedObjects(
  db: Kysely<Database>,
  rows: readonly NewUnifiedObject[],
  options: { derived: boolean },
): Promise<void> {
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const part = rows.slice(start, start + ROWS_PER_STATEMENT);
    await db
      .insertInto("unified_objects")
      .values(part)
      .onConflict((oc) => {
        const target = oc.columns(["connection_id", "model", "remote_id"]);
        if (options.derived) return target.doNothing();
        return target.doUpdateSet((eb) => ({
          modified_at: eb.ref("excluded.modified_at"),
          deleted: eb.ref("excluded.deleted"),
          account_id: eb.ref("excluded.account_id"),
          owner_id: eb.ref("excluded.owner_id"),
          stage_id: eb.ref("excluded.stage_id"),
          status: eb.ref("excluded.status"),
          emails: eb.ref("excluded.emails"),
          phones: eb.ref("excluded.phones"),
          fields: eb.ref("excluded.fields"),
        }));
      })
      .execute();
  }
}

export interface UnifiedObjectFilters {
  remoteId?: string;
  createdAfter?: string;
  createdBefore?: string;
  modifiedAfter?: string;
  modifiedBefore?: string;
  includeDeleted?: boolean;
  accountId?: string;
  ownerId?: string;
  stageId?: string;
  status?: string;
  /** Any of these (lower-cased) email addresses. */
  emails?: readonly string[];
  phones?: readonly string[];
}

/**
 * One page of a connection's objects of a model, matching `filters`, in id order: the `limit` ids after
 * `cursor.id` (forward), or before it (backward, returned in ascending order too). Returns up to `limit + 1`
 * rows so the caller can tell whether more follow.
 */
export async function listUnifiedObjects(
  db: Kysely<Database>,
  connectionId: string,
  model: string,
  filters: UnifiedObjectFilters,
  page: UnifiedPageRequest,
): Promise<UnifiedObjectRow[]> {
  const rows = await listUnifiedObjectsQuery(db, connectionId, model, filters, page).execute();
  return page.cursor?.direction === "previous" ? rows.reverse() : rows;
}

export interface UnifiedPageRequest {
  limit: number;
  cursor?: { direction: "next" | "previous"; id: string };
}

/** The statement `listUnifiedObjects` runs (backward pages in descending order), for tests of its plan. */
export function listUnifiedObjectsQuery(
  db: Kysely<Database>,
  connectionId: string,
  model: string,
  filters: UnifiedObjectFilters,
  page: UnifiedPageRequest,
) {
  let query = db
    .selectFrom("unified_objects")
    .selectAll()
    .where("connection_id", "=", connectionId)
    .where("model", "=", model);
  if (!filters.includeDeleted) query = query.where("deleted", "=", 0);
  if (filters.remoteId !== undefined) query = query.where("remote_id", "=", filters.remoteId);
  if (filters.createdAfter !== undefined) query = query.where("created_at", ">", filters.createdAfter);
  if (filters.createdBefore !== undefined) query = query.where("created_at", "<", filters.createdBefore);
  if (filters.modifiedAfter !== undefined) query = query.where("modified_at", ">", filters.modifiedAfter);
  if (filters.modifiedBefore !== undefined) query = query.where("modified_at", "<", filters.modifiedBefore);
  if (filters.accountId !== undefined) query = query.where("account_id", "=", filters.accountId);
  if (filters.ownerId !== undefined) query = query.where("owner_id", "=", filters.ownerId);
  if (filters.stageId !== undefined) query = query.where("stage_id", "=", filters.stageId);
  if (filters.status !== undefined) query = query.where("status", "=", filters.status);
  for (const [column, values] of [
    ["emails", filters.emails],
    ["phones", filters.phones],
  ] as const) {
    if (values === undefined) continue;
    // Matched as `|value|` inside the column; `\\` escapes LIKE's wildcards, which emails may hold (`_`).
    const matches = values.map(
      (value) => sql<boolean>`${sql.ref(column)} LIKE ${`%|${escapeLike(value)}|%`} ESCAPE '\\'`,
    );
    query = query.where((eb) => eb.or(matches));
  }
  const backward = page.cursor?.direction === "previous";
  if (page.cursor) query = query.where("id", backward ? "<" : ">", page.cursor.id);
  return query.orderBy("id", backward ? "desc" : "asc").limit(page.limit + 1);
}

/** `%`, `_` and `\` matched literally in a LIKE pattern (with `ESCAPE '\'`). */
function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (char) => `\\${char}`);
}

/** Objects of the connection by Switchyard id (any model); absent ids are left out. */
export async function getUnifiedObjects(
  db: Kysely<Database>,
  connectionId: string,
  ids: readonly string[],
): Promise<UnifiedObjectRow[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom("unified_objects")
    .selectAll()
    .where("connection_id", "=", connectionId)
    .where("id", "in", [...new Set(ids)])
    .execute();
}
