/**
 * When embedded syncs run: on their schedule, and soon after their source's records change (a push, or a
 * read of its Postgres), debounced. Due syncs become `embedded.run` jobs on the same job queue as syncs and
 * reverse-ETL runs.
 *
 * Guarantees:
 * - A change makes each of the source's syncs due at most DEBOUNCE_MS later, never later than it was due
 *   already: pushes in a row within that window give one run, which sees them all.
 * - A due sync is enqueued once per slot: its `next_run_at` moves to the next scheduled slot (or null) by a
 *   conditional update before the job is enqueued, so two dispatchers never both take one slot.
 * - A run that finds the (sync, connection) still running skips that connection (its runs refuse to overlap);
 *   the next change or slot runs it.
 * - The loop stops cleanly on its AbortSignal.
 */
import { SwitchyardError } from "../../core/index.ts";
import type { JobHandler, JobQueue } from "../../scheduler/jobs.ts";
import { runScheduledJobs, takeDueSlots } from "../../scheduler/scheduled-jobs.ts";
import type { PlatformDeps } from "../platform.ts";
import { type EmbeddedRun, type EmbeddedRunDeps, runEmbeddedSync } from "./run.ts";

export const EMBEDDED_RUN_JOB = "embedded.run";

interface EmbeddedJob {
  environment_id: string;
  sync_id: string;
}

/** The handler of `embedded.run` jobs, for the process's one `jobs.work({...})` call; `onRunFinished` hears each run. */
export function embeddedJobHandlers(
  deps: EmbeddedRunDeps,
  onRunFinished?: (run: EmbeddedRun) => void,
): Record<string, JobHandler> {
  return {
    async [EMBEDDED_RUN_JOB](payload, context) {
      const job = payload as EmbeddedJob;
      try {
        const run = await runEmbeddedSync(deps, job.environment_id, job.sync_id, { signal: context.signal });
        onRunFinished?.(run);
      } catch (error) {
        // Stopped by a shutdown, or deleted since: the next change or slot (or nothing) runs it.
        if (error instanceof SwitchyardError && ["run_aborted", "not_found"].includes(error.code)) return;
        throw error;
      }
    },
  };
}

/** Enqueues every embedded sync due at `now` and moves its next run to its following slot. */
export async function enqueueDueEmbeddedRuns(
  deps: Pick<PlatformDeps, "db">,
  jobs: JobQueue,
  now = new Date(),
): Promise<string[]> {
  const taken = await takeDueSlots(deps.db, "embedded_syncs", now);
  for (const sync of taken) {
    const job: EmbeddedJob = { environment_id: sync.environment_id, sync_id: sync.id };
    await jobs.enqueue(EMBEDDED_RUN_JOB, job, { jobKey: `embedded:${sync.id}`, maxAttempts: 3 });
  }
  return taken.map((sync) => sync.id);
}

/** A finished embedded run in one log line: its status and each connection's counts. */
export function embeddedRunLine(run: EmbeddedRun): string {
  const parts = run.connections.map((c) => {
    const stats = c.run?.stats;
    const counts = stats
      ? `created ${stats.created}, updated ${stats.updated}, deleted ${stats.deleted}, failed ${stats.failed}`
      : (c.message ?? "");
    return `${c.provider} ${c.connection_id} ${c.status} (${counts})`;
  });
  return `Embedded sync ${run.sync_id} ${run.status}: ${parts.join("; ") || "no connections"}`;
}

/**
 * Embedded syncs in one process, whichever part it plays: the dispatcher (npm start, `switchyard server`), the
 * `embedded.run` handler (npm start, `switchyard worker`; the queue's one `work()` call), or both. Resolves once
 * `signal` aborted, the dispatcher stopped and the running jobs returned.
 */
export async function runEmbeddedSchedules(options: {
  jobs: JobQueue;
  signal: AbortSignal;
  dispatch?: Pick<PlatformDeps, "db">;
  work?: EmbeddedRunDeps;
  pollMs?: number;
  onRunFinished?: (run: EmbeddedRun) => void;
  onError: (error: unknown) => void;
}): Promise<void> {
  const { dispatch } = options;
  await runScheduledJobs({
    ...options,
    dispatch: dispatch && (() => enqueueDueEmbeddedRuns(dispatch, options.jobs)),
    handlers: (deps) => embeddedJobHandlers(deps, options.onRunFinished),
    concurrency: 1,
  });
}
