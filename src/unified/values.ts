/** Reading providers' raw values as the Common Models want them; shared by every provider's mappers. */

/** A non-empty string value, or null. */
export function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const out = String(value).trim();
  return out === "" ? null : out;
}

/** A date-time as ISO 8601 UTC (from an ISO string or epoch milliseconds), or null. */
export function timestampOf(value: unknown): string | null {
  const raw = text(value);
  if (raw === null) return null;
  const ms = /^-?\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

/**
 * A whole number within Merge's 32-bit integer fields (amounts are rounded to whole units), or null when the
 * value is not a number or does not fit; the exact value stays in `remote_data`.
 */
export function int32Of(value: unknown): number | null {
  const raw = text(value);
  if (raw === null) return null;
  const n = Math.round(Number(raw));
  return Number.isFinite(n) && n >= -2_147_483_648 && n <= 2_147_483_647 ? n : null;
}
