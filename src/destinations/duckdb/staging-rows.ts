import { timestampTZValue } from "@duckdb/node-api";
import type { PreparedRecord, RecordBatch, SyncRecord } from "../../core/index.ts";
import { DestinationError } from "../../core/index.ts";
import { type CellValue, coerceValue, REJECTED, toJsonText } from "./coerce.ts";
import type { TableShape } from "./table-shape.ts";

/** A batch as typed columns in staging order (see TableShape), ready for the appender. */
export interface StagedRows {
  rowCount: number;
  columns: CellValue[][];
}

/**
 * Turns a batch into typed staging columns: one row per (connection, primary key), the last record
 * winning, every value coerced to its column, and values that do not fit kept in `_rejected` (see
 * coerce.ts). Fields listed in `unmatched` are kept in `_rejected` too. Throws DestinationError only for a
 * primary key that cannot be stored in the primary key column.
 */
export function buildStagedRows(
  shape: TableShape,
  batch: RecordBatch,
  unmatched: readonly string[],
): StagedRows {
  const records = latestPerKey(shape, batch);
  const rowCount = records.length;
  const columnCount = shape.columns.length + 5;
  const columns: CellValue[][] = Array.from({ length: columnCount }, () => new Array<CellValue>(rowCount));
  const syncedAt = timestampTZValue(BigInt(batch.syncedAt.getTime()) * 1000n);
  const rejectedColumn = columns[columnCount - 1]!;
  const rejectedByRow: (Record<string, unknown> | undefined)[] = new Array(rowCount);

  columns[0]!.fill(batch.connectionId);
  shape.columns.forEach((column, index) => {
    const cells = columns[index + 1]!;
    if (column.name === shape.primaryKey) {
      for (let row = 0; row < rowCount; row++) cells[row] = records[row]!.key;
      return;
    }
    for (let row = 0; row < rowCount; row++) {
      const value = records[row]!.data[column.name];
      const cell = coerceValue(value, column.type);
      if (cell === REJECTED) {
        cells[row] = null;
        rejectedByRow[row] = { ...rejectedByRow[row], [column.name]: value };
      } else {
        cells[row] = cell;
      }
    }
  });
  const deleted = columns[columnCount - 4]!;
  const synced = columns[columnCount - 3]!;
  const hash = columns[columnCount - 2]!;
  for (let row = 0; row < rowCount; row++) {
    const { record, data } = records[row]!;
    deleted[row] = record.deleted;
    synced[row] = syncedAt;
    hash[row] = record.hash;
    for (const name of unmatched) {
      const value = data[name];
      if (value !== null && value !== undefined)
        rejectedByRow[row] = { ...rejectedByRow[row], [name]: value };
    }
    const rejected = rejectedByRow[row];
    rejectedColumn[row] = rejected ? encodeRejected(rejected) : null;
  }
  return { rowCount, columns };
}

interface KeyedRecord {
  record: PreparedRecord;
  data: SyncRecord;
  /** The primary key coerced to the primary key column's type. */
  key: CellValue;
}

/**
 * One entry per primary key, in first-seen order, holding the last record for it: a single upsert
 * statement cannot touch a row twice. A later tombstone inherits the earlier record's values where it
 * carries none, just as it would from the stored row.
 */
function latestPerKey(shape: TableShape, batch: RecordBatch): KeyedRecord[] {
  const positions = new Map<string, number>();
  const result: KeyedRecord[] = [];
  for (const record of batch.records) {
    const key = coerceValue(record.pk, shape.primaryKeyType);
    if (key === REJECTED || key === null) {
      throw new DestinationError(
        "duckdb",
        `a record of table "${shape.table}" has primary key ${JSON.stringify(record.pk)}, which column "${shape.primaryKey}" (${shape.primaryKeyType}) cannot hold; nothing of this batch was written.`,
      );
    }
    const keyText = String(key);
    const position = positions.get(keyText);
    if (position === undefined) {
      positions.set(keyText, result.length);
      result.push({ record, data: record.data, key });
      continue;
    }
    const earlier = result[position]!;
    const data = record.deleted ? { ...earlier.data, ...withoutNulls(record.data) } : record.data;
    result[position] = { record, data, key };
  }
  return result;
}

function withoutNulls(data: SyncRecord): SyncRecord {
  return Object.fromEntries(
    Object.entries(data).filter(([, value]) => value !== null && value !== undefined),
  );
}

/** `_rejected` JSON: original values by field name; values JSON cannot encode are kept as their text. */
function encodeRejected(rejected: Record<string, unknown>): string {
  return (
    toJsonText(rejected) ??
    (toJsonText(
      Object.fromEntries(Object.entries(rejected).map(([name, value]) => [name, String(value)])),
    ) as string)
  );
}
