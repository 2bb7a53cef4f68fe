/** When a failed delivery is tried again: an exponential schedule over about a day, with jitter. */

/** Waits after each failed attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (8 attempts, ~27.6 h). */
export const DEFAULT_RETRY_SCHEDULE_MS: readonly number[] = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
];

/**
 * The wait after failed attempt number `attempt` (1-based), or undefined when the schedule is exhausted.
 * `jitter` (0..1) spreads each wait by up to ± that fraction, so endpoints that failed together do not all
 * come back at once.
 */
export function retryDelay(
  schedule: readonly number[],
  attempt: number,
  jitter: number,
  random: () => number = Math.random,
): number | undefined {
  const base = schedule[attempt - 1];
  if (base === undefined) return undefined;
  return Math.max(0, Math.round(base * (1 + jitter * (2 * random() - 1))));
}
