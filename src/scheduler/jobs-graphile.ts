/**
 * The Postgres JobQueue: graphile-worker (its own schema `graphile_worker`, migrated on open). Jobs are
 * taken with SKIP LOCKED by any number of worker processes; new jobs wake workers through LISTEN/NOTIFY.
 *
 * Named queues (graphile's `queue_name`) are deliberately not used for per-connection serialisation: a
 * named queue whose worker died stays locked for graphile's fixed 4 h. The connection lease (renewed while a
 * run goes on, reaped within its configurable length) serialises runs of a connection instead; see
 * sync-jobs.ts for how a dead worker's run is taken over.
 *
 * Postgres going away (a restart, a failover) must not leave a process that takes no more jobs. When a
 * handler returns while the server is down, graphile-worker cannot mark the job done or failed, retires the
 * worker that ran it ("committing seppuku") and does not start another. The queue starts one in its place
 * (retrying until the server answers again); the job itself stays locked until graphile's lock timeout, and
 * a sync's run is asked for again by the lease reaper meanwhile (sync-jobs.ts).
 */
import { EventEmitter } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import {
  Logger,
  makeWorkerUtils,
  type Runner,
  type RunnerOptions,
  run,
  type WorkerEvents,
  type WorkerUtils,
} from "graphile-worker";
import pg from "pg";
import { ConfigError } from "../core/index.ts";
import {
  checkedConcurrency,
  DEFAULT_MAX_ATTEMPTS,
  type JobContext,
  type JobHandler,
  type JobQueue,
  type JobSpec,
} from "./jobs.ts";

export interface GraphileJobQueueOptions {
  connectionString: string;
  /**
   * The connections to use, shared with other queues of the process (see createJobQueuePool); its opener ends
   * it after stopping every queue on it. Default: a pool of the queue's own, ended by stop().
   */
  pool?: pg.Pool;
  /** How often idle workers look for jobs besides LISTEN/NOTIFY (default 2 s). */
  pollMs?: number;
  /** First wait before starting a retired worker's replacement again after it failed to start (default 1 s, doubling up to 10 s). */
  replaceRetryMs?: number;
}

/** graphile-worker logs through this: its errors go to `onError`, the rest is dropped (runs have their own logs). */
function quietLogger(onError: (error: unknown) => void): Logger {
  return new Logger(() => (level, message) => {
    if (level === "error") onError(new Error(`Job queue: ${message}`));
  });
}

/** Listeners allowed per pool and per client before Node warns: queues sharing one pool, two each, and ours. */
const LISTENERS_PER_POOL = 64;

/**
 * The connections of one or more queues, for their whole life, listened to for errors from open to close: a
 * connection the server closes (a restart, a failover) raises 'error' on the pool or on its client, and pg
 * drops it (the next query opens another). graphile's own pools lose their listeners when a runner stops and
 * ends them, and a connection closed meanwhile raised an uncaught error.
 *
 * A process working several queues (`switchyard worker` has one per kind of job) shares one pool: each
 * runner holds one connection for LISTEN and borrows others only to take and complete a job, so separate
 * pools each kept idle connections of their own (about 23 connections per worker; 4 workers and the server
 * would not fit in Postgres's default 100).
 */
export function createJobQueuePool(connectionString: string, max = 20): pg.Pool {
  const pool = new pg.Pool({ connectionString, max });
  // graphile listens for 'error' and 'connect' on the pool, and for 'error' on each new client, once per
  // utils and once per runner using it (removed when they stop): a worker's six queues add a dozen, more
  // than Node's default warning bound of 10, without leaking.
  pool.setMaxListeners(LISTENERS_PER_POOL);
  pool.on("error", () => undefined);
  pool.on("connect", (client) => {
    client.setMaxListeners(LISTENERS_PER_POOL);
    client.on("error", () => undefined);
  });
  return pool;
}

/**
 * Runs `migrate` (graphile-worker's migrations) in one process at a time. A server and workers started
 * together on a new database all create the graphile_worker schema at once, and all but one failed with
 * "duplicate key value violates unique constraint pg_namespace_nspname_index". A session advisory lock, held
 * on a connection of its own, makes the others wait and then find the schema made.
 */
