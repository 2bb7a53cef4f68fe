/**
 * Runs as jobs. The scheduling side (`switchyard server`, or embedded in one process) finds due and
 * asked-for syncs and enqueues one `sync.run` job per sync (job key `sync:<id>`, so a due run is enqueued
 * once however often it is seen); workers (`switchyard worker`) take the jobs and run them.
 *
 * A job's handler takes the sync's and its connection's leases first (store-queue.ts): that is what keeps a
 * sync from running twice at once and serialises the runs of a connection across every process, whatever
 * the queue does. While the run goes on the lease is renewed; a worker that dies stops renewing, and within
 * the lease's length (`leaseMs`, default 60 s; at once when its process is seen gone on the same host) the
 * reaper fails its run as `run_interrupted` and asks for the sync again. The next pass enqueues it again —
 * graphile-worker gives a job key whose job is still locked by the dead worker to a new job (and retires
 * the old one) — and another worker resumes the run from its last committed checkpoint. graphile-worker's
 * own 4-hour lock timeout is never waited for.
 */
import type { Kysely } from "kysely";
import { z } from "zod";
import { type Database, findDueSyncs, type Run } from "../store/index.ts";
import type { AccountSlot, AccountSlots } from "./account-slots.ts";
import { enqueueAll, type JobQueue } from "./jobs.ts";
import type { RunRequest, SyncClaim, SyncQueue } from "./queue.ts";
import { runClaimed, type SyncRunner } from "./scheduler.ts";
import type { StoreSyncQueue } from "./store-queue.ts";

export const SYNC_RUN_JOB = "sync.run";
const syncRunPayload = z.object({ syncId: z.string().min(1) });
/** One waiting job per sync. */
export const syncJobKey = (syncId: string) => `sync:${syncId}`;
/** Most syncs a dispatcher pass enqueues, by default. */
export const DEFAULT_DISPATCH_BATCH = 500;

/**
 * Enqueues one `sync.run` job per sync, all in one go (on Postgres one statement and one wake-up of the
 * workers for the batch, instead of one each: each wake-up also stirs every idle runner of every worker).
 */
export function enqueueSyncRuns(jobs: JobQueue, syncIds: readonly string[]): Promise<void> {
  return enqueueAll(
    jobs,
    [...new Set(syncIds)].map((syncId) => ({
      name: SYNC_RUN_JOB,
      payload: { syncId },
      options: { jobKey: syncJobKey(syncId) },
    })),
  );
}

export interface SyncDispatcherOptions {
  db: Kysely<Database>;
  jobs: JobQueue;
  /** Reaps dead workers' runs (asking for their syncs again) before each pass. */
  queue: Pick<SyncQueue, "reap" | "request">;
  /** How often to look for due syncs (default 1 s); `triggerNow` enqueues at once. */
  pollMs?: number;
  /** Most syncs enqueued per pass (default DEFAULT_DISPATCH_BATCH). */
  batch?: number;
  now?: () => Date;
  onError: (error: unknown) => void;
}

export interface SyncDispatcher {
  /** One pass: reap dead runs, enqueue every due sync. Returns how many syncs were enqueued. */
  tick(): Promise<number>;
  /** Passes every `pollMs` until `signal` aborts. */
  start(signal: AbortSignal): Promise<void>;
  /** Asks for a run of the sync now and enqueues its job (the API's "run now"). */
  triggerNow(syncId: string, request?: RunRequest): Promise<void>;
}

/** The scheduling side: it never runs a sync itself. */
export function createSyncDispatcher(options: SyncDispatcherOptions): SyncDispatcher {
  const { db, jobs, queue } = options;
  const now = options.now ?? (() => new Date());

  const dispatcher: SyncDispatcher = {
    async tick() {
      await queue.reap();
      const due = await findDueSyncs(db, now().toISOString(), options.batch ?? DEFAULT_DISPATCH_BATCH);
      await enqueueSyncRuns(
        jobs,
        due.map((sync) => sync.id),
      );
      return due.length;
    },
    async start(signal) {
      while (!signal.aborted) {
        await dispatcher.tick().catch(options.onError);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, options.pollMs ?? 1_000);
          function done() {
            clearTimeout(timer);
            signal.removeEventListener("abort", done);
            resolve();
          }
          signal.addEventListener("abort", done, { once: true });
        });
      }
    },
    async triggerNow(syncId, request = { fullRefresh: false }) {
      await queue.request(syncId, request);
      await jobs.enqueue(SYNC_RUN_JOB, { syncId }, { jobKey: syncJobKey(syncId) });
    },
  };
  return dispatcher;
}

