/**
 * The Postgres JobQueue: graphile-worker (its own schema `graphile_worker`, migrated on open). Jobs are
 * taken with SKIP LOCKED by any number of worker processes; new jobs wake workers through LISTEN/NOTIFY.
 *
 * Named queues (graphile's `queue_name`) are deliberately not used for per-connection serialisation: a
 * named queue whose worker died stays locked for graphile's fixed 4 h. The connection lease (renewed while a
 * run goes on, reaped within its configurable length) serialises runs of a connection instead; see
 * sync-jobs.ts for how a dead worker's run is taken over.
 */
import { Logger, makeWorkerUtils, type Runner, run, type WorkerUtils } from "graphile-worker";
import { ConfigError } from "../core/index.ts";
import {
  checkedConcurrency,
  DEFAULT_MAX_ATTEMPTS,
  type JobContext,
  type JobHandler,
  type JobQueue,
} from "./jobs.ts";

export interface GraphileJobQueueOptions {
  connectionString: string;
  /** How often idle workers look for jobs besides LISTEN/NOTIFY (default 2 s). */
  pollMs?: number;
}

/** graphile-worker logs through this: its errors go to `onError`, the rest is dropped (runs have their own logs). */
function quietLogger(onError: (error: unknown) => void): Logger {
  return new Logger(() => (level, message) => {
    if (level === "error") onError(new Error(`Job queue: ${message}`));
  });
}

/** Opens the queue: migrates graphile-worker's schema; fails with ConfigError when Postgres is unreachable. */
export async function createGraphileJobQueue(options: GraphileJobQueueOptions): Promise<JobQueue> {
  let onError: (error: unknown) => void = () => undefined;
  const logger = quietLogger((error) => onError(error));
  let utils: WorkerUtils;
  try {
    utils = await makeWorkerUtils({ connectionString: options.connectionString, logger });
    await utils.migrate();
  } catch (error) {
    throw new ConfigError(
      `Could not open the job queue on Postgres: ${error instanceof Error ? error.message : String(error)}`,
      "Check DATABASE_URL and that its user may create the graphile_worker schema.",
    );
  }
  const abort = new AbortController();
  let runner: Runner | undefined;
  let stopping: Promise<void> | undefined;

  return {
    kind: "postgres",
    async enqueue(name, payload, spec = {}) {
      await utils.addJob(name, payload, {
        // A waiting job keeps its time: enqueueing it again never moves it earlier (see EnqueueOptions).
        ...(spec.jobKey !== undefined ? { jobKey: spec.jobKey, jobKeyMode: "preserve_run_at" } : {}),
        ...(spec.runAt ? { runAt: spec.runAt } : {}),
        maxAttempts: spec.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      });
    },
    async work(handlers, work) {
      if (runner) throw new Error("work() was already called on this queue.");
      onError = work.onError;
      const taskList = Object.fromEntries(
        Object.entries(handlers).map(([name, handler]) => [name, asTask(handler, abort.signal)]),
      );
      runner = await run({
        connectionString: options.connectionString,
        concurrency: checkedConcurrency(work.concurrency),
        pollInterval: options.pollMs ?? 2_000,
        // The process decides what SIGTERM does (stop(): checkpoint, then exit).
        noHandleSignals: true,
        logger,
        taskList,
      });
    },
    stop() {
      stopping ??= (async () => {
        abort.abort(new Error("The job queue is stopping."));
        // Waits for the running handlers, which return soon after their signal aborted.
        await runner?.stop();
        await utils.release();
      })();
      return stopping;
    },
  };
}

function asTask(handler: JobHandler, signal: AbortSignal) {
  return async (payload: unknown, helpers: { job: { attempts: number } }) => {
    const context: JobContext = { signal, attempt: helpers.job.attempts };
    await handler(payload, context);
  };
}
