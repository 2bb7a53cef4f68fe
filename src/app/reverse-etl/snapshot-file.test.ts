/**
 * A warehouse model's snapshot: the sync's file overlaid with its store entries (written rows, removal marks),
 * as the diff loads it, and folding the entries into the file, on both stores.
 */
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect } from "vitest";
import { itOnSqliteAndPostgres } from "../../../test/helpers/postgres.ts";
import { SNAPSHOT_TABLE } from "../../flows/reverse-etl/model-sql.ts";
import {
  advanceSnapshot,
  markRemovedFromSnapshot,
  type RetlDb,
  readSnapshotEntries,
  retlDb,
} from "../../flows/reverse-etl/store.ts";
import { foldSnapshot, loadSnapshot, snapshotFilePath } from "./snapshot-file.ts";

/** The snapshot as a diff sees it: loaded into a fresh in-memory DuckDB. */
async function loaded(db: RetlDb, syncId: string, path: string): Promise<Record<string, string>> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    await loadSnapshot(connection, db, syncId, path);
    const rows = (await connection.runAndReadAll(`SELECT pk, hash FROM ${SNAPSHOT_TABLE}`)).getRows();
    return Object.fromEntries(rows.map(([pk, hash]) => [String(pk), String(hash)]));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe("a model sync's snapshot file", () => {
  itOnSqliteAndPostgres(async (store) => {
    const db = retlDb(store.db);
    const dir = await mkdtemp(join(tmpdir(), "retl-snapshot-file-"));
    try {
      const path = snapshotFilePath(join(dir, "warehouse.duckdb"), "retl_1");
      expect(path).toBe(join(dir, "retl-snapshots", "retl_1.duckdb"));

      // No file yet (a new sync, or one whose snapshot is still all in the store): the entries alone.
      for (const key of ["a", "b", "c"]) await advanceSnapshot(db, "retl_1", key, `h-${key}`);
      await markRemovedFromSnapshot(db, "retl_1", "gone");
      await advanceSnapshot(db, "retl_2", "a", "another sync");
      expect(await loaded(db, "retl_1", path)).toEqual({ a: "h-a", b: "h-b", c: "h-c" });

      await foldSnapshot(db, "retl_1", path);
      expect(await readSnapshotEntries(db, "retl_1", undefined, 10)).toEqual([]);
      expect(await readSnapshotEntries(db, "retl_2", undefined, 10)).toHaveLength(1);
      expect(await loaded(db, "retl_1", path)).toEqual({ a: "h-a", b: "h-b", c: "h-c" });

      // New writes and a removal sit on top of the file until the next fold.
      await advanceSnapshot(db, "retl_1", "a", "h-a2");
      await markRemovedFromSnapshot(db, "retl_1", "b");
      await advanceSnapshot(db, "retl_1", "d", "h-d");
      const expected = { a: "h-a2", c: "h-c", d: "h-d" };
      expect(await loaded(db, "retl_1", path)).toEqual(expected);
      const entries = await readSnapshotEntries(db, "retl_1", undefined, 10);
      // A fold that died before its rename left its new file: the next fold removes it.
      await writeFile(`${path}.123.dead.tmp`, "partial");
      await writeFile(join(dir, "retl-snapshots", "retl_10.duckdb.123.other-sync.tmp"), "partial");
      await foldSnapshot(db, "retl_1", path);
      expect(await loaded(db, "retl_1", path)).toEqual(expected);
      // The file is replaced whole: no temporary file of its own is left beside it.
      expect((await readdir(join(dir, "retl-snapshots"))).sort()).toEqual([
        "retl_1.duckdb",
        "retl_10.duckdb.123.other-sync.tmp",
      ]);

      // A fold that stopped after its rename, before clearing the entries: they apply again, changing nothing.
      for (const entry of entries) {
        if (entry.hash === null) await markRemovedFromSnapshot(db, "retl_1", entry.pk);
        else await advanceSnapshot(db, "retl_1", entry.pk, entry.hash);
      }
      expect(await loaded(db, "retl_1", path)).toEqual(expected);
      await foldSnapshot(db, "retl_1", path);
      expect(await loaded(db, "retl_1", path)).toEqual(expected);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
