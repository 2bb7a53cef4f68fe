/**
 * The job queue every process kind shares: the scheduling side enqueues, workers take and run. Two
 * backends implement it: in-process (embedded mode, no services: jobs-in-process.ts) and graphile-worker on
 * Postgres (DATABASE_URL: jobs-graphile.ts). No home-made queue on Postgres.
 *
 * Jobs are wake-ups, not the truth about what runs: a sync job's handler still takes the sync's and the
 * connection's leases (sync-leases.ts) before running, so a job taken twice (a retried or replaced job) runs
 * its sync at most once at a time, and per-connection serialisation holds across every process.
 */

export interface EnqueueOptions {
  /**
   * Makes enqueueing idempotent: while a job with this key waits, enqueueing again updates its payload and
   * keeps its time (one job). A job with this key that already runs is left alone (and will not be retried);
   * a new one waits behind it.
   */
  jobKey?: string;
  /** Not before this time (default: now). */
  runAt?: Date;
  /** Attempts before the job is given up (default 5). */
  maxAttempts?: number;
}

/** What a handler receives besides its payload. */
export interface JobContext {
  /** Aborts when the queue stops (graceful shutdown): finish or checkpoint the current page, then return. */
  signal: AbortSignal;
  /** The job's attempt, from 1. */
  attempt: number;
}

/** Handles one job; throwing fails the attempt (it is retried with backoff until maxAttempts). */
export type JobHandler = (payload: unknown, context: JobContext) => Promise<void>;

export interface WorkOptions {
  /** Most jobs at once in this process (default 4). */
  concurrency?: number;
  /** Problems of a job or of the queue itself; the queue keeps going. */
  onError: (error: unknown) => void;
}

/** One job of a batch (enqueueAll). */
export interface JobSpec {
  name: string;
  payload: unknown;
  options?: EnqueueOptions;
}

export interface JobQueue {
  /** Which backend this is (`in-process` or `postgres`), for logs and health. */
  readonly kind: "in-process" | "postgres";
  enqueue(name: string, payload: unknown, options?: EnqueueOptions): Promise<void>;
  /**
   * Enqueues every job as `enqueue` would, in one go (on Postgres: one statement and one wake-up of the
   * workers instead of one each). Keys must differ within a batch. Optional: see enqueueAll.
   */
  enqueueMany?(jobs: readonly JobSpec[]): Promise<void>;
  /** Starts taking jobs of these names in this process. Call once. */
  work(handlers: Readonly<Record<string, JobHandler>>, options: WorkOptions): Promise<void>;
  /**
   * Stops taking jobs, aborts the running ones' signals, waits for their handlers to return, and lets go of
   * the queue's resources. Jobs not started stay queued for the next worker. Calling it again waits for the same stop.
   */
  stop(): Promise<void>;
}

/** Enqueues a batch: with the queue's enqueueMany when it has one, else one job after the other. */
export async function enqueueAll(queue: JobQueue, jobs: readonly JobSpec[]): Promise<void> {
  if (jobs.length === 0) return;
  if (queue.enqueueMany) return queue.enqueueMany(jobs);
  for (const job of jobs) await queue.enqueue(job.name, job.payload, job.options);
}

/** Default attempts of a job before it is given up. */
export const DEFAULT_MAX_ATTEMPTS = 5;

export function checkedConcurrency(concurrency: number | undefined): number {
  const value = concurrency ?? 4;
  if (!Number.isInteger(value) || value < 1) throw new RangeError("concurrency must be 1 or more.");
  return value;
}
