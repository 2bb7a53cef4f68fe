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

/** Where each batch is staged before the upsert: a temp table private to the writer connection. */
export const STAGING = { catalog: "temp", schema: "main", table: "__switchyard_staging" } as const;

/** Quotes an identifier for DuckDB SQL, so any field name is safe to use as a column name. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes a string literal for DuckDB SQL. */
export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

const STAGING_REF = `${STAGING.catalog}.${STAGING.schema}.${quoteIdent(STAGING.table)}`;

/**
 * The columns of one warehouse table, in staging order: `_connection_id`, the data columns (primary key
 * included), then `_deleted`, `_synced_at`, `_hash`, `_rejected`. Immutable: evolving returns a new shape,
 * and each shape builds its SQL once.
 */
export class TableShape {
  readonly table: string;
  readonly primaryKey: string;
  readonly columns: readonly ColumnSpec[];
  private readonly byName: ReadonlyMap<string, ColumnSpec>;
  private readonly lowerNames: ReadonlySet<string>;
  private sql: { staging: string; upsert: string } | undefined;

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

  /** CREATE OR REPLACE of the staging table, with the same columns in staging order and no constraints. */
  stagingTableSql(): string {
    return this.buildSql().staging;
  }

  /**
   * One INSERT … ON CONFLICT that upserts the whole staged batch. A live record replaces every column.
   * A deleted record keeps the row's last known value wherever it carries none (so a bare tombstone
   * only flips `_deleted`).
   */
  upsertSql(): string {
    return this.buildSql().upsert;
  }

  private buildSql(): { staging: string; upsert: string } {
    if (this.sql) return this.sql;
    const names = [
      META.connectionId,
      ...this.columns.map((c) => c.name),
      ...TRAILING_META.map((m) => m.name),
    ];
    const types = [
      "VARCHAR",
      ...this.columns.map((c) => sqlTypeOf(c.type)),
      ...TRAILING_META.map((m) => m.sqlType),
    ];
    const staging = `CREATE OR REPLACE TEMP TABLE ${STAGING_REF} (${names
      .map((name, i) => `${quoteIdent(name)} ${types[i]}`)
      .join(", ")})`;

    const deleted = `excluded.${quoteIdent(META.deleted)}`;
    const keepOnDelete = (name: string): string => {
      const column = quoteIdent(name);
      return `${column} = CASE WHEN ${deleted} THEN coalesce(excluded.${column}, ${column}) ELSE excluded.${column} END`;
    };
    const replace = (name: string): string => `${quoteIdent(name)} = excluded.${quoteIdent(name)}`;
    const updates = [
      ...this.columns.filter((c) => c.name !== this.primaryKey).map((c) => keepOnDelete(c.name)),
      replace(META.deleted),
      replace(META.syncedAt),
      replace(META.hash),
      keepOnDelete(META.rejected),
    ];
    const columnList = names.map(quoteIdent).join(", ");
    const upsert =
      `INSERT INTO ${quoteIdent(this.table)} (${columnList}) SELECT ${columnList} FROM ${STAGING_REF}\n` +
      `ON CONFLICT (${quoteIdent(META.connectionId)}, ${quoteIdent(this.primaryKey)}) DO UPDATE SET\n  ` +
      updates.join(",\n  ");
    this.sql = { staging, upsert };
    return this.sql;
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
