import { type Kysely, sql } from "kysely";
import { describe, expect, it } from "vitest";
import {
  itOnSqliteAndPostgres,
  postgresAvailable,
  postgresStoreForTests,
} from "../../../test/helpers/postgres.ts";
import { addTestConnection } from "../../../test/helpers/temp-store.ts";
import type { Database } from "../schema.ts";
import { type RecordWrite, readRecordVersions, readStreamChangedAt, writeRecords } from "./records.ts";

/** Keys and payloads that an array literal or a parameter list could get wrong. */
const awkward = ['a"b', "back\\slash", "{braces}", "comma,here", "NULL", "", " spaced ", "é 中 🙂"];

const write = (pk: string, hash: string, deleted = false): RecordWrite => ({
  pk,
  hash,
  payload: JSON.stringify({ id: pk, hash }),
  deleted,
});

async function rowsOf(db: Kysely<Database>, connectionId: string) {
  const rows = await db
    .selectFrom("records")
    .selectAll()
    .where("connection_id", "=", connectionId)
    .orderBy("pk")
    .execute();
  return rows.map((row) => ({ ...row, deleted: Number(row.deleted) }));
}

describe("records cache writes and reads", () => {
  itOnSqliteAndPostgres(async (store) => {
    const { db } = store;
    const connectionId = await addTestConnection(db, "records-test");
    const t1 = "2026-01-01T00:00:00.000Z";
    const t2 = "2026-01-02T00:00:00.000Z";
    const t3 = "2026-01-03T00:00:00.000Z";

    // Added: every column set, awkward keys and payloads kept exactly.
    await writeRecords(db, connectionId, "items", {
      upserts: [...awkward.map((pk) => write(pk, `h-${pk}`)), write("gone", "h-gone", true)],
      seen: [],
      at: t1,
    });
    const versions = await readRecordVersions(db, connectionId, "items", [...awkward, "gone", "absent"]);
    expect(versions.size).toBe(awkward.length + 1);
    for (const pk of awkward)
      expect(versions.get(pk)).toEqual({ hash: `h-${pk}`, deleted: false, updatedAt: t1 });
    expect(versions.get("gone")).toEqual({ hash: "h-gone", deleted: true, updatedAt: t1 });
    expect(versions.has("absent")).toBe(false);
    const first = await rowsOf(db, connectionId);
    expect(first.find((row) => row.pk === 'a"b')).toMatchObject({
      payload: JSON.stringify({ id: 'a"b', hash: 'h-a"b' }),
      first_seen_at: t1,
      last_seen_at: t1,
      updated_at: t1,
      deleted_at: null,
    });
    expect(first.find((row) => row.pk === "gone")).toMatchObject({ deleted: 1, deleted_at: t1 });

    // Seen only: last-seen moves, nothing else does, and the stream's change time stays.
    await writeRecords(db, connectionId, "items", { upserts: [], seen: [...awkward, "absent"], at: t2 });
    const seen = await rowsOf(db, connectionId);
    expect(seen).toHaveLength(awkward.length + 1);
    for (const row of seen) {
      const before = first.find((old) => old.pk === row.pk)!;
      expect(row).toEqual({ ...before, last_seen_at: row.pk === "gone" ? t1 : t2 });
    }
    expect(await readStreamChangedAt(db, connectionId, "items")).toBe(t1);

    // Updated, deleted and revived in one batch with seen ones; first-seen stays.
    await writeRecords(db, connectionId, "items", {
      upserts: [write('a"b', "h2"), write("NULL", "h-NULL", true), write("gone", "h-gone")],
      seen: ["{braces}"],
      at: t3,
    });
    const last = await rowsOf(db, connectionId);
    expect(last.find((row) => row.pk === 'a"b')).toMatchObject({
      hash: "h2",
      first_seen_at: t1,
      last_seen_at: t3,
      updated_at: t3,
    });
    expect(last.find((row) => row.pk === "NULL")).toMatchObject({
      deleted: 1,
      deleted_at: t3,
      updated_at: t3,
    });
    expect(last.find((row) => row.pk === "gone")).toMatchObject({
      deleted: 0,
      deleted_at: null,
      updated_at: t3,
    });
    expect(last.find((row) => row.pk === "{braces}")).toMatchObject({ last_seen_at: t3, updated_at: t1 });
    expect(last.find((row) => row.pk === "comma,here")).toMatchObject({ last_seen_at: t2, updated_at: t1 });
    expect(await readStreamChangedAt(db, connectionId, "items")).toBe(t3);

    // Another stream with the same keys is another set of records.
    expect((await readRecordVersions(db, connectionId, "other", awkward)).size).toBe(0);
    expect(await readRecordVersions(db, connectionId, "items", [])).toEqual(new Map());
  });
});

const available = await postgresAvailable();

describe.skipIf(!available)("records cache on Postgres without table statistics", () => {
  const pg = postgresStoreForTests();

  /** Buffer reads (hits included) of `records`' table and indexes in the current transaction so far. */
  const blocks = async (trx: Kysely<Database>) => {
    const { rows } = await sql<{ n: string }>`
      SELECT sum(pg_stat_get_xact_blocks_fetched(oid)) AS n FROM pg_class
      WHERE oid = 'records'::regclass OR oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = 'records'::regclass)`.execute(
      trx,
    );
    return Number(rows[0]!.n);
  };

  it("looks keys up by the primary key, not by scanning the stream, after a first big write (no O(n²) sync)", async () => {
    const { db } = pg.store;
    // No autovacuum: statistics come only from the cache itself, as on a server with autovacuum off or behind.
    await sql`ALTER TABLE records SET (autovacuum_enabled = false)`.execute(db);
    const connectionId = await addTestConnection(db, "no-stats");
    const all = Array.from({ length: 40_000 }, (_, i) => write(`k${i}`, `h${i}`));
    await writeRecords(db, connectionId, "items", { upserts: all, seen: [], at: "2026-01-01T00:00:00.000Z" });
    const keys = all.slice(1_000, 1_010).map((record) => record.pk);
    // The first lookup after the sync's first batch, as RecordsCache.write makes it (outside a transaction).
    expect((await readRecordVersions(db, connectionId, "items", ["k0"])).size).toBe(1);

    await db.transaction().execute(async (trx) => {
      const start = await blocks(trx);
      expect((await readRecordVersions(trx, connectionId, "items", keys)).size).toBe(10);
      const afterRead = await blocks(trx);
      await writeRecords(trx, connectionId, "items", {
        upserts: [],
        seen: keys,
        at: "2026-01-02T00:00:00.000Z",
      });
      const afterSeen = await blocks(trx);
      // A probe per key is a few index pages and a heap page (a write adds the new version and its entries
      // in the three indexes: ~20); a scan of the stream reads the pages of all its 40,000 records.
      expect(afterRead - start).toBeLessThanOrEqual(8 * keys.length);
      expect(afterSeen - afterRead).toBeLessThanOrEqual(30 * keys.length);
    });
    // The statistics came from the cache's own ANALYZE, of the columns its queries use and not the payloads.
    const analyzed = await sql<{ attname: string }>`
      SELECT attname FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'records' ORDER BY attname`.execute(
      db,
    );
    expect(analyzed.rows.map((row) => row.attname)).toEqual([
      "connection_id",
      "deleted",
      "last_seen_at",
      "pk",
      "stream",
      "updated_at",
    ]);
  });
});
