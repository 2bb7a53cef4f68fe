import type { Kysely } from "kysely";
import type { Database } from "../schema.ts";
import { inTransaction } from "../transaction.ts";
import { batchQuery, chunks } from "./batch-query.ts";
import { isPostgres, readVersionRowsPostgres, writeRecordsPostgres } from "./records-postgres.ts";

export interface CachedRecordVersion {
  hash: string;
  deleted: boolean;
  /** When its content or deleted flag last changed in the cache. */
  updatedAt: string;
}

export interface RecordWrite {
  pk: string;
  hash: string;
  payload: string;
  deleted: boolean;
}

/** A row of the cache's version lookup, as the database returns it. */
export interface CachedVersionRow {
  pk: string;
  hash: string;
  deleted: number;
  updated_at: string;
}

/** Reads what the cache holds for these primary keys (absent keys are new records). */
export async function readRecordVersions(
  db: Kysely<Database>,
  connectionId: string,
  stream: string,
  pks: readonly string[],
): Promise<Map<string, CachedRecordVersion>> {
  const rows = isPostgres(db)
    ? await readVersionRowsPostgres(db, connectionId, stream, pks)
    : await readVersionRowsInChunks(db, connectionId, stream, pks);
  return new Map(
    rows.map((row) => [row.pk, { hash: row.hash, deleted: row.deleted === 1, updatedAt: row.updated_at }]),
  );
}

/** The version lookup as `IN` lists of at most 512 keys (SQLite). */
async function readVersionRowsInChunks(
  db: Kysely<Database>,
  connectionId: string,
  stream: string,
  pks: readonly string[],
): Promise<CachedVersionRow[]> {
  const found: CachedVersionRow[] = [];
  for (const part of chunks(pks)) {
    const query = batchQuery(
      db,
      `versions:${part.length}`,
      () =>
        db
          .selectFrom("records")
          .select(["pk", "hash", "deleted", "updated_at"])
          .where("connection_id", "=", connectionId)
          .where("stream", "=", stream)
          .where("pk", "in", part),
      [connectionId, stream, ...part],
    );
    found.push(...(await db.executeQuery<CachedVersionRow>(query)).rows);
  }
  return found;
}

/**
 * In one transaction: upserts changed records and marks unchanged ones as seen at `at`.
 * Unchanged records keep their payload; only `last_seen_at` moves (deletion-by-diff needs it).
 * When anything changed, the stream's `record_streams.changed_at` becomes `at`.
 */
export async function writeRecords(
  db: Kysely<Database>,
  connectionId: string,
  stream: string,
  changes: { upserts: readonly RecordWrite[]; seen: readonly string[]; at: string },
): Promise<void> {
  const { upserts, at } = changes;
  // Within the caller's transaction when it has one (a webhook's apply commits its event with the records).
  await inTransaction(db, async (trx) => {
    if (isPostgres(trx)) await writeRecordsPostgres(trx, connectionId, stream, changes);
    else await writeRecordsInChunks(trx, connectionId, stream, changes);
    if (upserts.length > 0) {
      await trx
        .insertInto("record_streams")
        .values({ connection_id: connectionId, stream, changed_at: at })
        .onConflict((oc) => oc.columns(["connection_id", "stream"]).doUpdateSet({ changed_at: at }))
        .execute();
    }
  });
}

/** writeRecords' upserts and last-seen moves as multi-row statements of at most 512 rows (SQLite). */
async function writeRecordsInChunks(
  trx: Kysely<Database>,
  connectionId: string,
  stream: string,
  changes: { upserts: readonly RecordWrite[]; seen: readonly string[]; at: string },
): Promise<void> {
  const { upserts, seen, at } = changes;
  for (const part of chunks(upserts)) {
    const row = (record: RecordWrite) => ({
      connection_id: connectionId,
      stream,
      pk: record.pk,
      hash: record.hash,
      payload: record.payload,
      deleted: record.deleted ? 1 : 0,
      first_seen_at: at,
      last_seen_at: at,
      updated_at: at,
      deleted_at: record.deleted ? at : null,
    });
    // Row by row, in the column order of `row` (the order `values` compiles them in), without building
    // the row objects: the statement is built from them only once per size.
    const parameters: unknown[] = [];
    for (const record of part) {
      const deleted = record.deleted ? 1 : 0;
      const deletedAt = record.deleted ? at : null;
      parameters.push(
        connectionId,
        stream,
        record.pk,
        record.hash,
        record.payload,
        deleted,
        at,
        at,
        at,
        deletedAt,
      );
    }
    const query = batchQuery(
      trx,
      `upsert:${part.length}`,
      () =>
        trx
          .insertInto("records")
          .values(part.map(row))
          .onConflict((oc) =>
            oc.columns(["connection_id", "stream", "pk"]).doUpdateSet((eb) => ({
              hash: eb.ref("excluded.hash"),
              payload: eb.ref("excluded.payload"),
              deleted: eb.ref("excluded.deleted"),
              last_seen_at: eb.ref("excluded.last_seen_at"),
              updated_at: eb.ref("excluded.updated_at"),
              deleted_at: eb.ref("excluded.deleted_at"),
            })),
          ),
      parameters,
    );
    await trx.executeQuery(query);
  }
  for (const part of chunks(seen)) {
    const query = batchQuery(
      trx,
      `seen:${part.length}`,
      () =>
        trx
          .updateTable("records")
          .set({ last_seen_at: at })
          .where("connection_id", "=", connectionId)
          .where("stream", "=", stream)
          .where("pk", "in", part),
      [at, connectionId, stream, ...part],
    );
    await trx.executeQuery(query);
  }
}

