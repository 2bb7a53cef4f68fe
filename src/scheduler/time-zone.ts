/**
 * IANA time zones of syncs: checked by the runtime's own zone database (the one croner computes with), and
 * used to show a sync's next start as the local time of that zone.
 */
import { ArgumentError } from "../core/index.ts";

/**
 * The canonical name of an IANA time zone (`europe/paris` → `Europe/Paris`); throws argument_invalid for a
 * name the zone database does not know.
 */
export function parseTimeZone(text: string): string {
  const trimmed = text.trim();
  try {
    // Offsets such as `+02:00` are refused: they ignore daylight saving, which is what a zone is for.
    if (!/^[A-Za-z]/.test(trimmed)) throw new RangeError("not a zone name");
    return new Intl.DateTimeFormat("en-US", { timeZone: trimmed }).resolvedOptions().timeZone;
  } catch {
    throw new ArgumentError(
      `Time zone "${text}" is not an IANA time zone.`,
      'Use a name from the IANA time zone database, such as "Europe/Paris", "America/New_York" or "UTC".',
    );
  }
}

/**
 * `date` as the local time of `timeZone` with its UTC offset, in ISO 8601 (`2025-06-02T09:00:00-04:00`).
 */
export function formatInTimeZone(date: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      timeZoneName: "longOffset",
    })
      .formatToParts(date)
      .map((part) => [part.type, part.value]),
  );
  // longOffset is `GMT+02:00`, or plain `GMT` at UTC.
  const offset = parts.timeZoneName === "GMT" ? "+00:00" : String(parts.timeZoneName).slice(3);
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset}`;
}
