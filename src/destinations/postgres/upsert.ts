import type { ColumnType, RecordBatch } from "../../core/index.ts";
import { DestinationError } from "../../core/index.ts";
import { textArrayParam } from "../../store/repositories/postgres-binary-params.ts";
import { META, quoteIdent, type TableShape } from "../duckdb/table-shape.ts";
import { latestPerKey } from "../latest-per-key.ts";
import { type Coerced, coerceValue, REJECTED, withoutNul, withoutNulDeep } from "./coerce-value.ts";
import { pgTypeOf, qualified } from "./table-ddl.ts";

/** Built statements per shape; shapes are immutable, so none goes stale. */
const built = new WeakMap<TableShape, string>();

/**
 * The one statement that upserts a batch into the shape's table by (connection, primary key). $1 is the
 * connection and $2 the batch's sync time; then one `text[]` per column, in the order of `upsertColumns`,
 * each holding that column's coerced values as text (NULL for SQL NULL), sent in binary format
 * (../../store/repositories/postgres-binary-params.ts) and cast to the column's type. One round trip, no
 * per-row parameters. A live record replaces every column; a deleted one keeps the row's last known value
 * wherever it carries none (so a bare tombstone only flips `_deleted`), as in DuckDB
 * (../duckdb/upsert-sql.ts).
 *
 * Column arrays rather than one JSON document of row objects (json_to_recordset, as before): no column name
 * repeated in every row, no JSON text built by the worker and lexed again by the server (profiled on the
 * 50,000-contact sync in docs/benchmarks.md, "sync-throughput on Postgres").
 */
export function upsertSql(schema: string, shape: TableShape): string {
  let sql = built.get(shape);
  if (sql === undefined) {
    sql = buildUpsertSql(schema, shape);
    built.set(shape, sql);
  }
  return sql;
}

/** The table's columns filled from the batch's arrays, with their Postgres types, in parameter order. */
function upsertColumns(shape: TableShape): { name: string; pgType: string }[] {
  const data = shape.columns.filter((spec) => spec.name !== shape.primaryKey);
  return [
    { name: shape.primaryKey, pgType: pgTypeOf(shape.primaryKeyType) },
    ...data.map((spec) => ({ name: spec.name, pgType: pgTypeOf(spec.type) })),
    { name: META.deleted, pgType: "boolean" },
    { name: META.hash, pgType: "text" },
    { name: META.rejected, pgType: "jsonb" },
  ];
}

/** The first parameter holding a column array ($1 and $2 are the connection and the sync time). */
const FIRST_COLUMN_PARAM = 3;

function buildUpsertSql(schema: string, shape: TableShape): string {
  const column = quoteIdent;
  const columns = upsertColumns(shape);
  // ROWS FROM (unnest(…), …) rather than unnest(…, …): one function call per column, so no limit of
  // 100 arguments on a table's width.
  const arrays = columns.map((_, i) => `unnest($${FIRST_COLUMN_PARAM + i}::text[])`);
  const aliases = columns.map((_, i) => `c${i}`);
  const typed = (i: number) => (columns[i]!.pgType === "text" ? `r.c${i}` : `r.c${i}::${columns[i]!.pgType}`);
  const names = [META.connectionId, ...columns.map((spec) => spec.name), META.syncedAt];
  const values = ["$1", ...columns.map((_, i) => typed(i)), "$2::timestamptz"];
  const data = shape.columns.filter((spec) => spec.name !== shape.primaryKey);
  const keepOnDelete = (name: string) =>
    `${column(name)} = CASE WHEN EXCLUDED.${column(META.deleted)} THEN coalesce(EXCLUDED.${column(name)}, t.${column(name)}) ELSE EXCLUDED.${column(name)} END`;
  const replace = (name: string) => `${column(name)} = EXCLUDED.${column(name)}`;
  const updates = [
    ...data.map((spec) => keepOnDelete(spec.name)),
    replace(META.deleted),
    replace(META.syncedAt),
    replace(META.hash),
    keepOnDelete(META.rejected),
  ];
  return (
    `INSERT INTO ${qualified(schema, shape.table)} AS t (${names.map(column).join(", ")})\n` +
    `SELECT ${values.join(", ")}\n` +
    `FROM ROWS FROM (${arrays.join(", ")}) AS r(${aliases.join(", ")})\n` +
    `ON CONFLICT (${column(META.connectionId)}, ${column(shape.primaryKey)}) DO UPDATE SET\n  ${updates.join(",\n  ")}`
  );
}

/** A coerced value as the text its column's type reads (a json column's value as its JSON text), or null. */
function asText(type: ColumnType, value: Exclude<Coerced, typeof REJECTED>): string | null {
  if (value === null) return null;
  if (type === "json") return JSON.stringify(value);
  return typeof value === "string" ? value : String(value);
}

/**
 * The column arrays of the batch (parameters $3… of upsertSql), one element per primary key (the last
 * record winning, see latest-per-key.ts) with every value coerced to its column. Values that do not fit,
 * and fields that cannot be columns (`unmatched`), go to `_rejected` as their original JSON. A primary key
 * its column cannot hold fails the whole batch (nothing is written), as in DuckDB.
 */
export function upsertColumnParams(
  batch: RecordBatch,
  shape: TableShape,
  unmatched: readonly string[],
): Buffer[] {
  const latest = latestPerKey(batch.records);
  const data = shape.columns.filter((spec) => spec.name !== shape.primaryKey);
  const keys = new Array<string>(latest.length);
  const values = data.map(() => new Array<string | null>(latest.length).fill(null));
  const deleted = new Array<string>(latest.length);
  const hashes = new Array<string>(latest.length);
  const rejections = new Array<string | null>(latest.length);
  for (let row = 0; row < latest.length; row++) {
    const { record, json } = latest[row]!;
    const fields = JSON.parse(json) as Record<string, unknown>;
    // Made on the first value that does not fit: most rows have none.
    let rejected: Record<string, unknown> | undefined;
    const key = coerceValue(shape.primaryKeyType, record.pk);
    if (key === REJECTED || key === null) {
      throw new DestinationError(
        "postgres",
        `primary key ${JSON.stringify(record.pk)} does not fit column "${shape.primaryKey}" (${shape.primaryKeyType}) of table "${shape.table}".`,
      );
    }
    keys[row] = asText(shape.primaryKeyType, key)!;
    for (let i = 0; i < data.length; i++) {
      const spec = data[i]!;
      if (!Object.hasOwn(fields, spec.name)) continue;
      const coerced = coerceValue(spec.type, fields[spec.name]);
      if (coerced === REJECTED) {
        rejected ??= {};
        rejected[spec.name] = withoutNulDeep(fields[spec.name]);
      } else values[i]![row] = asText(spec.type, coerced);
    }
    for (const name of unmatched) {
      const original = fields[name];
      if (original !== null && original !== undefined) {
        rejected ??= {};
        rejected[withoutNul(name)] = withoutNulDeep(original);
      }
    }
    deleted[row] = record.deleted ? "true" : "false";
    hashes[row] = record.hash;
    rejections[row] = rejected ? JSON.stringify(rejected) : null;
  }
  return [keys, ...values, deleted, hashes, rejections].map(textArrayParam);
}
