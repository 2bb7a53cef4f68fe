/**
 * `unified_objects`, the Common Model objects mapped from the records cache, and `unified_marks`, how far
 * each stream's objects have caught up with the cache. Lists page by id (keyset) over indexed columns of one
 * connection's model, so no page reads more rows than it returns, whatever the cache's size.
 */
import type { Insertable, Kysely, Selectable } from "kysely";
import type { Database, UnifiedObjectsTable } from "../schema.ts";
import { batchQuery, chunks } from "./batch-query.ts";

export type UnifiedObjectRow = Selectable<UnifiedObjectsTable>;
export type NewUnifiedObject = Insertable<UnifiedObjectsTable>;

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

/** Removes the objects mapped from a stream, and their keys (before a new mapper version maps them again). */
export async function deleteUnifiedObjectsOfStream(
  db: Kysely<Database>,
  connectionId: string,
  stream: string,
): Promise<void> {
  await db
    .deleteFrom("unified_object_keys")
    .where("connection_id", "=", connectionId)
    .where("id", "in", (eb) =>
      eb
        .selectFrom("unified_objects")
        .select("id")
        .where("connection_id", "=", connectionId)
        .where("stream", "=", stream),
    )
    .execute();
  await db
    .deleteFrom("unified_objects")
    .where("connection_id", "=", connectionId)
    .where("stream", "=", stream)
    .execute();
}

/**
 * A value an object is found by: matched exactly (`email`, `phone`, an account's `name`, lower-cased), or by a
 * range (`remote_created_at`, an ISO 8601 UTC time, which compares as text).
 */
export interface UnifiedObjectKey {
  id: string;
  kind: "email" | "phone" | "name" | "remote_created_at";
  value: string;
}

/**
 * Upserts objects by (connection, model, remote id). Objects read as records take every new value, unless
 * the stored version is newer (two catch-ups may overlap), and their match keys are replaced by `keys`;
 * objects `derived` from other records (a deal's stage) are only inserted, so the first sighting stays their
 * creation.
 */
