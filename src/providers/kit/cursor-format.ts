/**
 * How an incremental cursor is written: in the request parameter that takes it, and in the records' cursor
 * field. Internally a cursor is epoch milliseconds; state keeps it as an ISO-8601 string.
 */
import { z } from "zod";

export const cursorFormatSchema = z.enum([
  /** `2025-01-02T03:04:05.678Z` */
  "iso8601",
  /** `2025-01-02T03:04:05Z` (no fraction: some APIs reject milliseconds) */
  "iso8601_seconds",
  /** `2025-01-02 03:04:05`, UTC (Pipedrive v1 style) */
  "datetime_space",
  /** `2025-01-02` */
  "date",
  /** `1735786245` */
  "unix_seconds",
  /** `1735786245678` */
  "unix_ms",
]);

export type CursorFormat = z.infer<typeof cursorFormatSchema>;

/**
 * The cursor as the request parameter takes it. Rounds down (to the second, or the day), so the
 * parameter never asks for less than the cursor covers.
 */
export function formatCursor(ms: number, format: CursorFormat): string | number {
  const iso = new Date(ms).toISOString();
  switch (format) {
    case "iso8601":
      return iso;
    case "iso8601_seconds":
      return `${iso.slice(0, 19)}Z`;
    case "datetime_space":
      return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
    case "date":
      return iso.slice(0, 10);
    case "unix_seconds":
      return Math.floor(ms / 1000);
    case "unix_ms":
      return ms;
  }
}

const WITHOUT_ZONE = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DIGITS = /^-?\d+(\.\d+)?$/;

/**
 * Epoch milliseconds of a record's cursor value; null for an empty value; NaN when it is not a time.
 * Numbers (and numeric strings) are read as `format` says (seconds or milliseconds; milliseconds unless
 * the format is `unix_seconds`). Date-times without a zone are UTC.
 */
export function parseCursorValue(value: unknown, format: CursorFormat): number | null {
  if (value === null || value === undefined || value === "") return null;
  if (typeof value === "number") return format === "unix_seconds" ? value * 1000 : value;
  if (typeof value !== "string") return Number.NaN;
  const text = value.trim();
  if (DIGITS.test(text)) return parseCursorValue(Number(text), format);
  if (DATE_ONLY.test(text)) return Date.parse(`${text}T00:00:00Z`);
  if (WITHOUT_ZONE.test(text)) return Date.parse(`${text.replace(" ", "T")}Z`);
  return Date.parse(text);
}
