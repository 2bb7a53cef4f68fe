import type pg from "pg";
import type { ColumnType } from "../../core/index.ts";
import type { ExistingTable } from "../duckdb/schema-evolution.ts";
import { type ColumnSpec, META, quoteIdent, type TableShape } from "../duckdb/table-shape.ts";

/** The Postgres type each stream column type is stored as. */
const PG_TYPES: Record<ColumnType, string> = {
  string: "text",
  integer: "bigint",
  number: "double precision",
  boolean: "boolean",
  timestamp: "timestamptz",
  json: "jsonb",
};

export function pgTypeOf(type: ColumnType): string {
  return PG_TYPES[type];
}

/** Metadata columns after the data columns, as in DuckDB (see ../duckdb/table-shape.ts). */
const TRAILING_META: readonly { name: string; pgType: string }[] = [
  { name: META.deleted, pgType: "boolean" },
  { name: META.syncedAt, pgType: "timestamptz" },
  { name: META.hash, pgType: "text" },
  { name: META.rejected, pgType: "jsonb" },
];

/** `"schema"."table"`. */
export function qualified(schema: string, table: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(table)}`;
}

function columnDefinition(column: ColumnSpec, notNull = false): string {
  return `${quoteIdent(column.name)} ${pgTypeOf(column.type)}${notNull ? " NOT NULL" : ""}`;
}

/** CREATE TABLE IF NOT EXISTS for a shape, keyed by (connection, primary key). */
export function createTableSql(schema: string, shape: TableShape): string {
  const definitions = [
    `${quoteIdent(META.connectionId)} text NOT NULL`,
    ...shape.columns.map((column) => columnDefinition(column, column.name === shape.primaryKey)),
    ...TRAILING_META.map((meta) => `${quoteIdent(meta.name)} ${meta.pgType}`),
    `PRIMARY KEY (${quoteIdent(META.connectionId)}, ${quoteIdent(shape.primaryKey)})`,
  ];
  return `CREATE TABLE IF NOT EXISTS ${qualified(schema, shape.table)} (\n  ${definitions.join(",\n  ")}\n)`;
}

/** ADD COLUMN IF NOT EXISTS for each column of `shape` that `existing` lacks, metadata included. */
export function addColumnsSql(schema: string, shape: TableShape, existing: ExistingTable): string[] {
  const present = new Set(existing.columns.map((column) => column.name.toLowerCase()));
  const table = qualified(schema, shape.table);
  return [
    ...shape.columns
      .filter((column) => !present.has(column.name.toLowerCase()))
      .map((column) => `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${columnDefinition(column)}`),
    ...TRAILING_META.filter((meta) => !present.has(meta.name)).map(
      (meta) => `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${quoteIdent(meta.name)} ${meta.pgType}`,
    ),
  ];
}

/**
 * Postgres' name of a column type, spelled as the DuckDB name planPrepare maps back to a column type
 * (`columnTypeOfSql`): the shared planning then works on either warehouse.
 */
function duckDbSpelling(pgType: string): string {
  if (/^(bigint|integer|smallint)$/.test(pgType)) return "BIGINT";
  if (/^(double precision|real)$/.test(pgType) || pgType.startsWith("numeric")) return "DOUBLE";
  if (pgType === "boolean") return "BOOLEAN";
  if (pgType.startsWith("timestamp")) return "TIMESTAMPTZ";
  if (pgType === "jsonb" || pgType === "json") return "JSON";
  return "VARCHAR";
}

/** Reads a table's columns and primary key; undefined when the table does not exist. */
export async function readExistingTable(
  client: pg.ClientBase,
  schema: string,
  table: string,
): Promise<ExistingTable | undefined> {
  const relation = qualified(schema, table);
  const columns = await client.query<{ name: string; type: string }>(
    `SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute
     WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
    [relation],
  );
  if (columns.rows.length === 0) return undefined;
  const key = await client.query<{ name: string }>(
    `SELECT a.attname AS name FROM pg_index i
     CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, position)
     JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
     WHERE i.indrelid = to_regclass($1) AND i.indisprimary ORDER BY k.position`,
    [relation],
  );
  return {
    columns: columns.rows.map((row) => ({ name: row.name, dataType: duckDbSpelling(row.type) })),
    primaryKey: key.rows.map((row) => row.name),
  };
}
