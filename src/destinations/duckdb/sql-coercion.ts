import type { ColumnType } from "../../core/index.ts";
import { quoteLiteral } from "./table-shape.ts";

/*
 * Coercion policy — what a record value becomes in its typed column. It runs inside DuckDB, as part of
 * the upsert statement: each record is staged as its JSON text, `json_transform` reads every field as
 * text (JSON text for json columns), and the expressions below type it.
 *
 * Providers send loosely typed JSON (HubSpot sends every property as a string), so values are coerced to
 * the column's type on the way in. A value that cannot be coerced never fails the sync: the column gets
 * NULL and the original JSON value is kept under its field name in the row's `_rejected` JSON object
 * (`{"amount": "n/a"}`), so nothing is lost and bad values are easy to find (`WHERE _rejected IS NOT NULL`).
 *
 * - null / missing → NULL, for every type. An empty or blank string is NULL too, except in text columns:
 *   providers use "" for "not set".
 * - string    → strings as they are; numbers and booleans as their JSON text; objects and arrays as their
 *   JSON text. Never rejected.
 * - integer   → whole numbers and whole-number strings ("42", "1500.00") within BIGINT range. Fractions
 *   ("1500.5") are rejected rather than rounded.
 * - number    → finite numbers and decimal strings ("1500.00", "-1.5e3"). "NaN", "Infinity" and "1,500"
 *   are rejected.
 * - boolean   → booleans, 0/1, and the strings true/false, t/f, yes/no, y/n, 1/0 (any case).
 * - timestamp → numbers and digit strings as epoch milliseconds (HubSpot's "1704164645000"); ISO 8601
 *   strings ("2024-01-02", "2024-01-02T03:04:05.000Z", "2024-01-02 03:04:05+02:00", up to microseconds).
 *   A string without an offset is read as UTC (the writer connection runs in UTC).
 * - json      → the JSON value as is (a string stays a JSON string).
 *
 * Because JSON text is the input, values JSON cannot carry arrive as the engine's canonical JSON made them:
 * NaN and Infinity as null (so NULL, not rejected), Dates as ISO strings, bigints as numbers. Since the
 * staged text does not tell a JSON number from a string, a decimal string ("1704164645000.5") is read as
 * epoch milliseconds like the number would be. ISO spellings DuckDB does not parse (lowercase "t"/"z", a
 * comma before the fraction, a space before the offset, a date with an offset but no time) are rejected.
 */

/**
 * Exactly the characters JS's `String.prototype.trim` strips, as an RE2 class (checked against every BMP
 * code point). A regular expression is several times cheaper here than `trim` with a character list.
 */
const WHITESPACE = String.raw`[\s\p{Z}\x{FEFF}\x0B]`;
const EDGE_WHITESPACE = quoteLiteral(`^${WHITESPACE}+|${WHITESPACE}+$`);

// Regular expressions (RE2, and valid JS too; the Postgres destination applies them in JS) the text must match before it is cast: they keep out what DuckDB's casts
// accept beyond the policy ("0x10", "1_000", rounding "1500.5", "epoch", "24:00", "+24:00", 5-digit years).
export const WHOLE_NUMBER = String.raw`[+-]?\d+(?:\.0*)?`;
export const DECIMAL_NUMBER = String.raw`[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?`;
export const EPOCH_MILLIS = String.raw`-?\d+(?:\.\d+)?`;
export const ISO_TIMESTAMP = String.raw`\d{4}-\d{2}-\d{2}(?:[T ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?(?:Z|[+-](?:[01]\d|2[0-3])(?::?[0-5]\d)?)?)?`;
/** The range of a JS Date in milliseconds, comfortably inside TIMESTAMPTZ. */
const MAX_EPOCH_MS = "8.64e15";
const TRUE_WORDS = "('true', 't', 'yes', 'y', '1')";
const FALSE_WORDS = "('false', 'f', 'no', 'n', '0')";

/** True for column types whose values pass through untouched and are never rejected. */
export function isPassThrough(type: ColumnType): boolean {
  return type === "string" || type === "json";
}

/** SQL for the trimmed text of a raw VARCHAR value: what typed columns coerce; '' means "not set". */
export function trimmedSql(raw: string): string {
  return `regexp_replace(${raw}, ${EDGE_WHITESPACE}, '', 'g')`;
}

function matches(text: string, pattern: string): string {
  return `regexp_full_match(${text}, ${quoteLiteral(pattern)})`;
}

/**
 * SQL that types the trimmed text (a column reference) as `type`; it yields NULL for blank text and for
 * text that does not fit, never an error. Pass-through types return the text unchanged.
 */
export function typedSql(type: ColumnType, text: string): string {
  switch (type) {
    case "string":
    case "json":
      return text;
    case "integer":
      // Cast only the whole part: DuckDB would round "1500.5", which the pattern already refused.
      return `CASE WHEN ${matches(text, WHOLE_NUMBER)} THEN TRY_CAST(split_part(${text}, '.', 1) AS BIGINT) END`;
    case "number": {
      // "1e999" matches the pattern but casts to infinity, which the policy rejects.
      const number = `TRY_CAST(${text} AS DOUBLE)`;
      return `CASE WHEN ${matches(text, DECIMAL_NUMBER)} AND isfinite(${number}) THEN ${number} END`;
    }
    case "boolean":
      return `CASE WHEN lower(${text}) IN ${TRUE_WORDS} THEN true WHEN lower(${text}) IN ${FALSE_WORDS} THEN false END`;
    case "timestamp": {
      const millis = `TRY_CAST(${text} AS DOUBLE)`;
      return (
        `CASE WHEN ${matches(text, EPOCH_MILLIS)} THEN CASE WHEN abs(${millis}) <= ${MAX_EPOCH_MS} ` +
        `THEN make_timestamptz(CAST(round(${millis} * 1000) AS BIGINT)) END ` +
        `WHEN ${matches(text, ISO_TIMESTAMP)} THEN TRY_CAST(${text} AS TIMESTAMPTZ) END`
      );
    }
  }
}
