import { type DuckDBTimestampTZValue, timestampTZValue } from "@duckdb/node-api";
import type { ColumnType } from "../../core/index.ts";

/*
 * Coercion policy — what a record value becomes in its typed column.
 *
 * Providers send loosely typed JSON (HubSpot sends every property as a string), so values are coerced to
 * the column's type on the way in. A value that cannot be coerced never fails the sync: the column gets
 * NULL and the original value is kept under its column name in the row's `_rejected` JSON object
 * (`{"amount": "n/a"}`), so nothing is lost and bad values are easy to find (`WHERE _rejected IS NOT NULL`).
 *
 * - null / undefined → NULL, for every type. An empty or blank string is NULL too, except in text columns:
 *   providers use "" for "not set".
 * - string    → strings as they are; numbers, booleans and bigints as text; Dates as ISO 8601; objects and
 *   arrays as their JSON text. Never rejected.
 * - integer   → whole numbers and whole-number strings ("42", "1500.00") within BIGINT range. Fractions
 *   ("1500.5") are rejected rather than truncated.
 * - number    → finite numbers and decimal strings ("1500.00", "-1.5e3"). NaN, Infinity and "1,500" are
 *   rejected.
 * - boolean   → booleans, 0/1, and the strings true/false, t/f, yes/no, 1/0 (any case).
 * - timestamp → Dates; numbers and digit strings as epoch milliseconds (HubSpot's "1704164645000"); ISO 8601
 *   strings ("2024-01-02", "2024-01-02T03:04:05.000Z", "2024-01-02 03:04:05+02:00", up to microseconds).
 *   A string without an offset is read as UTC.
 * - json      → the JSON encoding of any value (a string becomes a JSON string). Values JSON cannot encode
 *   (cycles, functions) are rejected.
 */

/** The value written to the staging table for one cell. */
export type CellValue = string | number | bigint | boolean | DuckDBTimestampTZValue | null;

/** Returned by `coerceValue` when a value does not fit its column; the caller keeps the original. */
export const REJECTED: unique symbol = Symbol("rejected");

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** The range of a JS Date, which is also comfortably inside TIMESTAMPTZ. */
const MAX_EPOCH_MS = 8.64e15;

const WHOLE_NUMBER = /^[+-]?\d+(?:\.0*)?$/;
const DECIMAL_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const EPOCH_MILLIS = /^-?\d+$/;
const ISO_TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;
const TRUE_WORDS = new Set(["true", "t", "yes", "y", "1"]);
const FALSE_WORDS = new Set(["false", "f", "no", "n", "0"]);

/** Converts one value to the column type, or returns REJECTED; never throws. */
export function coerceValue(value: unknown, type: ColumnType): CellValue | typeof REJECTED {
  if (value === null || value === undefined) return null;
  switch (type) {
    case "string":
      return toText(value);
    case "integer":
      return toBigInt(value);
    case "number":
      return toDouble(value);
    case "boolean":
      return toBoolean(value);
    case "timestamp":
      return toTimestamp(value);
    case "json":
      return toJsonText(value) ?? REJECTED;
  }
}

/** JSON text for any value: bigints become strings; undefined when JSON cannot encode it. */
export function toJsonText(value: unknown): string | undefined {
  try {
    return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  } catch {
    return undefined;
  }
}

function toText(value: unknown): string {
  switch (typeof value) {
    case "string":
      return value;
    case "number":
    case "boolean":
    case "bigint":
      return String(value);
    default:
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? String(value) : value.toISOString();
      return toJsonText(value) ?? String(value);
  }
}

/** A trimmed string, or null when the string is blank (providers' "not set"). */
function blankToNull(value: string): string | null {
  const trimmed = value.trim();
  return trimmed === "" ? null : trimmed;
}

function toBigInt(value: unknown): bigint | null | typeof REJECTED {
  if (typeof value === "bigint") return inInt64(value);
  if (typeof value === "number") return Number.isInteger(value) ? inInt64(BigInt(value)) : REJECTED;
  if (typeof value !== "string") return REJECTED;
  const text = blankToNull(value);
  if (text === null) return null;
  if (!WHOLE_NUMBER.test(text)) return REJECTED;
  const dot = text.indexOf(".");
  return inInt64(BigInt(dot === -1 ? text : text.slice(0, dot)));
}

function inInt64(value: bigint): bigint | typeof REJECTED {
  return value < INT64_MIN || value > INT64_MAX ? REJECTED : value;
}

function toDouble(value: unknown): number | null | typeof REJECTED {
  if (typeof value === "number") return Number.isFinite(value) ? value : REJECTED;
  if (typeof value === "bigint") return Number(value);
  if (typeof value !== "string") return REJECTED;
  const text = blankToNull(value);
  if (text === null) return null;
  if (!DECIMAL_NUMBER.test(text)) return REJECTED;
  const parsed = Number(text);
  return Number.isFinite(parsed) ? parsed : REJECTED;
}

function toBoolean(value: unknown): boolean | null | typeof REJECTED {
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return value === 1 ? true : value === 0 ? false : REJECTED;
  if (typeof value !== "string") return REJECTED;
  const text = blankToNull(value);
  if (text === null) return null;
  const word = text.toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return REJECTED;
}

function toTimestamp(value: unknown): DuckDBTimestampTZValue | null | typeof REJECTED {
  if (value instanceof Date) return fromEpochMillis(value.getTime());
  if (typeof value === "number") return fromEpochMillis(value);
  if (typeof value !== "string") return REJECTED;
  const text = blankToNull(value);
  if (text === null) return null;
  if (EPOCH_MILLIS.test(text)) return fromEpochMillis(Number(text));
  const micros = parseIsoMicros(text);
  return micros === undefined ? REJECTED : timestampTZValue(micros);
}

function fromEpochMillis(ms: number): DuckDBTimestampTZValue | typeof REJECTED {
  if (!Number.isFinite(ms) || Math.abs(ms) > MAX_EPOCH_MS) return REJECTED;
  return timestampTZValue(BigInt(Math.round(ms * 1000)));
}

/** Microseconds since the epoch for an ISO 8601 date or date-time; undefined if it is not a real instant. */
function parseIsoMicros(text: string): bigint | undefined {
  const m = ISO_TIMESTAMP.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = "0", mi = "0", s = "0", fraction = "", zulu, sign, offH = "0", offM = "0"] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return undefined;
  if (hour > 23 || minute > 59 || second > 59 || Number(offH) > 23 || Number(offM) > 59) return undefined;
  const utcMs = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear puts them back.
  const exactMs = year < 100 ? new Date(utcMs).setUTCFullYear(year) : utcMs;
  const offsetMinutes = zulu || !sign ? 0 : (sign === "-" ? -1 : 1) * (Number(offH) * 60 + Number(offM));
  const fractionMicros = BigInt(fraction.padEnd(6, "0").slice(0, 6));
  return BigInt(exactMs - offsetMinutes * 60_000) * 1000n + fractionMicros;
}
