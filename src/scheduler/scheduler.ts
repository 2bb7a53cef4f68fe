/**
 * The scheduler loop: it polls a SyncQueue for due syncs, runs up to `concurrency` of them at once, keeps
 * each run's lease alive while it runs, and stops cleanly when its AbortSignal fires.
 */
import type { Run } from "../store/index.ts";
import { failedOnLostDatabase } from "./database-outage.ts";
import type { RunRequest, SyncClaim, SyncQueue } from "./queue.ts";

/** Runs one claimed sync to its end and returns the run; must stop soon after `signal` aborts. */
export type SyncRunner = (claim: SyncClaim, signal: AbortSignal) => Promise<Run>;

export interface SchedulerOptions {
  queue: SyncQueue;
  run: SyncRunner;
  /** Most runs at once in this scheduler, across all syncs (default 4). */
  concurrency?: number;
  /** How often to look for due syncs (default 1 s); a trigger or a finished run looks at once. */
  pollMs?: number;
  /** Called after every run with its outcome. */
  onRunFinished?: (claim: SyncClaim, run: Run) => void;
  /** Problems of the loop itself (database unavailable, a runner that threw); the loop keeps going. */
  onError: (error: unknown) => void;
}

export interface Scheduler {
  /**
   * Runs the loop until `signal` aborts. Then it claims nothing more, aborts in-flight runs (they end as
   * failed `run_aborted`, state kept at their last checkpoint), waits for them, gives back their leases
   * asking for their syncs again (so the next start resumes them), and resolves. Call it once.
   */
  start(signal: AbortSignal): Promise<void>;
  /** Asks for a run of the sync now (after its current run, if one is going) and wakes the loop. */
  triggerNow(syncId: string, request?: RunRequest): Promise<void>;
  /** One pass: fail runs of dead workers, claim due syncs for the free slots, start them. Returns the claims. */
  tick(): Promise<SyncClaim[]>;
  /** Resolves when no run of this scheduler is in flight. */
  idle(): Promise<void>;
  /** How many runs are in flight now. */
  readonly running: number;
}

/** Builds a scheduler over its queue and runner; nothing runs until `start` or `tick`. */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const { queue } = options;
  const concurrency = options.concurrency ?? 4;
  const pollMs = options.pollMs ?? 1_000;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new RangeError("concurrency must be 1 or more.");
  const inFlight = new Map<string, { done: Promise<void>; abort: AbortController }>();
  let stopping = false;
  let wake: () => void = () => undefined;
  let lastTick: Promise<unknown> = Promise.resolve();

  async function execute(claim: SyncClaim, abort: AbortController): Promise<void> {
    const run = await runClaimed(queue, claim, options.run, abort, {
      cutOff: () => stopping,
      onError: options.onError,
    });
    if (run) options.onRunFinished?.(claim, run);
  }

  async function doTick(): Promise<SyncClaim[]> {
    if (stopping) return [];
    await queue.reap();
    const claims = await queue.claimDue(concurrency - inFlight.size);
    for (const claim of claims) {
      const abort = new AbortController();
      const done = execute(claim, abort).finally(() => {
        inFlight.delete(claim.syncId);
        wake();
      });
      inFlight.set(claim.syncId, { done, abort });
    }
    return claims;
  }

  const scheduler: Scheduler = {
    get running() {
      return inFlight.size;
    },

    tick() {
      // One pass at a time, so that free slots are counted once.
      const next = lastTick.then(doTick, doTick);
      lastTick = next.catch(() => undefined);
      return next;
    },

    async idle() {
      while (inFlight.size > 0) await Promise.all([...inFlight.values()].map((flight) => flight.done));
    },

    async triggerNow(syncId, request = { fullRefresh: false }) {
      await queue.request(syncId, request);
      wake();
    },

    async start(signal) {
      const stop = () => {
        stopping = true;
        wake();
      };
      signal.addEventListener("abort", stop, { once: true });
      try {
        while (!signal.aborted) {
          try {
            await scheduler.tick();
          } catch (error) {
            options.onError(error);
          }
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, pollMs);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
            if (signal.aborted) wake();
          });
        }
      } finally {
        stopping = true;
        signal.removeEventListener("abort", stop);
        await lastTick;
        for (const flight of inFlight.values()) flight.abort.abort(signal.reason);
        await scheduler.idle();
      }
    },
  };
  return scheduler;
}

/**
 * Runs one claimed sync: renews its lease every third of the lease's length (a lost lease aborts the run),
 * and gives the lease back after, noting the run. A run the shutdown stopped (`cutOff()` true once `abort`
 * fired), that failed because the database session was lost, or whose runner threw, is asked for again, so
 * it resumes. Returns the run, or undefined if the runner threw.
 */
export async function runClaimed(
  queue: Pick<SyncQueue, "leaseMs" | "renew" | "release">,
  claim: SyncClaim,
  runner: SyncRunner,
  abort: AbortController,
  options: { cutOff: () => boolean; onError: (error: unknown) => void },
): Promise<Run | undefined> {
  const heartbeat = setInterval(
    () => {
      queue.renew(claim).then(
        (held) => {
          if (!held) abort.abort(new Error(`Lost the lease of sync ${claim.syncId}.`));
        },
        (error: unknown) => options.onError(error),
      );
    },
    Math.max(1, Math.floor(queue.leaseMs / 3)),
  );
  let run: Run | undefined;
  let threw = false;
  try {
    run = await runner(claim, abort.signal);
  } catch (error) {
    threw = true;
    options.onError(error);
  } finally {
    clearInterval(heartbeat);
    // Cut off by the shutdown, or by the database going away: asked for again, to resume from the checkpoint.
    // A runner records every failure of the sync itself as a failed run, so one that threw could not write
    // to the store at all (e.g. the server refused new connections): that is the database going away too.
    const cutOff =
      (options.cutOff() && abort.signal.aborted && run?.status !== "succeeded") ||
      failedOnLostDatabase(run) ||
      threw;
    await queue.release(claim, run?.id ?? null, { cutOff }).catch((error: unknown) => options.onError(error));
  }
  return run;
}
