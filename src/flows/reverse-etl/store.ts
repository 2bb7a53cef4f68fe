/**
 * The reverse-ETL tables (migration 0020) and the queries on them. The tables are typed here, beside the
 * room that owns them, and joined onto the store's Database type with Kysely's `withTables`.
 */
import { type Kysely, PostgresAdapter, sql } from "kysely";
import type { Database } from "../../store/index.ts";
import type { SnapshotEntry } from "./diff.ts";

export type RetlModelsTable = {
  id: string;
  environment_id: string;
  name: string;
  sql: string;
  primary_key: string;
  columns: string;
  created_at: string;
  updated_at: string;
};

export type RetlSyncsTable = {
  id: string;
  environment_id: string;
  model_id: string;
  connection_id: string;
  mode: string;
  target: string;
  match: string;
  mapping: string;
  created_at: string;
  updated_at: string;
  /** Migration 0025: the schedule (null: runs only when asked). */
  frequency: string | null;
  time_zone: string | null;
  next_run_at: string | null;
};

export type RetlRunsTable = {
  id: string;
  sync_id: string;
  dry_run: number;
  status: string;
  stats: string;
  error: string | null;
  started_at: string;
  heartbeat_at: string;
  finished_at: string | null;
  /** Migration 0025: JSON `{host, pid, started}` of the process running it. */
  holder: string | null;
};

export type RetlRunRowsTable = {
  run_id: string;
  pk: string;
  operation: string;
  status: string;
  remote_id: string | null;
  message: string | null;
  at: string;
};

export type RetlTables = {
  retl_models: RetlModelsTable;
  retl_syncs: RetlSyncsTable;
  /**
   * A sync's snapshot entries (migration 0032): the whole snapshot of an embedded sync; for a warehouse
   * model's sync, what its runs wrote since its snapshot file was last brought up to date, a null hash
   * marking a row that left it (src/app/reverse-etl/snapshot-file.ts).
   */
  retl_snapshots: { sync_id: string; pk: string; hash: string | null };
  retl_links: { sync_id: string; pk: string; remote_id: string; updated_at: string };
  retl_runs: RetlRunsTable;
  retl_pending: { run_id: string; pk: string; change: string; hash: string | null; row: string | null };
  retl_run_rows: RetlRunRowsTable;
};

export type RetlDb = Kysely<Database & RetlTables>;

export function retlDb(db: Kysely<Database>): RetlDb {
  return db.withTables<RetlTables>();
}

/** Text ordered by its bytes, as DuckDB and SQLite order it; Postgres needs the "C" collation for that. */
export function byteOrder(db: Pick<Kysely<Database>, "getExecutor">, column: string) {
  return db.getExecutor().adapter instanceof PostgresAdapter
    ? sql`${sql.ref(column)} collate "C"`
    : sql.ref(column);
}

/** One page of a sync's snapshot after `afterPk`, in byte order of the keys (diff.ts); removal marks left out. */
export async function readSnapshotPage(
  db: RetlDb,
  syncId: string,
  afterPk: string | undefined,
  limit: number,
): Promise<SnapshotEntry[]> {
  const page = await readSnapshotEntries(db, syncId, afterPk, limit);
  return page.filter((entry): entry is SnapshotEntry => entry.hash !== null);
}

/** One page of a sync's snapshot entries after `afterPk`, in byte order, removal marks (null hash) included. */
export async function readSnapshotEntries(
  db: RetlDb,
  syncId: string,
  afterPk: string | undefined,
  limit: number,
): Promise<{ pk: string; hash: string | null }[]> {
  let query = db.selectFrom("retl_snapshots").select(["pk", "hash"]).where("sync_id", "=", syncId);
  if (afterPk !== undefined) query = query.where(byteOrder(db, "pk"), ">", afterPk);
  return query.orderBy(byteOrder(db, "pk")).limit(limit).execute();
}

/** The row's hash is what the provider now holds: the next diff sees it unchanged. */
export async function advanceSnapshot(db: RetlDb, syncId: string, pk: string, hash: string): Promise<void> {
  await db
    .insertInto("retl_snapshots")
    .values({ sync_id: syncId, pk, hash })
    .onConflict((c) => c.columns(["sync_id", "pk"]).doUpdateSet({ hash }))
    .execute();
}

export async function dropFromSnapshot(db: RetlDb, syncId: string, pk: string): Promise<void> {
  await db.deleteFrom("retl_snapshots").where("sync_id", "=", syncId).where("pk", "=", pk).execute();
}

/** The row left the snapshot, which a file also holds: a mark (null hash) until the file is brought up to date. */
export async function markRemovedFromSnapshot(db: RetlDb, syncId: string, pk: string): Promise<void> {
  await db
    .insertInto("retl_snapshots")
    .values({ sync_id: syncId, pk, hash: null })
    .onConflict((c) => c.columns(["sync_id", "pk"]).doUpdateSet({ hash: null }))
    .execute();
}

/** Forgets the sync's snapshot entries once its file holds them (snapshot-file.ts). */
export async function clearSnapshotEntries(db: RetlDb, syncId: string): Promise<void> {
  await db.deleteFrom("retl_snapshots").where("sync_id", "=", syncId).execute();
}

/** The provider's ids the sync linked to these model keys. */
export async function linksOf(
  db: RetlDb,
  syncId: string,
  pks: readonly string[],
): Promise<Map<string, string>> {
  if (pks.length === 0) return new Map();
  const rows = await db
    .selectFrom("retl_links")
    .select(["pk", "remote_id"])
    .where("sync_id", "=", syncId)
    .where("pk", "in", pks)
    .execute();
  return new Map(rows.map((row) => [row.pk, row.remote_id]));
}

export async function saveLink(db: RetlDb, syncId: string, pk: string, remoteId: string): Promise<void> {
  const updated_at = new Date().toISOString();
  await db
    .insertInto("retl_links")
    .values({ sync_id: syncId, pk, remote_id: remoteId, updated_at })
    .onConflict((c) => c.columns(["sync_id", "pk"]).doUpdateSet({ remote_id: remoteId, updated_at }))
    .execute();
}

export async function dropLink(db: RetlDb, syncId: string, pk: string): Promise<void> {
  await db.deleteFrom("retl_links").where("sync_id", "=", syncId).where("pk", "=", pk).execute();
}

/** Everything a sync owns, for deleting it, in one transaction. */
export async function deleteSyncData(db: RetlDb, syncId: string): Promise<void> {
  await db.transaction().execute((trx) => deleteSyncRows(trx, syncId));
}

/** What deleteSyncData deletes, inside the caller's transaction (a connection's deletion takes its syncs). */
export async function deleteSyncRows(trx: RetlDb, syncId: string): Promise<void> {
  const runs = trx.selectFrom("retl_runs").select("id").where("sync_id", "=", syncId);
  await trx.deleteFrom("retl_run_rows").where("run_id", "in", runs).execute();
  await trx.deleteFrom("retl_pending").where("run_id", "in", runs).execute();
  await trx.deleteFrom("retl_runs").where("sync_id", "=", syncId).execute();
  await trx.deleteFrom("retl_links").where("sync_id", "=", syncId).execute();
  await trx.deleteFrom("retl_snapshots").where("sync_id", "=", syncId).execute();
  await trx.deleteFrom("retl_syncs").where("id", "=", syncId).execute();
}
