/**
 * The tables of embedded reverse ETL (migrations 0030, 0031) and the queries on a source's records. The tables
 * are typed here, beside the room that owns them, and joined onto the store's Database type with `withTables`.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../store/index.ts";
import { byteOrder, type RetlTables } from "../reverse-etl/store.ts";

export type SourcesTable = {
  id: string;
  environment_id: string;
  name: string;
  kind: string;
  primary_key: string;
  /** Sealed by the vault. */
  connection_string: string | null;
  table_name: string | null;
  query: string | null;
  records_changed_at: string | null;
  created_at: string;
  updated_at: string;
};

export type SourceRecordsTable = {
  source_id: string;
  pk: string;
  hash: string;
  payload: string;
  updated_at: string;
  read_id: string | null;
};

export type EmbeddedSyncsTable = {
  id: string;
  environment_id: string;
  source_id: string;
  model: string;
  mode: string;
  mapping: string;
  filter: string;
  connection_mappings: string;
  frequency: string | null;
  time_zone: string | null;
  next_run_at: string | null;
  created_at: string;
  updated_at: string;
};

export type EmbeddedTables = RetlTables & {
  sources: SourcesTable;
  source_records: SourceRecordsTable;
  embedded_syncs: EmbeddedSyncsTable;
};

export type EmbeddedDb = Kysely<Database & EmbeddedTables>;

export function embeddedDb(db: Kysely<Database>): EmbeddedDb {
  return db.withTables<EmbeddedTables>();
}

/** The key of one connection's part of an embedded sync in the reverse-ETL tables (snapshot, links, runs). */
export function partKey(syncId: string, connectionId: string): string {
  return `${syncId}:${connectionId}`;
}

/**
 * Deletes a connection's part of every embedded sync of its environment: the part's snapshot, links and runs
 * (with their pending diffs and per-row results), and the connection's entry in each sync's per-connection
 * mappings. Called by deleteConnectionCascade, inside its transaction.
 */
export async function deleteConnectionParts(
  db: Kysely<Database>,
  connection: { id: string; environment_id: string },
): Promise<void> {
  const trx = embeddedDb(db);
  const syncs = await trx
    .selectFrom("embedded_syncs")
    .select(["id", "connection_mappings"])
    .where("environment_id", "=", connection.environment_id)
    .execute();
  if (syncs.length === 0) return;
  const parts = syncs.map((sync) => partKey(sync.id, connection.id));
  const runs = trx.selectFrom("retl_runs").select("id").where("sync_id", "in", parts);
  await trx.deleteFrom("retl_run_rows").where("run_id", "in", runs).execute();
  await trx.deleteFrom("retl_pending").where("run_id", "in", runs).execute();
  await trx.deleteFrom("retl_runs").where("sync_id", "in", parts).execute();
  await trx.deleteFrom("retl_links").where("sync_id", "in", parts).execute();
  await trx.deleteFrom("retl_snapshots").where("sync_id", "in", parts).execute();
  for (const sync of syncs) {
    const mappings = JSON.parse(sync.connection_mappings) as Record<string, unknown>;
    if (!Object.hasOwn(mappings, connection.id)) continue;
    delete mappings[connection.id];
    await trx
      .updateTable("embedded_syncs")
      .set({ connection_mappings: JSON.stringify(mappings) })
      .where("id", "=", sync.id)
      .execute();
  }
}

/** One page of a source's records after `afterPk`, in byte order of the keys (as the reverse-ETL diff needs). */
export async function readRecordsPage(
  db: EmbeddedDb,
  sourceId: string,
  afterPk: string | undefined,
  limit: number,
): Promise<Pick<SourceRecordsTable, "pk" | "hash" | "payload" | "updated_at">[]> {
  let query = db
    .selectFrom("source_records")
    .select(["pk", "hash", "payload", "updated_at"])
    .where("source_id", "=", sourceId);
  if (afterPk !== undefined) query = query.where(byteOrder(db, "pk"), ">", afterPk);
  return query.orderBy(byteOrder(db, "pk")).limit(limit).execute();
}

/** The stored hashes of these keys of a source. */
export async function hashesOf(
  db: EmbeddedDb,
  sourceId: string,
  pks: readonly string[],
): Promise<Map<string, string>> {
  if (pks.length === 0) return new Map();
  const rows = await db
    .selectFrom("source_records")
    .select(["pk", "hash"])
    .where("source_id", "=", sourceId)
    .where("pk", "in", pks)
    .execute();
  return new Map(rows.map((row) => [row.pk, row.hash]));
}
