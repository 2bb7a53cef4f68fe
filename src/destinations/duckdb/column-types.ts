import type { ColumnType } from "../../core/index.ts";

/** The DuckDB type each stream column type is stored as. */
const SQL_TYPES: Record<ColumnType, string> = {
  string: "VARCHAR",
  integer: "BIGINT",
  number: "DOUBLE",
  boolean: "BOOLEAN",
  timestamp: "TIMESTAMPTZ",
  json: "JSON",
};

/** Returns the DuckDB type a column of this stream type is created with. */
export function sqlTypeOf(type: ColumnType): string {
  return SQL_TYPES[type];
}

/**
 * Maps a DuckDB `data_type` (as information_schema reports it) back to the column type we write it as.
 * Tables we created only hold our six types; anything else (a column added by hand) is written as text
 * and DuckDB casts it on insert.
 */
export function columnTypeOfSql(dataType: string): ColumnType {
  const type = dataType.toUpperCase();
  if (type === "JSON") return "json";
  if (type === "BOOLEAN") return "boolean";
  if (type.startsWith("TIMESTAMP")) return "timestamp";
  if (/^(BIGINT|INTEGER|SMALLINT|TINYINT|HUGEINT|UBIGINT|UINTEGER|USMALLINT|UTINYINT|UHUGEINT)$/.test(type)) {
    return "integer";
  }
  if (type === "DOUBLE" || type === "FLOAT" || type.startsWith("DECIMAL")) return "number";
  return "string";
}

/**
 * Infers the column type for a field no schema declared, from one of its values; undefined for null.
 * Numbers that are whole become BIGINT, so a later fractional value is rejected, not truncated.
 */
export function inferColumnType(value: unknown): ColumnType | undefined {
  if (value === null || value === undefined) return undefined;
  switch (typeof value) {
    case "string":
      return "string";
    case "boolean":
      return "boolean";
    case "bigint":
      return "integer";
    case "number":
      return Number.isSafeInteger(value) ? "integer" : "number";
    case "object":
      return value instanceof Date ? "timestamp" : "json";
    default:
      return "string";
  }
}

/** The narrowest type that holds values of both types: integer+number → number, otherwise string. */
export function widenColumnType(a: ColumnType, b: ColumnType): ColumnType {
  if (a === b) return a;
  if ((a === "integer" && b === "number") || (a === "number" && b === "integer")) return "number";
  return "string";
}
