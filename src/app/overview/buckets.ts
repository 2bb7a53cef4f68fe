/** Time buckets for series: aligned, zero-filled, keyed by the ISO text of their start. Pure. */

export type BucketUnit = "hour" | "day";

export const BUCKET_MS: Record<BucketUnit, number> = { hour: 3_600_000, day: 86_400_000 };

/** How far back each bucket unit may go, and how far it goes when not told. */
export const BUCKET_LIMITS: Record<BucketUnit, { maxMs: number; defaultMs: number }> = {
  hour: { maxMs: 7 * 86_400_000, defaultMs: 86_400_000 },
  day: { maxMs: 90 * 86_400_000, defaultMs: 30 * 86_400_000 },
};

/** The start of the bucket `at` falls in (UTC). */
export function bucketStart(at: Date, unit: BucketUnit): Date {
  return new Date(Math.floor(at.getTime() / BUCKET_MS[unit]) * BUCKET_MS[unit]);
}

/**
 * How many leading characters of an ISO-8601 UTC timestamp name its bucket (`2026-11-30T05` an hour,
 * `2026-11-30` a day): the same text key in SQL (`substr`) and here.
 */
export const BUCKET_KEY_LENGTH: Record<BucketUnit, number> = { hour: 13, day: 10 };

/** The ISO timestamps of every bucket from the one `since` falls in through the one `until` falls in. */
export function bucketsBetween(since: Date, until: Date, unit: BucketUnit): string[] {
  const starts: string[] = [];
  for (let at = bucketStart(since, unit).getTime(); at <= until.getTime(); at += BUCKET_MS[unit]) {
    starts.push(new Date(at).toISOString());
  }
  return starts;
}
