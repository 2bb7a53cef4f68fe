/**
 * Definitions that run on a schedule as jobs (reverse-ETL syncs, embedded syncs): a table row per definition
 * with `next_run_at`, a dispatcher that enqueues the due ones, and a job handler that runs them. This module
 * is the part they share; each kind names its table, its job and its handler.
 *
 * Guarantees:
 * - A due definition is enqueued once per slot: its `next_run_at` moves to its next slot (or null) by a
 *   conditional update before the job is enqueued, so two dispatchers never both take one slot.
 * - Missed slots (downtime) give one catch-up run.
 * - A frequency that no longer parses stops the schedule rather than looping.
 * - The loops stop cleanly on their AbortSignal, leaving no listener behind.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Kysely } from "kysely";
import type { Database } from "../store/index.ts";
import { nextRunAfter, parseFrequency } from "./frequency.ts";
import type { JobHandler, JobQueue } from "./jobs.ts";

/** The columns every scheduled definition's table has. */
interface ScheduledRow {
  id: string;
  environment_id: string;
  frequency: string | null;
  time_zone: string | null;
  next_run_at: string | null;
}

/** When a definition of this schedule runs next after `from`; null without a frequency (or one that no longer parses). */
export function nextSlot(frequency: string | null, timeZone: string | null, from: Date): string | null {
  if (frequency === null) return null;
  try {
    return nextRunAfter(parseFrequency(frequency, timeZone), from)?.toISOString() ?? null;
  } catch {
    return null;
  }
}

/**
 * Takes every definition of `table` due at `now`: moves each one's `next_run_at` to its following slot and
 * returns those this call moved (another dispatcher's are left to it).
 */
export async function takeDueSlots(
  db: Kysely<Database>,
  table: string,
  now: Date,
): Promise<Pick<ScheduledRow, "id" | "environment_id">[]> {
  // The table is the caller's (retl_syncs, embedded_syncs…): only the scheduled columns are touched.
  const tables = db as unknown as Kysely<Record<string, ScheduledRow>>;
  const due = await tables
    .selectFrom(table)
    .select(["id", "environment_id", "frequency", "time_zone", "next_run_at"])
    .where("next_run_at", "is not", null)
    .where("next_run_at", "<=", now.toISOString())
    .execute();
  const taken: Pick<ScheduledRow, "id" | "environment_id">[] = [];
  for (const row of due) {
    const moved = await tables
      .updateTable(table)
      .set({ next_run_at: nextSlot(row.frequency, row.time_zone, now) })
      .where("id", "=", row.id)
      .where("next_run_at", "=", row.next_run_at)
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) === 1) taken.push({ id: row.id, environment_id: row.environment_id });
  }
  return taken;
}

export interface ScheduledJobsOptions<WorkDeps> {
  /** The queue the jobs go through (in-process embedded, graphile-worker on Postgres). */
  jobs: JobQueue;
  signal: AbortSignal;
  /** Enqueue due definitions: the scheduling process (npm start, `switchyard server`). */
  dispatch?: () => Promise<unknown>;
  /**
   * Run the jobs with these deps: the working process (npm start, `switchyard worker`). This is the queue's
   * one `work()` call, so the queue is stopped here when `signal` aborts.
   */
  work?: WorkDeps;
  handlers: (deps: WorkDeps) => Record<string, JobHandler>;
  /** Jobs at once in this process. */
  concurrency: number;
  /** How often due definitions are looked for (default 1 s). */
  pollMs?: number;
  onError: (error: unknown) => void;
}

/**
 * One kind of scheduled jobs in one process, whichever part it plays: the dispatcher, the job handler, or
 * both (embedded). Resolves once `signal` aborted, the dispatcher stopped, and (when working) the queue's
 * running jobs returned.
 */
export async function runScheduledJobs<WorkDeps>(options: ScheduledJobsOptions<WorkDeps>): Promise<void> {
  const { signal, onError } = options;
  if (options.work)
    await options.jobs.work(options.handlers(options.work), { concurrency: options.concurrency, onError });
  if (options.dispatch) {
    while (!signal.aborted) {
      try {
        await options.dispatch();
      } catch (error) {
        onError(error);
      }
      // Resolves early (rejecting, caught) when the signal aborts.
      await sleep(options.pollMs ?? 1000, undefined, { signal }).catch(() => undefined);
    }
  } else if (!signal.aborted)
    await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
  if (options.work) await options.jobs.stop();
}
