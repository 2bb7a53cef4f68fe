/**
 * HubSpot sends every property value as a string. These turn them into the column types streams
 * declare, and say exactly what was wrong when a value cannot be one.
 */
import type { ColumnType } from "../../core/index.ts";

export type Converted = { ok: true; value: unknown } | { ok: false; problem: string };

type Raw = string | number | boolean | null | undefined;

/** The column type for a HubSpot property type (`number`, `bool`, `datetime`, …) from the properties API. */
export function columnTypeOf(hubspotType: string): ColumnType {
  switch (hubspotType) {
    case "number":
      return "number";
    case "bool":
      return "boolean";
    case "date":
    case "datetime":
      return "timestamp";
    default:
      return "string";
  }
}

/** Converts one raw value; empty values become null. Never guesses: an unconvertible value is a problem. */
export function convertValue(raw: Raw, type: ColumnType): Converted {
  if (raw === null || raw === undefined || raw === "") return { ok: true, value: null };
  switch (type) {
    case "number":
    case "integer": {
      const value = typeof raw === "number" ? raw : Number(String(raw).trim());
      if (!Number.isFinite(value)) return { ok: false, problem: `${JSON.stringify(raw)} is not a number` };
      if (type === "integer" && !Number.isInteger(value)) {
        return { ok: false, problem: `${JSON.stringify(raw)} is not a whole number` };
      }
      return { ok: true, value };
    }
    case "boolean": {
      const text = String(raw).toLowerCase();
      if (text === "true") return { ok: true, value: true };
      if (text === "false") return { ok: true, value: false };
      return { ok: false, problem: `${JSON.stringify(raw)} is not true or false` };
    }
    case "timestamp":
      return convertTimestamp(raw);
    case "json":
      return { ok: true, value: raw };
    default:
      return { ok: true, value: String(raw) };
  }
}

const CANONICAL_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * An ISO-8601 UTC timestamp from what HubSpot uses for times: ISO date-times, `YYYY-MM-DD` dates,
 * or epoch milliseconds (older properties).
 */
export function convertTimestamp(raw: Raw): Converted {
  if (raw === null || raw === undefined || raw === "") return { ok: true, value: null };
  const text = String(raw).trim();
  // HubSpot's usual form is already what we emit: check it parses, skip re-formatting (hot path).
  if (CANONICAL_ISO.test(text) && Number.isFinite(Date.parse(text))) return { ok: true, value: text };
  const ms = /^-?\d+$/.test(text)
    ? Number(text)
    : Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  if (!Number.isFinite(ms)) return { ok: false, problem: `${JSON.stringify(raw)} is not a date or time` };
  return { ok: true, value: new Date(ms).toISOString() };
}

/** Epoch ms of an ISO timestamp we produced or HubSpot sent; NaN when it is not one. */
export function millisOf(iso: string): number {
  return Date.parse(iso);
}
