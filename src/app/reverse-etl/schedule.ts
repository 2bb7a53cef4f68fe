/**
 * Scheduled reverse-ETL runs, on the same job queue as syncs (src/scheduler/jobs.ts): a dispatcher loop
 * enqueues a `retl.run` job for each reverse-ETL sync whose `next_run_at` has come, and the handler runs it.
 *
 * Guarantees:
 * - A due sync is enqueued once per slot: its `next_run_at` is moved to the next slot by a conditional update
 *   before the job is enqueued (two dispatchers never both take one slot), and the job key is per sync.
 * - A sync whose run is still going is not run twice: the run refuses to overlap (`conflict`), and the job
 *   ends without retrying (the next slot runs it).
 * - Missed slots (downtime) give one catch-up run, as syncs' frequencies do.
 * - The loop stops cleanly on its AbortSignal.
 */

import { SwitchyardError } from "../../core/index.ts";
import type { JobHandler, JobQueue } from "../../scheduler/jobs.ts";
import { runScheduledJobs, takeDueSlots } from "../../scheduler/scheduled-jobs.ts";
import { type ReverseEtlRun, type RunDeps, runReverseEtlSync } from "./run.ts";

export const RETL_RUN_JOB = "retl.run";

interface RetlJob {
  environment_id: string;
  sync_id: string;
}

/** The handler of `retl.run` jobs, for the process's one `jobs.work({...})` call; `onRunFinished` hears each run's end. */
export function reverseEtlJobHandlers(
  deps: RunDeps,
  onRunFinished?: (run: ReverseEtlRun) => void,
): Record<string, JobHandler> {
  return {
    async [RETL_RUN_JOB](payload, context) {
      const job = payload as RetlJob;
      try {
        const run = await runReverseEtlSync(deps, job.environment_id, job.sync_id, {
          signal: context.signal,
        });
        onRunFinished?.(run);
      } catch (error) {
        // Running already, stopped by a shutdown, or deleted since: the next slot (or nothing) runs it.
        if (error instanceof SwitchyardError && ["conflict", "run_aborted", "not_found"].includes(error.code))
          return;
        throw error;
      }
    },
  };
}

/** Asks for one run of the sync now, as its schedule does: a `retl.run` job, waiting once per sync. */
export async function enqueueReverseEtlRun(
  jobs: JobQueue,
  environmentId: string,
  syncId: string,
): Promise<void> {
  const job: RetlJob = { environment_id: environmentId, sync_id: syncId };
  await jobs.enqueue(RETL_RUN_JOB, job, { jobKey: `retl:${syncId}`, maxAttempts: 3 });
}

/** A finished run in one log line: its status, what the diff found and what was written. */
export function reverseEtlRunLine(run: ReverseEtlRun): string {
  const { added, changed, removed, unchanged, created, updated, deleted, failed, skipped } = run.stats;
  const counts =
    `diff +${added} ~${changed} -${removed} (${unchanged} unchanged); ` +
    `created ${created}, updated ${updated}, deleted ${deleted}, failed ${failed}, skipped ${skipped}`;
  return `Reverse-ETL sync ${run.sync_id}: run ${run.id} ${run.status}: ${counts}${run.error ? ` (${run.error})` : ""}`;
}

/** Enqueues every reverse-ETL sync due at `now` and moves its next run to the following slot. */
export async function enqueueDueReverseEtlRuns(
  deps: Pick<RunDeps, "db">,
  jobs: JobQueue,
  now = new Date(),
): Promise<string[]> {
  const taken = await takeDueSlots(deps.db, "retl_syncs", now);
  for (const sync of taken) await enqueueReverseEtlRun(jobs, sync.environment_id, sync.id);
  return taken.map((sync) => sync.id);
}

export interface ReverseEtlScheduleOptions {
  /** The queue `retl.run` jobs go through (in-process embedded, graphile-worker on Postgres). */
  jobs: JobQueue;
  signal: AbortSignal;
  /** Enqueue due syncs from this store: the scheduling process (npm start, `switchyard server`). */
  dispatch?: Pick<RunDeps, "db">;
  /**
   * Run `retl.run` jobs with these deps: the working process (npm start, `switchyard worker`). This is the
   * queue's one `work()` call, so the queue is stopped here when `signal` aborts.
   */
  work?: RunDeps;
  /** Runs at once in this process (default 2). */
  concurrency?: number;
  pollMs?: number;
  onRunFinished?: (run: ReverseEtlRun) => void;
  onError: (error: unknown) => void;
}

/**
 * Reverse-ETL schedules in one process, whichever part it plays: the dispatcher, the job handler, or both
 * (embedded). Resolves once `signal` aborted, the dispatcher stopped, and (when working) the queue's running
 * jobs returned.
 */
export async function runReverseEtlSchedules(options: ReverseEtlScheduleOptions): Promise<void> {
  const { dispatch } = options;
  await runScheduledJobs({
    ...options,
    dispatch: dispatch && (() => enqueueDueReverseEtlRuns(dispatch, options.jobs)),
    handlers: (deps) => reverseEtlJobHandlers(deps, options.onRunFinished),
    concurrency: options.concurrency ?? 2,
  });
}
