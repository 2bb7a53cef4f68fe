import { type DuckDBTimestampTZValue, timestampTZValue } from "@duckdb/node-api";
import { stringify } from "safe-stable-stringify";
import type { PreparedRecord, RecordBatch, SyncRecord } from "../../core/index.ts";
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

interface LatestRecord {
  record: PreparedRecord;
  /** JSON text to stage: the record's own, or the merge of a tombstone into the record before it. */
  json: string;
}

/**
 * One entry per primary key, in first-seen order, holding the last record for it: a single upsert
 * statement cannot touch a row twice. A later tombstone inherits the earlier record's values where it
 * carries none, just as it would from the stored row. Keys are compared as the engine's text, so a
 * non-text primary key spelled two ways in one batch ("7", "07") fails the upsert (rolled back) instead.
 */
function latestPerKey(records: readonly PreparedRecord[]): LatestRecord[] {
  const positions = new Map<string, number>();
  const result: LatestRecord[] = [];
  for (const record of records) {
    const position = positions.get(record.pk);
    if (position === undefined) {
      positions.set(record.pk, result.length);
      result.push({ record, json: record.json });
      continue;
    }
    const earlier = result[position]!;
    result[position] = {
      record,
      json: record.deleted ? mergeTombstone(earlier.json, record.json) : record.json,
    };
  }
  return result;
}

/** The earlier record's values overlaid with the tombstone's non-null ones, as canonical JSON. */
function mergeTombstone(earlierJson: string, tombstoneJson: string): string {
  const tombstone = JSON.parse(tombstoneJson) as SyncRecord;
  const kept = Object.fromEntries(
    Object.entries(tombstone).filter(([, value]) => value !== null && value !== undefined),
  );
  return stringify({ ...(JSON.parse(earlierJson) as SyncRecord), ...kept }) ?? "{}";
}