export async function upsertUnifiedObjects(
  db: Kysely<Database>,
  rows: readonly NewUnifiedObject[],
  options: { derived: boolean; keys?: readonly UnifiedObjectKey[] },
): Promise<void> {
  const mode = options.derived ? "derived" : "read";
  const writtenIds = new Set<string>();
  for (const part of chunks(rows)) {
    // One literal, so every row lists its values in the same column order (the order `values` compiles).
    const values = part.map((row) => ({
      connection_id: row.connection_id,
      model: row.model,
      remote_id: row.remote_id,
      id: row.id,
      stream: row.stream,
      created_at: row.created_at,
      modified_at: row.modified_at,
      deleted: row.deleted ?? 0,
      account_id: row.account_id ?? null,
      owner_id: row.owner_id ?? null,
      stage_id: row.stage_id ?? null,
      status: row.status ?? null,
      fields: row.fields,
      checked: row.checked ?? 0,
    }));
    const upsert = batchQuery(
      db,
      `unified-upsert:${mode}:${values.length}`,
      () =>
        db
          .insertInto("unified_objects")
          .values(values)
          .onConflict((oc) => {
            const target = oc.columns(["connection_id", "model", "remote_id"]);
            if (options.derived) return target.doNothing();
            return (
              target
                .doUpdateSet((eb) => ({
                  modified_at: eb.ref("excluded.modified_at"),
                  deleted: eb.ref("excluded.deleted"),
                  account_id: eb.ref("excluded.account_id"),
                  owner_id: eb.ref("excluded.owner_id"),
                  stage_id: eb.ref("excluded.stage_id"),
                  status: eb.ref("excluded.status"),
                  fields: eb.ref("excluded.fields"),
                  checked: eb.ref("excluded.checked"),
                }))
                // An older version (from a catch-up that read the cache earlier) never replaces a newer one.
                .where((eb) => eb("unified_objects.modified_at", "<=", eb.ref("excluded.modified_at")))
            );
          })
          .returning("id"),
      values.flatMap((row) => Object.values(row)),
    );
    const written = await db.executeQuery<{ id: string }>(upsert);
    if (options.derived) continue;
    const connectionId = part[0]!.connection_id;
    // Only the objects this statement wrote get their keys replaced.
    const ids = written.rows.map((row) => row.id);
    for (const id of ids) writtenIds.add(id);
    if (ids.length === 0) continue;
    const clearKeys = batchQuery(
      db,
      `unified-keys-clear:${ids.length}`,
      () =>
        db.deleteFrom("unified_object_keys").where("connection_id", "=", connectionId).where("id", "in", ids),
      [connectionId, ...ids],
    );
    await db.executeQuery(clearKeys);
  }
  const byId = new Map(rows.map((row) => [row.id, row]));
  const keyRows = (options.keys ?? []).flatMap((key) => {
    const row = writtenIds.has(key.id) ? byId.get(key.id) : undefined;
    return row
      ? [{ connection_id: row.connection_id, model: row.model, kind: key.kind, value: key.value, id: key.id }]
      : [];
  });
  for (const part of chunks(keyRows)) {
    const insert = batchQuery(
      db,
      `unified-keys-insert:${part.length}`,
      () =>
        db
          .insertInto("unified_object_keys")
          .values(part)
          .onConflict((oc) => oc.doNothing()),
      part.flatMap((row) => Object.values(row)),
    );
    await db.executeQuery(insert);
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
  /** This (lower-cased) name. */
  name?: string;
  /** Created in the provider after this ISO 8601 UTC time. */
  remoteCreatedAfter?: string;
}

/**
 * The order a list is paged in. By id, unless it filters on a time: then by that time (and id), so the filter
 * is a range of an index whose order is the page's, however many objects match.
 */
export type UnifiedSortKey = "id" | "modified_at" | "created_at";

export function sortKeyOf(filters: UnifiedObjectFilters): UnifiedSortKey {
  if (filters.modifiedAfter !== undefined || filters.modifiedBefore !== undefined) return "modified_at";
  if (filters.createdAfter !== undefined || filters.createdBefore !== undefined) return "created_at";
  return "id";
}

export interface UnifiedPageRequest {
  limit: number;
  /** Where the page starts: after (`next`) or before (`previous`) this object, in the filters' sort order. */
  cursor?: { direction: "next" | "previous"; id: string; sortValue?: string };
}

/**
 * One page of a connection's objects of a model, matching `filters`, in `sortKeyOf(filters)` order: the
 * `limit` objects after the cursor (forward), or before it (backward, returned in ascending order too).
 * Returns up to `limit + 1` rows so the caller can tell whether more follow.
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
  const sort = sortKeyOf(filters);
  const backward = page.cursor?.direction === "previous";
  const cursor = page.cursor;
  // A time bound the cursor already implies is left out, so that the cursor is where the index range starts.
  const implied = (column: UnifiedSortKey, side: "after" | "before", bound: string) =>
    column === sort &&
    cursor?.sortValue !== undefined &&
    (side === "after" ? !backward && cursor.sortValue > bound : backward && cursor.sortValue < bound);
  const time = (
    column: "created_at" | "modified_at",
    side: "after" | "before",
    bound: string | undefined,
  ) => {
    if (bound !== undefined && !implied(column, side, bound)) {
      query = query.where(column, side === "after" ? ">" : "<", bound);
    }
  };
  time("created_at", "after", filters.createdAfter);
  time("created_at", "before", filters.createdBefore);
  time("modified_at", "after", filters.modifiedAfter);
  time("modified_at", "before", filters.modifiedBefore);
  if (filters.accountId !== undefined) query = query.where("account_id", "=", filters.accountId);
  if (filters.ownerId !== undefined) query = query.where("owner_id", "=", filters.ownerId);
  if (filters.stageId !== undefined) query = query.where("stage_id", "=", filters.stageId);
  if (filters.status !== undefined) query = query.where("status", "=", filters.status);
  // Objects whose keys of a kind are one of some values, or after a bound.
  const keyed = (kind: UnifiedObjectKey["kind"], match: { in: readonly string[] } | { after: string }) => {
    query = query.where("id", "in", (eb) => {
      const keys = eb
        .selectFrom("unified_object_keys")
        .select("id")
        .where("connection_id", "=", connectionId)
        .where("model", "=", model)
        .where("kind", "=", kind);
      return "in" in match ? keys.where("value", "in", match.in) : keys.where("value", ">", match.after);
    });
  };
  for (const [kind, values] of [
    ["email", filters.emails],
    ["phone", filters.phones],
  ] as const) {
    if (values !== undefined) keyed(kind, { in: values.length > 0 ? values : [""] });
  }
  if (filters.name !== undefined) keyed("name", { in: [filters.name] });
  if (filters.remoteCreatedAfter !== undefined)
    keyed("remote_created_at", { after: filters.remoteCreatedAfter });
  if (cursor) {
    const beyond = backward ? "<" : ">";
    if (sort === "id" || cursor.sortValue === undefined) query = query.where("id", beyond, cursor.id);
    else {
      // One row-value comparison, which the index range starts at; `time > t OR (time = t AND id > i)`
      // would read every row from the filter's bound up to the cursor, so deep pages would cost more.
      const value = cursor.sortValue;
      query = query.where((eb) => eb(eb.refTuple(sort, "id"), beyond, eb.tuple(value, cursor.id)));
    }
  }
  const direction = backward ? "desc" : "asc";
  if (sort !== "id") query = query.orderBy(sort, direction);
  return query.orderBy("id", direction).limit(page.limit + 1);
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
