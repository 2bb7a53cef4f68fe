/**
 * The transforms a flow's field rule may apply, in order, to the source value: a small, safe set (no code is
 * evaluated). Each is total: a value it cannot apply to passes through as it is (a null stays null, except
 * for `default`), so a record never fails because of a transform.
 */
import { valueAt } from "../reverse-etl/mapping.ts";
import type { Transform } from "./definitions.ts";

type Source = Readonly<Record<string, unknown>>;

/** The value after every transform; `record` is the whole source record (for `concat`). */
export function applyTransforms(value: unknown, transforms: readonly Transform[], record: Source): unknown {
  let at = value;
  for (const transform of transforms) at = applyOne(at, transform, record);
  return at;
}

function applyOne(value: unknown, transform: Transform, record: Source): unknown {
  switch (transform.op) {
    case "lowercase":
      return typeof value === "string" ? value.toLowerCase() : value;
    case "uppercase":
      return typeof value === "string" ? value.toUpperCase() : value;
    case "trim":
      return typeof value === "string" ? value.trim() : value;
    case "concat": {
      const parts = [value, ...transform.fields.map((path) => valueAt(record, path))]
        .filter((part) => part !== null && part !== undefined && part !== "")
        .map(String);
      return parts.length === 0 ? null : parts.join(transform.separator ?? " ");
    }
    case "map_values": {
      const key = value === null || value === undefined ? "" : String(value);
      if (Object.hasOwn(transform.values, key)) return transform.values[key];
      return transform.otherwise !== undefined ? transform.otherwise : value;
    }
    case "default":
      return value === null || value === undefined || value === "" ? transform.value : value;
    case "date_format":
      return formatDate(value, transform.format);
  }
}

/** A date (ISO text, or epoch seconds / milliseconds) in `format`; what is not a date passes through. */
function formatDate(value: unknown, format: "date" | "datetime" | "unix_s" | "unix_ms"): unknown {
  const date = toDate(value);
  if (!date) return value;
  switch (format) {
    case "date":
      return date.toISOString().slice(0, 10);
    case "datetime":
      return date.toISOString();
    case "unix_s":
      return Math.floor(date.getTime() / 1000);
    case "unix_ms":
      return date.getTime();
  }
}

/** Epoch numbers below 1e11 are seconds (until the year 5138), above are milliseconds. */
export function toDate(value: unknown): Date | undefined {
  if (value === null || value === undefined || value === "") return undefined;
  const numeric = typeof value === "number" ? value : /^\d+$/.test(String(value)) ? Number(value) : undefined;
  const date =
    numeric !== undefined
      ? new Date(numeric < 1e11 ? numeric * 1000 : numeric)
      : new Date(String(value).replace(/^(\d{4}-\d{2}-\d{2}) (\d)/, "$1T$2"));
  return Number.isNaN(date.getTime()) ? undefined : date;
}
