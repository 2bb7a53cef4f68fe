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
import { retlDb } from "../../flows/reverse-etl/store.ts";
import { nextRunAfter, parseFrequency } from "../../scheduler/frequency.ts";
import type { JobHandler, JobQueue } from "../../scheduler/jobs.ts";
import { type RunDeps, runReverseEtlSync } from "./run.ts";

export const RETL_RUN_JOB = "retl.run";

interface RetlJob {
  environment_id: string;
  sync_id: string;
}

/** The handler of `retl.run` jobs, for the process's one `jobs.work({...})` call. */
export function reverseEtlJobHandlers(deps: RunDeps): Record<string, JobHandler> {
  return {
    async [RETL_RUN_JOB](payload, context) {
      const job = payload as RetlJob;
      try {
        await runReverseEtlSync(deps, job.environment_id, job.sync_id, { signal: context.signal });
      } catch (error) {
        // Running already, stopped by a shutdown, or deleted since: the next slot (or nothing) runs it.
        if (error instanceof SwitchyardError && ["conflict", "run_aborted", "not_found"].includes(error.code))
          return;
        throw error;
      }
    },
  };
}

/** Enqueues every reverse-ETL sync due at `now` and moves its next run to the following slot. */
export async function enqueueDueReverseEtlRuns(
  deps: Pick<RunDeps, "db">,
  jobs: JobQueue,
  now = new Date(),
): Promise<string[]> {
  const db = retlDb(deps.db);
  const due = await db
    .selectFrom("retl_syncs")
    .select(["id", "environment_id", "frequency", "time_zone", "next_run_at"])
    .where("next_run_at", "is not", null)
    .where("next_run_at", "<=", now.toISOString())
    .execute();
  const enqueued: string[] = [];
  for (const sync of due) {
    let next: string | null = null;
    try {
      next = sync.frequency
        ? (nextRunAfter(parseFrequency(sync.frequency, sync.time_zone), now)?.toISOString() ?? null)
        : null;
    } catch {
      next = null; // A frequency that no longer parses stops the schedule rather than looping.
    }
    const taken = await db
      .updateTable("retl_syncs")
      .set({ next_run_at: next })
      .where("id", "=", sync.id)
      .where("next_run_at", "=", sync.next_run_at)
      .executeTakeFirst();
    if (Number(taken.numUpdatedRows) !== 1) continue;
    const job: RetlJob = { environment_id: sync.environment_id, sync_id: sync.id };
    await jobs.enqueue(RETL_RUN_JOB, job, { jobKey: `retl:${sync.id}`, maxAttempts: 3 });
    enqueued.push(sync.id);
  }
  return enqueued;
}

/** Looks for due reverse-ETL syncs every `pollMs` until `signal` aborts. */
export async function runReverseEtlDispatcher(options: {
  deps: Pick<RunDeps, "db">;
  jobs: JobQueue;
  signal: AbortSignal;
  pollMs?: number;
  onError: (error: unknown) => void;
}): Promise<void> {
  const pollMs = options.pollMs ?? 1000;
  while (!options.signal.aborted) {
    try {
      await enqueueDueReverseEtlRuns(options.deps, options.jobs);
    } catch (error) {
      options.onError(error);
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, pollMs);
      options.signal.addEventListener(
        "abort",
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  }
}
