/**
 * Converts a provider's value to the column type a discovered schema gives its field, so destinations
 * (which type new columns from values) see numbers as numbers and times as ISO-8601. Never guesses: a value
 * that is not of its type is a problem, said exactly.
 */
import type { ColumnType } from "../../core/index.ts";
import { parseCursorValue } from "./cursor-format.ts";

const CANONICAL_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export type Converted = { ok: true; value: unknown } | { ok: false; problem: string };

/** The value as `type`; empty values (null, "") become null. */
export function convertValue(raw: unknown, type: ColumnType): Converted {
  if (raw === null || raw === undefined || raw === "") return { ok: true, value: null };
  if (type === "json") return { ok: true, value: raw };
  if (typeof raw === "object") return { ok: false, problem: `is ${describe(raw)}, not a ${type}` };
  switch (type) {
    case "string":
      return { ok: true, value: String(raw) };
    case "number":
    case "integer": {
      const value = typeof raw === "number" ? raw : Number(String(raw).trim());
      if (typeof raw === "boolean" || !Number.isFinite(value))
        return { ok: false, problem: `${JSON.stringify(raw)} is not a number` };
      if (type === "integer" && !Number.isInteger(value))
        return { ok: false, problem: `${JSON.stringify(raw)} is not a whole number` };
      return { ok: true, value };
    }
    case "boolean": {
      // Case-insensitive: some APIs send `TRUE` (older properties, CSV-born values).
      const text = typeof raw === "string" ? raw.toLowerCase() : raw;
      if (text === true || text === "true") return { ok: true, value: true };
      if (text === false || text === "false") return { ok: true, value: false };
      return { ok: false, problem: `${JSON.stringify(raw)} is not true or false` };
    }
    case "timestamp": {
      // Already what we emit (the usual form of many APIs): check it parses, skip re-formatting (hot path).
      if (typeof raw === "string" && CANONICAL_ISO.test(raw) && Number.isFinite(Date.parse(raw)))
        return { ok: true, value: raw };
      const ms = parseCursorValue(raw, "unix_ms");
      if (ms === null || !Number.isFinite(ms))
        return { ok: false, problem: `${JSON.stringify(raw)} is not a date or time` };
      return { ok: true, value: new Date(ms).toISOString() };
    }
  }
}

function describe(value: object): string {
  return Array.isArray(value) ? "an array" : "an object";
}
