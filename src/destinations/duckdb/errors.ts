import { setTimeout as delay } from "node:timers/promises";
import { DestinationError } from "../../core/index.ts";

/** The DuckDB file is locked by another process; the hint says which one holds it. */
export class DuckDbFileLockedError extends DestinationError {
  override readonly hint: string;

  constructor(path: string, cause: unknown) {
    const pid = /PID (\d+)/.exec(causeMessage(cause))?.[1];
    super("duckdb", `cannot open warehouse file "${path}": it is locked by another process.`, { cause });
    this.hint = `Another process${pid ? ` (PID ${pid})` : ""} holds "${path}": a Switchyard run writing it, or a reader such as \`duckdb\`. DuckDB lets one process write a file, and none while another has it open; Switchyard opens the warehouse only while a run writes it. Retry when that process is done, or point this one at another warehouse file.`;
  }
}

/** A read query from `query()` failed; nothing was written. */
export class DuckDbQueryError extends DestinationError {
  override readonly hint: string;

  constructor(problem: string, cause: unknown) {
    super("duckdb", problem, { cause });
    this.hint = "Check the SQL; each stream is a table named after it (e.g. hubspot_contacts).";
  }
}

/** True when DuckDB refused to open a file because another process holds its lock. */
export function isLockError(error: unknown): boolean {
  return /Could not set lock on file|Conflicting lock is held/i.test(causeMessage(error));
}

/** How often a locked file is tried again. */
const LOCK_RETRY_MS = 100;

/**
 * Runs `attempt`, trying again every LOCK_RETRY_MS while another process holds the file's lock, for up to
 * `lockWaitMs`; then throws `timedOut(lastError)`. Any other error is thrown as is.
 */
export async function retryWhileLocked<T>(
  lockWaitMs: number,
  attempt: () => Promise<T>,
  timedOut: (error: unknown) => Error,
): Promise<T> {
  const deadline = Date.now() + lockWaitMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (!isLockError(error)) throw error;
      if (Date.now() >= deadline) throw timedOut(error);
      await delay(LOCK_RETRY_MS);
    }
  }
}

/** The message of anything thrown. */
export function causeMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