/** Live records of a stream last seen before `seenBefore`: what a full refresh did not see. */
export async function findUnseenRecords(
  db: Kysely<Database>,
  connectionId: string,
  stream: string,
  seenBefore: string,
  limit: number,
): Promise<{ pk: string; hash: string; payload: string }[]> {
  return db
    .selectFrom("records")
    .select(["pk", "hash", "payload"])
    .where("connection_id", "=", connectionId)
    .where("stream", "=", stream)
    .where("deleted", "=", 0)
    .where("last_seen_at", "<", seenBefore)
    .orderBy("pk")
    .limit(limit)
    .execute();
}

/** When a stream's records last changed in the cache; null when it holds none. */
export async function readStreamChangedAt(
  db: Kysely<Database>,
  connectionId: string,
  stream: string,
): Promise<string | null> {
  const row = await db
    .selectFrom("record_streams")
    .select("changed_at")
    .where("connection_id", "=", connectionId)
    .where("stream", "=", stream)
    .executeTakeFirst();
  return row?.changed_at ?? null;
}

/**
 * A page of a stream's records, deleted ones included, that changed after `changedAfter` (all when null),
 * in primary-key order after `afterPk`: what a destination that synced through `changedAfter` lacks.
 */
export function listRecordsChangedAfter(
  db: Kysely<Database>,
  connectionId: string,
  stream: string,
  options: { changedAfter: string | null; afterPk?: string; limit: number },
): Promise<CachedRecord[]> {
  const { changedAfter, ...page } = options;
  return listRecords(db, connectionId, stream, {
    ...page,
    includeDeleted: true,
    ...(changedAfter !== null ? { changedAfter } : {}),
  });
}

/** Counts a stream's records in the cache, live ones and deleted ones. */
export async function countRecords(
  db: Kysely<Database>,
  connectionId: string,
  stream: string,
): Promise<{ live: number; deleted: number }> {
  const rows = await db
    .selectFrom("records")
    .select(["deleted", (eb) => eb.fn.countAll<number>().as("n")])
    .where("connection_id", "=", connectionId)
    .where("stream", "=", stream)
    .groupBy("deleted")
    .execute();
  const byFlag = new Map(rows.map((row) => [Number(row.deleted), Number(row.n)]));
  return { live: byFlag.get(0) ?? 0, deleted: byFlag.get(1) ?? 0 };
}

/** A record as the cache holds it. */
export interface CachedRecord {
  pk: string;
  hash: string;
  payload: string;
  deleted: boolean;
}

/**
 * Pages through a stream's records in primary-key order after `afterPk` (1000 a page unless `limit` says
 * otherwise): live ones, deleted ones too with `includeDeleted`, only those changed after `changedAfter`.
 */
export async function listRecords(
  db: Kysely<Database>,
  connectionId: string,
  stream: string,
  options: { afterPk?: string; limit?: number; includeDeleted?: boolean; changedAfter?: string } = {},
): Promise<CachedRecord[]> {
  let query = db
    .selectFrom("records")
    .select(["pk", "hash", "payload", "deleted"])
    .where("connection_id", "=", connectionId)
    .where("stream", "=", stream);
  if (!options.includeDeleted) query = query.where("deleted", "=", 0);
  if (options.changedAfter !== undefined) query = query.where("updated_at", ">", options.changedAfter);
  if (options.afterPk !== undefined) query = query.where("pk", ">", options.afterPk);
  const rows = await query
    .orderBy("pk")
    .limit(options.limit ?? 1000)
    .execute();
  return rows.map((row) => ({ ...row, deleted: row.deleted === 1 }));
}
