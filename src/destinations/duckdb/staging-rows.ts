import { type DuckDBTimestampTZValue, timestampTZValue } from "@duckdb/node-api";
import type { RecordBatch } from "../../core/index.ts";
import { latestPerKey } from "../latest-per-key.ts";
import { META, quoteIdent } from "./table-shape.ts";

/** Where each batch is staged before the upsert: a temp table private to the writer connection. */
export const STAGING = { catalog: "temp", schema: "main", table: "__switchyard_staging" } as const;

/** The staging table, qualified, for SQL. */
export const STAGING_REF = `${STAGING.catalog}.${STAGING.schema}.${quoteIdent(STAGING.table)}`;

/** Names of the staging columns the upsert reads: the record's key and JSON beside the metadata. */
export const STAGED = {
  connectionId: META.connectionId,
  pk: "pk",
  deleted: META.deleted,
  hash: META.hash,
  syncedAt: META.syncedAt,
  doc: "doc",
} as const;

/** The DuckDB type of each staging column; typing record values happens later, in the upsert. */
const STAGED_TYPES: Readonly<Record<keyof typeof STAGED, string>> = {
  connectionId: "VARCHAR",
  pk: "VARCHAR",
  deleted: "BOOLEAN",
  hash: "VARCHAR",
  syncedAt: "TIMESTAMPTZ",
  doc: "VARCHAR",
};

/** Staging columns in append order. */
const STAGED_ORDER = Object.keys(STAGED) as (keyof typeof STAGED)[];

/** CREATE OR REPLACE of the staging table; the same for every table, since records are staged as JSON. */
export const STAGING_TABLE_SQL = `CREATE OR REPLACE TEMP TABLE ${STAGING_REF} (${STAGED_ORDER.map(
  (key) => `${quoteIdent(STAGED[key])} ${STAGED_TYPES[key]}`,
).join(", ")})`;

/**
 * DROP of the staging table, run before the batch's transaction commits. A CREATE OR REPLACE inside a
 * transaction keeps the replaced table's rows until it commits (for a rollback), so a staging table left
 * from the last batch would stay resident beside the new one through the whole upsert: ~6 MB at 10,000
 * HubSpot contacts, at the moment the sync's memory peaks.
 */
export const DROP_STAGING_SQL = `DROP TABLE IF EXISTS ${STAGING_REF}`;

/** The value written to the staging table for one cell. */
export type StagedCell = string | boolean | DuckDBTimestampTZValue;

/** A batch as staging columns in append order (see STAGED), ready for the appender. */
export interface StagedRows {
  rowCount: number;
  columns: StagedCell[][];
}

/**
 * Turns a batch into staging columns: one row per primary key, the last record winning, each carrying
 * its JSON text (`record.json`, the engine's canonical JSON). Never throws; values are typed by the upsert.
 */
export function buildStagedRows(batch: RecordBatch): StagedRows {
  const latest = latestPerKey(batch.records);
  const rowCount = latest.length;
  const pk = new Array<string>(rowCount);
  const deleted = new Array<boolean>(rowCount);
  const hash = new Array<string>(rowCount);
  const doc = new Array<string>(rowCount);
  for (let row = 0; row < rowCount; row++) {
    const { record, json } = latest[row]!;
    pk[row] = record.pk;
    deleted[row] = record.deleted;
    hash[row] = record.hash;
    doc[row] = json;
  }
  const syncedAt = timestampTZValue(BigInt(batch.syncedAt.getTime()) * 1000n);
  const columns: Record<keyof typeof STAGED, StagedCell[]> = {
    connectionId: new Array<string>(rowCount).fill(batch.connectionId),
    pk,
    deleted,
    hash,
    syncedAt: new Array<DuckDBTimestampTZValue>(rowCount).fill(syncedAt),
    doc,
  };
  return { rowCount, columns: STAGED_ORDER.map((key) => columns[key]) };
}
