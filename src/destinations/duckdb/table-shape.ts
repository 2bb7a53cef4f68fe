import type { ColumnType } from "../../core/index.ts";
import { sqlTypeOf } from "./column-types.ts";

/** One data column of a warehouse table: a record field and the type it is stored as. */
export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
}

/** Names of the columns Switchyard adds to every table; records cannot use them as fields. */
export const META = {
  connectionId: "_connection_id",
  deleted: "_deleted",
  syncedAt: "_synced_at",
  hash: "_hash",
  rejected: "_rejected",
} as const;

/** Metadata columns written after the data columns, with their DuckDB types. */
const TRAILING_META: readonly { name: string; sqlType: string }[] = [
  { name: META.deleted, sqlType: "BOOLEAN" },
  { name: META.syncedAt, sqlType: "TIMESTAMPTZ" },
  { name: META.hash, sqlType: "VARCHAR" },
  { name: META.rejected, sqlType: "JSON" },
];

/** Lower-cased, because DuckDB compares identifiers case-insensitively even when quoted. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set(
  Object.values(META).map((name) => name.toLowerCase()),
);

/** Quotes an identifier for DuckDB SQL, so any field name is safe to use as a column name. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes a string literal for DuckDB SQL. */
export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * The columns of one warehouse table: `_connection_id`, the data columns (primary key included), then
 * `_deleted`, `_synced_at`, `_hash`, `_rejected`. Immutable: evolving returns a new shape, so SQL built
 * for a shape (see upsert-sql.ts) never goes stale.
 */
export class TableShape {
  readonly table: string;
  readonly primaryKey: string;
  readonly columns: readonly ColumnSpec[];
  private readonly byName: ReadonlyMap<string, ColumnSpec>;
  private readonly lowerNames: ReadonlySet<string>;

  constructor(table: string, primaryKey: string, columns: readonly ColumnSpec[]) {
    this.table = table;
    this.primaryKey = primaryKey;
    this.columns = columns;
    this.byName = new Map(columns.map((column) => [column.name, column]));
    this.lowerNames = new Set(columns.map((column) => column.name.toLowerCase()));
  }

  /** The column stored under exactly this field name, if any. */
  column(name: string): ColumnSpec | undefined {
    return this.byName.get(name);
  }

  /** True when `name` cannot become a new column: it is taken (in any letter case) or reserved. */
  nameTaken(name: string): boolean {
    const lower = name.toLowerCase();
    return this.lowerNames.has(lower) || RESERVED_NAMES.has(lower);
  }

  get primaryKeyType(): ColumnType {
    return this.byName.get(this.primaryKey)?.type ?? "string";
  }

  /** A shape with `added` appended; `this` when nothing is added. */
  withColumns(added: readonly ColumnSpec[]): TableShape {
    return added.length === 0
      ? this
      : new TableShape(this.table, this.primaryKey, [...this.columns, ...added]);
  }

  /** CREATE TABLE for this shape, with the (connection, primary key) primary key. */
  createTableSql(): string {
    const definitions = [
      `${quoteIdent(META.connectionId)} VARCHAR NOT NULL`,
      ...this.columns.map((column) => columnDefinition(column, column.name === this.primaryKey)),
      ...TRAILING_META.map((meta) => `${quoteIdent(meta.name)} ${meta.sqlType}`),
      `PRIMARY KEY (${quoteIdent(META.connectionId)}, ${quoteIdent(this.primaryKey)})`,
    ];
    return `CREATE TABLE ${quoteIdent(this.table)} (\n  ${definitions.join(",\n  ")}\n)`;
  }
}

/** `"name" TYPE` for a data column; the primary key column is NOT NULL. */
export function columnDefinition(column: ColumnSpec, notNull = false): string {
  return `${quoteIdent(column.name)} ${sqlTypeOf(column.type)}${notNull ? " NOT NULL" : ""}`;
}

/** The metadata columns after `_connection_id`, for adding any that an older table lacks. */
export function trailingMetaDefinitions(): readonly { name: string; definition: string }[] {
  return TRAILING_META.map((meta) => ({
    name: meta.name,
    definition: `${quoteIdent(meta.name)} ${meta.sqlType}`,
  }));
}
