import type { ColumnType } from "../../core/index.ts";
import { DECIMAL_NUMBER, EPOCH_MILLIS, ISO_TIMESTAMP, WHOLE_NUMBER } from "../duckdb/sql-coercion.ts";

/*
 * The warehouse coercion policy (documented in ../duckdb/sql-coercion.ts and docs/warehouse.md), applied in
 * JS for Postgres: a value is first read as text the way DuckDB's json_transform reads it (strings as they
 * are, anything else as its JSON text), then typed by the same patterns. A value that does not fit yields
 * `rejected`, and the writer keeps its original JSON in `_rejected`.
 *
 * One difference Postgres forces: its text and jsonb cannot hold the NUL character, so NUL becomes U+FFFD.
 */

/** What a value that does not fit its column yields. */
export const REJECTED: unique symbol = Symbol("rejected");

/**
 * What a column receives: a value (null for SQL NULL), written as its text by ./upsert.ts, or REJECTED.
 * Bare values, not wrapped in objects: this runs for every field of every record a sync writes.
 */
export type Coerced = string | number | boolean | null | object | typeof REJECTED;

const full = (pattern: string) => new RegExp(`^(?:${pattern})$`);
const WHOLE = full(WHOLE_NUMBER);
const DECIMAL = full(DECIMAL_NUMBER);
const EPOCH = full(EPOCH_MILLIS);
const ISO = full(ISO_TIMESTAMP);
/** ISO_TIMESTAMP again, with its parts captured (the pattern above has already vouched for the shape). */
const ISO_PARTS =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;
const TRUE_WORDS = new Set(["true", "t", "yes", "y", "1"]);
const FALSE_WORDS = new Set(["false", "f", "no", "n", "0"]);
const BIGINT_MIN = -(2n ** 63n);
const BIGINT_MAX = 2n ** 63n - 1n;
/** The range of a JS Date in milliseconds, comfortably inside timestamptz. */
const MAX_EPOCH_MS = 8.64e15;

/** Replaces NUL, which Postgres text cannot hold, with U+FFFD. */
export function withoutNul(text: string): string {
  return text.includes("\u0000") ? text.replaceAll("\u0000", "\uFFFD") : text;
}

/** Coerces one field value (as JSON.parse gave it) to a column of `type`. */
export function coerceValue(type: ColumnType, value: unknown): Coerced {
  if (value === null || value === undefined) return null;
  if (type === "json") return withoutNulDeep(value) as object;
  const text = typeof value === "string" ? value : JSON.stringify(value);
  if (type === "string") return withoutNul(text);
  const trimmed = text.trim();
  if (trimmed === "") return null;
  return typedText(type, trimmed) ?? REJECTED;
}

function typedText(type: Exclude<ColumnType, "string" | "json">, text: string) {
  switch (type) {
    case "integer": {
      if (!WHOLE.test(text)) return undefined;
      const whole = BigInt(text.split(".")[0]!);
      if (whole < BIGINT_MIN || whole > BIGINT_MAX) return undefined;
      // As text: a bigint past 2^53 would lose digits as a JSON number.
      return whole.toString();
    }
    case "number": {
      const number = Number(text);
      return DECIMAL.test(text) && Number.isFinite(number) ? number : undefined;
    }
    case "boolean": {
      const lower = text.toLowerCase();
      if (TRUE_WORDS.has(lower)) return true;
      return FALSE_WORDS.has(lower) ? false : undefined;
    }
    case "timestamp": {
      const usual = canonicalIso(text);
      if (usual !== undefined) return usual;
      if (EPOCH.test(text)) {
        const millis = Number(text);
        return Math.abs(millis) <= MAX_EPOCH_MS ? isoFromMicros(Math.round(millis * 1000)) : undefined;
      }
      return ISO.test(text) ? parseIso(text) : undefined;
    }
  }
}

/** JS's own ISO form (`toISOString`), which most APIs send: milliseconds and Z. */
const JS_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** Days of each month in a common year. */
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * parseIso's answer for a timestamp in JS's ISO form, without a Date: a time that exists (proleptic
 * Gregorian, as Date and Postgres count) is already UTC with milliseconds, and needs only three more
 * digits. Undefined when the fast way does not apply (parseIso then decides). Profiled: this is every
 * timestamp of a HubSpot sync, and going through Date cost ~4% of a Postgres worker's CPU.
 */
function canonicalIso(text: string): string | undefined {
  if (text.length !== 24 || !JS_ISO.test(text)) return undefined;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  if (month < 1 || month > 12 || day < 1) return undefined;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : MONTH_DAYS[month - 1]!)) return undefined;
  if (digitsAt(text, 11, 2) > 23 || digitsAt(text, 14, 2) > 59 || digitsAt(text, 17, 2) > 59)
    return undefined;
  return `${text.slice(0, 23)}000Z`;
}

/** The number spelled by `count` ASCII digits of `text` from `at` (the caller has checked they are digits). */
function digitsAt(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) value = value * 10 + text.charCodeAt(i) - 48;
  return value;
}

/** An ISO-8601 timestamp as UTC text with microseconds; undefined for a date that does not exist (Feb 30). */
function parseIso(text: string): string | undefined {
  const parts = ISO_PARTS.exec(text);
  if (!parts) return undefined;
  const [, year, month, day, hour = "0", minute = "0", second = "0", fraction = "", offset] = parts;
  const date = new Date(0);
  date.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  if (date.getUTCMonth() !== Number(month) - 1 || date.getUTCDate() !== Number(day)) return undefined;
  date.setUTCHours(Number(hour), Number(minute), Number(second), 0);
  let millis = date.getTime();
  if (offset && offset !== "Z") {
    const digits = offset.replace(":", "");
    const sign = digits.startsWith("-") ? -1 : 1;
    millis -= sign * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5) || 0)) * 60_000;
  }
  // Microseconds, as DuckDB and Postgres keep them (a 7th digit onward is dropped).
  const micros = Number(fraction.padEnd(6, "0").slice(0, 6));
  return isoFromMicros(millis * 1000 + micros);
}

/**
 * Epoch microseconds as ISO-8601 UTC text with six fraction digits, which timestamptz reads exactly;
 * undefined outside years 0000–9999 (JS spells those "+010000-…", which Postgres does not read).
 */
function isoFromMicros(micros: number): string | undefined {
  const millis = Math.floor(micros / 1000);
  const rest = micros - millis * 1000;
  const iso = new Date(millis).toISOString();
  if (!/^\d{4}-/.test(iso)) return undefined;
  return `${iso.slice(0, -1)}${String(rest).padStart(3, "0")}Z`;
}

/** `withoutNul` through a JSON value: Postgres refuses NUL even escaped inside JSON. */
export function withoutNulDeep(value: unknown): unknown {
  if (typeof value === "string") return withoutNul(value);
  if (Array.isArray(value)) return value.map(withoutNulDeep);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [withoutNul(key), withoutNulDeep(inner)]),
    );
  }
  return value;
}
