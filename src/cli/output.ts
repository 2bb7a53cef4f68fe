import { ApiError } from "../client/index.ts";
import { describeError, type RunStats, recordsProcessed, SwitchyardError } from "../core/index.ts";
import type { Run } from "../store/index.ts";

/** Exit codes: 0 ok, 1 the work failed (a run, a lookup), 2 the command was wrong. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Error codes that mean the command itself was wrong (exit 2), not the work it asked for. */
const USAGE_CODES: ReadonlySet<string> = new Set(["argument_invalid", "unknown_provider"]);

/** The exit code for an error that ended a command. */
export function exitCodeFor(error: unknown): number {
  return error instanceof SwitchyardError && USAGE_CODES.has(error.code) ? EXIT.usage : EXIT.failed;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Prints an error as `error: message` plus its hint, for people; never a stack trace. */
export function printError(error: unknown): void {
  const summary = error instanceof ApiError ? describeApiError(error) : describeError(error);
  process.stderr.write(`error: ${summary.message}\n`);
  if (summary.hint) process.stderr.write(`hint:  ${summary.hint}\n`);
}

/** What to do about an API problem that brought no hint of its own, by HTTP status. */
function hintForStatus(status: number): string {
  if (status === 401)
    return "Check the API key: --api-key, SWITCHYARD_API_KEY or <data-dir>/dev-api-key, for the server at this URL.";
  if (status === 403)
    return "This API key's environment may not do that; use a key of the right environment.";
  if (status === 404)
    return "Check the id; `switchyard connections list` and `switchyard syncs list` show the ids.";
  if (status === 429) return "The API is throttling this client; wait a moment and try again.";
  if (status >= 500)
    return "The server failed; its log says more. Try again, or report it with the server log.";
  return "Fix the request as the detail says and run the command again.";
}

/** An API problem document (RFC 9457) as a message (its title and detail) and a hint (its own, or one by status). */
function describeApiError(error: ApiError): { message: string; hint: string } {
  const problem = error.problem as { title?: string; detail: string; hint?: string; status: number };
  const title = problem.title ?? `HTTP ${error.status}`;
  return {
    message: `${title} (HTTP ${error.status}): ${problem.detail}`,
    hint: problem.hint ?? hintForStatus(error.status),
  };
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