export interface SyncWorkerOptions {
  jobs: JobQueue;
  /** The leases runs hold (its `leaseMs` bounds how long a dead worker's run waits to be taken over). */
  queue: StoreSyncQueue;
  run: SyncRunner;
  /** Most runs at once in this worker (default 4). */
  concurrency?: number;
  /** How often this worker reaps dead runs too, so takeover does not depend on the server (default leaseMs / 3). */
  reapMs?: number;
  /** At most `limit` runs at once per provider account, across every worker sharing `slots`. */
  accountLimit?: AccountLimit;
  onRunFinished?: (claim: SyncClaim, run: Run) => void;
  onError: (error: unknown) => void;
}

export interface AccountLimit {
  slots: AccountSlots;
  limit: number;
  /** The provider account a sync's runs draw on (its budget key); null when the sync is gone. */
  accountOf: (syncId: string) => Promise<string | null>;
  /** How long a job whose account has no free slot waits before it tries again (default 2 s). */
  retryMs?: number;
}

export interface SyncWorker {
  start(): Promise<void>;
  /** Stops taking jobs; running runs stop at their next page boundary (checkpointed) and are asked for again. */
  stop(): Promise<void>;
}

/** The worker side: takes `sync.run` jobs and runs their syncs when they are still due. */
export function createSyncWorker(options: SyncWorkerOptions): SyncWorker {
  const { jobs, queue } = options;
  let reaper: NodeJS.Timeout | undefined;

  async function handle(payload: unknown, context: { signal: AbortSignal }): Promise<void> {
    const { syncId } = syncRunPayload.parse(payload);
    if (context.signal.aborted) return;
    const slot = await takeAccountSlot(syncId);
    if (slot === "busy") return;
    try {
      await runIfDue(syncId, context);
    } finally {
      await slot?.release();
    }
  }

  /** The sync's account slot: null without a limit (or a sync gone), "busy" when full (the job waits and retries). */
  async function takeAccountSlot(syncId: string): Promise<AccountSlot | null | "busy"> {
    const limit = options.accountLimit;
    if (!limit) return null;
    const account = await limit.accountOf(syncId);
    if (account === null) return null;
    const slot = await limit.slots.take(account, limit.limit);
    if (slot) return slot;
    // This job is running, so the same key makes a new job behind it (and the dispatcher's keep its time).
    await jobs.enqueue(
      SYNC_RUN_JOB,
      { syncId },
      { jobKey: syncJobKey(syncId), runAt: new Date(Date.now() + (limit.retryMs ?? 2_000)) },
    );
    return "busy";
  }

  async function runIfDue(syncId: string, context: { signal: AbortSignal }): Promise<void> {
    // Not due any more (run by another worker, deleted, disabled, its connection busy): nothing to do.
    const claim = await queue.claimSync(syncId);
    if (!claim) return;
    const abort = new AbortController();
    const stop = () => abort.abort(context.signal.reason);
    context.signal.addEventListener("abort", stop, { once: true });
    try {
      const run = await runClaimed(queue, claim, options.run, abort, {
        cutOff: () => context.signal.aborted,
        onError: options.onError,
      });
      if (run) options.onRunFinished?.(claim, run);
    } finally {
      context.signal.removeEventListener("abort", stop);
    }
  }

  return {
    async start() {
      reaper = setInterval(
        () => void queue.reap().catch(options.onError),
        options.reapMs ?? Math.max(1, Math.floor(queue.leaseMs / 3)),
      );
      reaper.unref();
      if (options.accountLimit && options.accountLimit.limit < 1)
        throw new RangeError("The per-account limit must be 1 or more.");
      await jobs.work(
        { [SYNC_RUN_JOB]: handle },
        { concurrency: options.concurrency ?? 4, onError: options.onError },
      );
    },
    async stop() {
      clearInterval(reaper);
      await jobs.stop();
      await options.accountLimit?.slots.close();
    },
  };
}
