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
