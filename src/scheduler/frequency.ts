/**
 * How often a sync runs: an interval (`30s`, `15m`, `1h30m`, `1d`; at least 30 s) or a 5-field cron
 * expression (`*\/15 * * * *`, `0 6 * * MON-FRI`, `@daily`) read in the sync's IANA time zone (UTC by default),
 * daylight saving included. Cron parsing is croner's.
 */
import { Cron } from "croner";
import { ArgumentError } from "../core/index.ts";

/** The shortest interval between runs of a sync. */
export const MIN_INTERVAL_MS = 30_000;
/** The longest interval: a sync runs at least once a year. */
const MAX_INTERVAL_MS = 366 * 86_400_000;

export type Frequency =
  | { kind: "interval"; text: string; ms: number }
  | { kind: "cron"; text: string; cron: Cron };

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000 } as const;
const INTERVAL = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/**
 * Parses a frequency, a cron expression being read in `timeZone` (an IANA name; UTC when null). Throws
 * argument_invalid saying what is wrong and what is accepted. Check the zone first with `parseTimeZone`.
 */
export function parseFrequency(text: string, timeZone: string | null = null): Frequency {
  const trimmed = text.trim();
  const interval = INTERVAL.exec(trimmed);
  if (trimmed !== "" && interval) return parseInterval(trimmed, interval);
  if (/^\d+$/.test(trimmed)) {
    throw new ArgumentError(
      `Frequency "${text}" has no unit.`,
      `Write an interval with units, e.g. "${trimmed}s" or "${trimmed}m", or a 5-field cron expression.`,
    );
  }
  return parseCron(text, trimmed, timeZone ?? "UTC");
}

function parseInterval(text: string, match: RegExpExecArray): Frequency {
  const [, d, h, m, s] = match;
  const ms =
    Number(d ?? 0) * UNIT_MS.d +
    Number(h ?? 0) * UNIT_MS.h +
    Number(m ?? 0) * UNIT_MS.m +
    Number(s ?? 0) * UNIT_MS.s;
  if (ms < MIN_INTERVAL_MS) {
    throw new ArgumentError(
      `Frequency "${text}" is shorter than 30 seconds.`,
      'Syncs run at most every 30 seconds; use "30s" or longer.',
    );
  }
  if (ms > MAX_INTERVAL_MS) {
    throw new ArgumentError(
      `Frequency "${text}" is longer than a year.`,
      'Use "366d" or less, or a cron expression.',
    );
  }
  return { kind: "interval", text, ms };
}

function parseCron(text: string, trimmed: string, timeZone: string): Frequency {
  let cron: Cron;
  try {
    cron = new Cron(trimmed, { mode: "5-part", timezone: timeZone });
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^CronPattern: /, "") : String(error);
    throw new ArgumentError(
      `Frequency "${text}" is neither an interval nor a valid cron expression: ${reason}`,
      'Use an interval such as "30s", "15m", "1h" or "1d", or a 5-field cron expression such as ' +
        '"*/15 * * * *" (minute hour day-of-month month day-of-week, read in the sync\'s time zone).',
    );
  }
  if (!cron.nextRun()) {
    throw new ArgumentError(
      `Cron expression "${text}" never matches a future time.`,
      "Check the day and month fields (e.g. February has no 30th).",
    );
  }
  return { kind: "cron", text, cron };
}

/**
 * When a sync with this frequency runs next if a run starts at `from`: one interval later, or the cron's
 * first slot strictly after `from`. Missed slots are never returned, so downtime yields one catch-up run.
 */
export function nextRunAfter(frequency: Frequency, from: Date): Date | null {
  if (frequency.kind === "interval") return new Date(from.getTime() + frequency.ms);
  return frequency.cron.nextRun(from);
}