async function oneMigratorAtATime<T>(pool: pg.Pool, migrate: () => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("select pg_advisory_lock(hashtext($1))", [MIGRATION_LOCK]);
    try {
      return await migrate();
    } finally {
      await client.query("select pg_advisory_unlock(hashtext($1))", [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}

/** The advisory lock's name (hashed to its key): only the queue's migrations take it. */
const MIGRATION_LOCK = "switchyard:graphile-worker:migrate";

/** Opens the queue: migrates graphile-worker's schema; fails with ConfigError when Postgres is unreachable. */
export async function createGraphileJobQueue(options: GraphileJobQueueOptions): Promise<JobQueue> {
  let onError: (error: unknown) => void = () => undefined;
  const logger = quietLogger((error) => onError(error));
  const pool = options.pool ?? createJobQueuePool(options.connectionString);
  const endPool = () => (options.pool ? Promise.resolve() : pool.end());
  let utils: WorkerUtils;
  try {
    // makeWorkerUtils migrates graphile-worker's schema (and so does each runner's start, once it exists).
    utils = await oneMigratorAtATime(pool, () => makeWorkerUtils({ pgPool: pool, logger }));
  } catch (error) {
    await endPool().catch(() => undefined);
    throw new ConfigError(
      `Could not open the job queue on Postgres: ${error instanceof Error ? error.message : String(error)}`,
      "Check DATABASE_URL and that its user may create the graphile_worker schema.",
    );
  }
  const abort = new AbortController();
  let runners: RunnerSet | undefined;
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
    async enqueueMany(specs) {
      if (specs.length === 0) return;
      await utils.withPgClient((client) => client.query(ADD_JOBS, [JSON.stringify(specs.map(jobSpecRow))]));
    },
    async work(handlers, work) {
      if (runners) throw new Error("work() was already called on this queue.");
      onError = work.onError;
      const taskList = Object.fromEntries(
        Object.entries(handlers).map(([name, handler]) => [name, asTask(handler, abort.signal)]),
      );
      runners = createRunnerSet(
        {
          pgPool: pool,
          pollInterval: options.pollMs ?? 2_000,
          // The process decides what SIGTERM does (stop(): checkpoint, then exit).
          noHandleSignals: true,
          logger,
          taskList,
        },
        { retryMs: options.replaceRetryMs ?? 1_000, onError: (error) => onError(error) },
      );
      await runners.start(checkedConcurrency(work.concurrency));
    },
    stop() {
      stopping ??= (async () => {
        abort.abort(new Error("The job queue is stopping."));
        // Waits for the running handlers, which return soon after their signal aborted.
        await runners?.stop();
        await utils.release();
        // Not awaited, as graphile ends its own pools: end() waits for every checked-out client, and a client
        // a stopped runner never gave back would hold the shutdown forever (idle ones close at once).
        void endPool().catch(() => undefined);
      })();
      return stopping;
    },
  };
}

/**
 * graphile-worker's add_jobs (its SQL API): one statement and one NOTIFY for the whole batch, where addJob
 * takes one each. `true`: a waiting job of the same key keeps its time, as enqueue's preserve_run_at.
 */
const ADD_JOBS = `select count(*) from graphile_worker.add_jobs(
  array(select json_populate_record(null::graphile_worker.job_spec, spec) from json_array_elements($1::json) as spec),
  true)`;

/** A job as a row of graphile_worker.job_spec (as JSON). */
function jobSpecRow(spec: JobSpec) {
  return {
    identifier: spec.name,
    payload: spec.payload,
    run_at: spec.options?.runAt?.toISOString() ?? null,
    max_attempts: spec.options?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    job_key: spec.options?.jobKey ?? null,
  };
}

/** The graphile-worker runners of one work() call: the first, plus one per worker graphile retired. */
interface RunnerSet {
  /** Starts the first runner; throws when Postgres is unreachable. */
  start(concurrency: number): Promise<void>;
  /** Stops replacing and stops every runner (each waits for its running jobs). */
  stop(): Promise<void>;
}

function createRunnerSet(
  runOptions: Omit<RunnerOptions, "concurrency" | "events">,
  options: { retryMs: number; onError: (error: unknown) => void },
): RunnerSet {
  const running = new Set<Runner>();
  const replacing = new Set<Promise<void>>();
  let stopped = false;
  const stopping = new AbortController();

  async function startRunner(concurrency: number): Promise<void> {
    const events: WorkerEvents = new EventEmitter();
    let workers = concurrency;
    const runner = await run({ ...runOptions, concurrency, events });
    running.add(runner);
    if (stopped) return stopRunner(runner);
    events.on("worker:fatalError", () => {
      // graphile has logged why (through the queue's logger); this runner has one worker fewer for good.
      workers -= 1;
      if (workers === 0) void stopRunner(runner);
      if (stopped) return;
      const replacement = replaceWorker().finally(() => replacing.delete(replacement));
      replacing.add(replacement);
    });
  }

  async function stopRunner(runner: Runner): Promise<void> {
    if (!running.delete(runner)) return;
    await runner.stop().catch(options.onError);
  }

  /** Starts a one-worker runner, trying again (waits doubling up to 10 s) while Postgres does not answer. */
  async function replaceWorker(): Promise<void> {
    for (let wait = options.retryMs; !stopped; wait = Math.min(wait * 2, 10_000)) {
      try {
        await startRunner(1);
        return;
      } catch (error) {
        options.onError(
          new Error(
            `Job queue: could not start a worker in place of a retired one (trying again in ${wait} ms): ${error instanceof Error ? error.message : String(error)}`,
          ),
        );
      }
      await sleep(wait, undefined, { signal: stopping.signal }).catch(() => undefined);
    }
  }

  return {
    start: (concurrency) => startRunner(concurrency),
    async stop() {
      stopped = true;
      stopping.abort();
      await Promise.all(replacing);
      await Promise.all([...running].map(stopRunner));
    },
  };
}

function asTask(handler: JobHandler, signal: AbortSignal) {
  return async (payload: unknown, helpers: { job: { attempts: number } }) => {
    const context: JobContext = { signal, attempt: helpers.job.attempts };
    await handler(payload, context);
  };
}
