/**
 * A warehouse model's snapshot (key → hash of what was sent) as a run diffs against it: a DuckDB file per
 * sync beside the warehouse, `retl-snapshots/<sync id>.duckdb`, overlaid with the sync's entries in the store
 * (`retl_snapshots`: rows written or removed since the file was last brought up to date).
 *
 * - The store stays the record of each row's write: an accepted row's entry is saved in the same transaction
 *   as its result and link (run.ts), so every guarantee of a run (retries, resume after a kill) holds as
 *   before. A row that left the snapshot is a removal mark (null hash) there, as the file still has it.
 * - The file is only ever replaced whole: `foldSnapshot` writes the file plus the entries into a new file
 *   and renames it over the old one, then clears the entries. A crash before the rename leaves the old file
 *   and the entries (and a new file the next fold removes); after it, the entries again on top of a file
 *   that has them, which changes nothing. A reader (a dry run) that opened the old file keeps reading it
 *   whole.
 * - Only a run holding the sync (one at a time, run.ts) folds; a dry run only reads.
 * - No file (a new sync, or a snapshot kept in the store before migration 0032): the entries alone are the
 *   snapshot; a sync with neither is diffed as all added, and its writes match rows to records as the sync
 *   says.
 */
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { quoteIdent, quoteLiteral } from "../../destinations/duckdb/table-shape.ts";
import { SNAPSHOT_TABLE } from "../../flows/reverse-etl/model-sql.ts";
import { clearSnapshotEntries, type RetlDb, readSnapshotEntries } from "../../flows/reverse-etl/store.ts";

/** Entries read from the store per page while loading them into DuckDB. */
const ENTRIES_PAGE = 10_000;
/** The table inside a snapshot file. */
const FILE_TABLE = "snapshot";

/** Where a sync's snapshot file is: `retl-snapshots/` beside the warehouse file. */
export function snapshotFilePath(warehousePath: string, syncId: string): string {
  return join(dirname(warehousePath), "retl-snapshots", `${encodeURIComponent(syncId)}.duckdb`);
}

/**
 * Creates `SNAPSHOT_TABLE` (pk, hash) in a sandbox (query.ts's `prepare`): the sync's file, if any, with its
 * store entries on top. The file is attached read-only just for the copy.
 */
export async function loadSnapshot(
  connection: DuckDBConnection,
  db: RetlDb,
  syncId: string,
  path: string,
): Promise<void> {
  await copyFileInto(connection, path, SNAPSHOT_TABLE);
  await applyEntries(connection, db, syncId, SNAPSHOT_TABLE);
}

/**
 * Brings the sync's file up to date with its store entries, and clears them; nothing to do without entries.
 * Only for a run holding the sync (no other run adds entries meanwhile).
 */
export async function foldSnapshot(db: RetlDb, syncId: string, path: string): Promise<void> {
  if ((await readSnapshotEntries(db, syncId, undefined, 1)).length === 0) return;
  await mkdir(dirname(path), { recursive: true });
  await removeLeftovers(path);
  const next = `${path}.${process.pid}.${randomUUID()}.tmp`;
  try {
    const instance = await DuckDBInstance.create(next, { threads: "1", memory_limit: "256MB" });
    const connection = await instance.connect();
    try {
      await copyFileInto(connection, path, FILE_TABLE);
      await applyEntries(connection, db, syncId, FILE_TABLE);
      await connection.run("CHECKPOINT");
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
    await rename(next, path);
  } finally {
    await rm(next, { force: true });
    await rm(`${next}.wal`, { force: true });
  }
  await clearSnapshotEntries(db, syncId);
}

/** Removes a deleted sync's snapshot file. */
export async function removeSnapshotFile(path: string): Promise<void> {
  await rm(path, { force: true });
  await removeLeftovers(path);
}

/** New files of folds that died before their rename (only the run holding the sync folds: none is live). */
async function removeLeftovers(path: string): Promise<void> {
  const prefix = `${basename(path)}.`;
  const names = await readdir(dirname(path)).catch(() => [] as string[]);
  for (const name of names) {
    if (name.startsWith(prefix) && /\.tmp(\.wal)?$/.test(name))
      await rm(join(dirname(path), name), { force: true });
  }
}

/** Creates `table` (pk, hash) with the file's entries, or empty without a file. */
async function copyFileInto(connection: DuckDBConnection, path: string, table: string): Promise<void> {
  await connection.run(`CREATE TABLE ${quoteIdent(table)} (pk VARCHAR NOT NULL, hash VARCHAR NOT NULL)`);
  if (!existsSync(path)) return;
  await connection.run(`ATTACH ${quoteLiteral(path)} AS retl_snapshot_file (READ_ONLY)`);
  try {
    await connection.run(
      `INSERT INTO ${quoteIdent(table)} SELECT pk, hash FROM retl_snapshot_file.${quoteIdent(FILE_TABLE)}`,
    );
  } finally {
    await connection.run("DETACH retl_snapshot_file");
  }
}

/** Applies the sync's store entries to `table`: each replaces the key's hash, or removes the key (null). */
async function applyEntries(
  connection: DuckDBConnection,
  db: RetlDb,
  syncId: string,
  table: string,
): Promise<void> {
  await connection.run("CREATE TABLE retl_entries (pk VARCHAR NOT NULL, hash VARCHAR)");
  const appender = await connection.createAppender("retl_entries");
  let after: string | undefined;
  for (;;) {
    const page = await readSnapshotEntries(db, syncId, after, ENTRIES_PAGE);
    if (page.length === 0) break;
    after = page[page.length - 1]!.pk;
    for (const entry of page) {
      appender.appendVarchar(entry.pk);
      if (entry.hash === null) appender.appendNull();
      else appender.appendVarchar(entry.hash);
      appender.endRow();
    }
  }
  appender.closeSync();
  const target = quoteIdent(table);
  await connection.run(`DELETE FROM ${target} WHERE pk IN (SELECT pk FROM retl_entries)`);
  await connection.run(`INSERT INTO ${target} SELECT pk, hash FROM retl_entries WHERE hash IS NOT NULL`);
  await connection.run("DROP TABLE retl_entries");
}
