import type { DuckDBConnection } from "@duckdb/node-api";
import type { PreparedRecord, StreamTarget } from "../../core/index.ts";
import { DestinationError } from "../../core/index.ts";
import { columnTypeOfSql, inferColumnType, widenColumnType } from "./column-types.ts";
import {
  type ColumnSpec,
  columnDefinition,
  META,
  quoteIdent,
  RESERVED_NAMES,
  TableShape,
  trailingMetaDefinitions,
} from "./table-shape.ts";

/** A table as DuckDB describes it: columns in table order and the primary key columns. */
export interface ExistingTable {
  columns: readonly { name: string; dataType: string }[];
  primaryKey: readonly string[];
}

/** What `prepare` must run to make a table fit a stream, and the shape it then has. */
export interface PreparePlan {
  shape: TableShape;
  statements: string[];
}

/** Fields of a batch that need new columns, and fields that have values but can never be a column. */
export interface ColumnPlan {
  added: ColumnSpec[];
  /** Reserved names, empty names and names that differ only in case from a column: kept in `_rejected`. */
  unmatched: string[];
}

/** Reads a table's columns and primary key from DuckDB; undefined when the table does not exist. */
export async function readExistingTable(
  connection: DuckDBConnection,
  table: string,
): Promise<ExistingTable | undefined> {
  // Identifiers compare case-insensitively in DuckDB, so the lookups do too.
  const columns = await connection.runAndReadAll(
    `SELECT column_name, data_type FROM information_schema.columns
     WHERE table_catalog = current_database() AND table_schema = 'main' AND lower(table_name) = lower($table)
     ORDER BY ordinal_position`,
    { table },
  );
  const rows = columns.getRowObjectsJS();
  if (rows.length === 0) return undefined;
  const constraints = await connection.runAndReadAll(
    `SELECT constraint_column_names FROM duckdb_constraints()
     WHERE database_name = current_database() AND schema_name = 'main' AND lower(table_name) = lower($table)
       AND constraint_type = 'PRIMARY KEY'`,
    { table },
  );
  const primaryKey = constraints.getRowObjectsJS()[0]?.constraint_column_names;
  return {
    columns: rows.map((row) => ({ name: String(row.column_name), dataType: String(row.data_type) })),
    primaryKey: Array.isArray(primaryKey) ? primaryKey.map(String) : [],
  };
}

/**
 * Plans the DDL that makes `existing` (or nothing) hold `target`: CREATE TABLE for a new table, ADD COLUMN
 * for declared columns and metadata a table lacks. Columns are never dropped or retyped: an existing
 * column keeps its type and values are coerced to it. Throws DestinationError when the table cannot hold
 * the stream (a declared column uses a reserved name, or the table's primary key is a different one).
 */
export function planPrepare(
  target: StreamTarget,
  existing: ExistingTable | undefined,
  destination = "duckdb",
): PreparePlan {
  const declared: ColumnSpec[] = Object.entries(target.schema.columns).map(([name, type]) => ({
    name,
    type,
  }));
  const reserved = declared.filter(
    (column) => RESERVED_NAMES.has(column.name.toLowerCase()) || column.name === "",
  );
  if (reserved.length > 0) {
    throw new DestinationError(
      destination,
      `stream "${target.provider}.${target.stream}" declares column(s) ${reserved.map((c) => `"${c.name}"`).join(", ")} whose names are reserved for Switchyard's metadata (${Object.values(META).join(", ")}) or empty.`,
    );
  }
  if (!declared.some((column) => column.name === target.primaryKey)) {
    declared.unshift({ name: target.primaryKey, type: "string" });
  }

  if (!existing) {
    const shape = new TableShape(target.table, target.primaryKey, declared);
    return { shape, statements: [shape.createTableSql()] };
  }

  assertPrimaryKey(target, existing, destination);
  const table = quoteIdent(target.table);
  const present = new Set(existing.columns.map((column) => column.name.toLowerCase()));
  const statements = trailingMetaDefinitions()
    .filter((meta) => !present.has(meta.name))
    .map((meta) => `ALTER TABLE ${table} ADD COLUMN ${meta.definition}`);
  const kept: ColumnSpec[] = existing.columns
    .filter((column) => !RESERVED_NAMES.has(column.name.toLowerCase()))
    .map((column) => ({ name: column.name, type: columnTypeOfSql(column.dataType) }));
  const added = declared.filter((column) => !present.has(column.name.toLowerCase()));
  statements.push(...added.map((column) => addColumnSql(target.table, column)));
  // The primary key matched case-insensitively above; use the name the table stores.
  const primaryKey = kept.find((c) => c.name.toLowerCase() === target.primaryKey.toLowerCase())?.name;
  return {
    shape: new TableShape(target.table, primaryKey ?? target.primaryKey, [...kept, ...added]),
    statements,
  };
}

function assertPrimaryKey(target: StreamTarget, existing: ExistingTable, destination: string): void {
  const actual = existing.primaryKey.map((name) => name.toLowerCase());
  const expected = [META.connectionId, target.primaryKey.toLowerCase()];
  if (actual.length !== 2 || actual[0] !== expected[0] || actual[1] !== expected[1]) {
    const described =
      existing.primaryKey.length > 0 ? `(${existing.primaryKey.join(", ")})` : "no primary key";
    throw new DestinationError(
      destination,
      `table "${target.table}" already exists with ${described}, but stream "${target.provider}.${target.stream}" needs primary key (${META.connectionId}, ${target.primaryKey}). Rename or drop that table, or give the stream another table name.`,
    );
  }
}

/** ALTER TABLE … ADD COLUMN for one new data column. */
export function addColumnSql(table: string, column: ColumnSpec): string {
  return `ALTER TABLE ${quoteIdent(table)} ADD COLUMN ${columnDefinition(column)}`;
}

/**
 * Finds the fields of a batch that are not columns yet, with a type inferred from their values (widened
 * across the batch). A field that is null in every record gets no column until it has a value. Cheap for
 * the usual batch: a record whose field list is one already checked (the same array, see
 * PreparedRecord.fields) is skipped, and a record's JSON is parsed only when it has fields to type.
 */
export function planNewColumns(shape: TableShape, records: readonly PreparedRecord[]): ColumnPlan {
  const inferred = new Map<string, ColumnSpec>();
  const unmatched = new Set<string>();
  const addedLower = new Set<string>();
  /** The last field list whose fields were all columns already. */
  let knownFields: readonly string[] | undefined;
  for (const record of records) {
    if (record.fields === knownFields) continue;
    const candidates = record.fields.filter((name) => !shape.column(name) && !unmatched.has(name));
    if (candidates.length === 0) {
      if (record.fields.every((name) => shape.column(name))) knownFields = record.fields;
      continue;
    }
    const data = JSON.parse(record.json) as Record<string, unknown>;
    for (const name of candidates) {
      const type = inferColumnType(data[name]);
      if (type === undefined) continue;
      const seen = inferred.get(name);
      if (seen) {
        if (seen.type !== type) inferred.set(name, { name, type: widenColumnType(seen.type, type) });
        continue;
      }
      const lower = name.toLowerCase();
      if (name === "" || shape.nameTaken(name) || addedLower.has(lower)) {
        unmatched.add(name);
        continue;
      }
      addedLower.add(lower);
      inferred.set(name, { name, type });
    }
  }
  return { added: [...inferred.values()], unmatched: [...unmatched] };
}
