import { describeError, type RunStats, recordsProcessed } from "../core/index.ts";
import type { Run } from "../store/index.ts";

/** Exit codes: 0 ok, 1 the work failed (a run, a lookup), 2 the command was wrong. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Prints an error as `error: message` plus its hint, for people; never a stack trace. */
export function printError(error: unknown): void {
  const summary = describeError(error);
  process.stderr.write(`error: ${summary.message}\n`);
  if (summary.hint) process.stderr.write(`hint:  ${summary.hint}\n`);
}

export function formatStats(stats: RunStats): string {
  const seconds = stats.durationMs / 1000;
  const rate = seconds > 0 ? Math.round(recordsProcessed(stats) / seconds) : 0;
  return [
    `${stats.recordsAdded} added, ${stats.recordsUpdated} updated, ${stats.recordsUnchanged} unchanged, ${stats.recordsDeleted} deleted`,
    `${stats.pages} pages, ${stats.requests} requests, ${stats.retries} retries, ${stats.rateLimitWaits} rate-limit waits`,
    `${(stats.bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s (${rate} records/s)`,
  ].join("; ");
}

export function formatRunLine(run: Run): string {
  const processed = recordsProcessed(run.stats);
  return [
    run.id,
    run.status.padEnd(9),
    run.startedAt,
    `${processed} records`.padEnd(16),
    `${(run.stats.durationMs / 1000).toFixed(1)}s`,
    run.error ? `  ${run.error.code}: ${run.error.message}` : "",
  ].join("  ");
}
