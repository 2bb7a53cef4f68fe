/**
 * Embedded mode's scheduling in one process: the same job interface as scale-out (sync-jobs.ts), backed by
 * the in-process job queue, with no services. The dispatcher enqueues due syncs and the worker runs them,
 * both here; leases in the store still keep CLI runs and other processes on the same file out.
 */
import type { Kysely } from "kysely";
import type { Database, Run } from "../store/index.ts";
import { createInProcessJobQueue } from "./jobs-in-process.ts";
import type { RunRequest, SyncClaim } from "./queue.ts";
import type { SyncRunner } from "./scheduler.ts";
import { createStoreSyncQueue } from "./store-queue.ts";
import { createSyncDispatcher, createSyncWorker } from "./sync-jobs.ts";

export interface EmbeddedSchedulerOptions {
  db: Kysely<Database>;
  run: SyncRunner;
  /** Most runs at once (default 4). */
  concurrency?: number;
  /** How often to look for due syncs (default 1 s). */
  pollMs?: number;
  onRunFinished?: (claim: SyncClaim, run: Run) => void;
  onError: (error: unknown) => void;
}

export interface EmbeddedScheduler {
  /**
   * Schedules and runs until `signal` aborts; then stops running runs at their next checkpoint, asks for
   * their syncs again (the next start resumes them), and resolves. Call it once.
   */
  start(signal: AbortSignal): Promise<void>;
  /** Asks for a run of the sync now (after its current run, if one is going). */
  triggerNow(syncId: string, request?: RunRequest): Promise<void>;
}

export function createEmbeddedScheduler(options: EmbeddedSchedulerOptions): EmbeddedScheduler {
  const jobs = createInProcessJobQueue();
  const leases = createStoreSyncQueue(options.db);
  const dispatcher = createSyncDispatcher({
    db: options.db,
    jobs,
    queue: leases,
    ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
    onError: options.onError,
  });
  const worker = createSyncWorker({
    jobs,
    queue: leases,
    run: options.run,
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(options.onRunFinished ? { onRunFinished: options.onRunFinished } : {}),
    onError: options.onError,
  });
  return {
    async start(signal) {
      await worker.start();
      await dispatcher.start(signal);
      await worker.stop();
    },
    triggerNow: (syncId, request) => dispatcher.triggerNow(syncId, request),
  };
}
