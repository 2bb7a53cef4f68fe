/**
 * The in-process JobQueue of embedded mode: jobs live in this process's memory (what they stand for — due
 * and asked-for syncs — lives in the store, so a restart loses nothing: the scheduler enqueues them again).
 */
import {
  checkedConcurrency,
  DEFAULT_MAX_ATTEMPTS,
  type JobHandler,
  type JobQueue,
  type WorkOptions,
} from "./jobs.ts";

interface QueuedJob {
  name: string;
  payload: unknown;
  key: string | undefined;
  runAt: number;
  attempts: number;
  maxAttempts: number;
}

/** Retry delay after a failed attempt: exponential, as graphile-worker's (exp(attempts) seconds), capped. */
const retryDelayMs = (attempts: number) => Math.min(Math.exp(attempts) * 1_000, 10 * 60_000);

export function createInProcessJobQueue(options: { now?: () => number } = {}): JobQueue {
  const now = options.now ?? Date.now;
  const waiting: QueuedJob[] = [];
  const running = new Set<Promise<void>>();
  const abort = new AbortController();
  let handlers: Readonly<Record<string, JobHandler>> | undefined;
  let work: WorkOptions | undefined;
  let concurrency = 1;
  let timer: NodeJS.Timeout | undefined;

  function schedule(): void {
    if (!handlers || abort.signal.aborted) return;
    clearTimeout(timer);
    const at = now();
    while (running.size < concurrency) {
      const index = waiting.findIndex((job) => job.runAt <= at && handlers![job.name]);
      if (index < 0) break;
      const [job] = waiting.splice(index, 1);
      start(job!);
    }
    const next = Math.min(...waiting.filter((job) => handlers![job.name]).map((job) => job.runAt));
    if (Number.isFinite(next) && running.size < concurrency) {
      timer = setTimeout(schedule, Math.max(0, next - at));
      timer.unref();
    }
  }

  function start(job: QueuedJob): void {
    job.attempts += 1;
    const done = handlers![job.name]!(job.payload, { signal: abort.signal, attempt: job.attempts })
      .catch((error: unknown) => {
        work!.onError(error);
        if (job.attempts < job.maxAttempts && !abort.signal.aborted)
          waiting.push({ ...job, key: undefined, runAt: now() + retryDelayMs(job.attempts) });
      })
      .finally(() => {
        running.delete(done);
        schedule();
      });
    running.add(done);
  }

  return {
    kind: "in-process",
    async enqueue(name, payload, options = {}) {
      const job: QueuedJob = {
        name,
        payload,
        key: options.jobKey,
        runAt: options.runAt?.getTime() ?? now(),
        attempts: 0,
        maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      };
      // A waiting job with the same key is replaced (a running one is not waiting: a new job waits behind it).
      const same = job.key === undefined ? -1 : waiting.findIndex((queued) => queued.key === job.key);
      if (same >= 0) waiting.splice(same, 1, { ...job, runAt: waiting[same]!.runAt });
      else waiting.push(job);
      schedule();
    },
    async work(taskHandlers, options) {
      if (handlers) throw new Error("work() was already called on this queue.");
      concurrency = checkedConcurrency(options.concurrency);
      handlers = taskHandlers;
      work = options;
      schedule();
    },
    async stop() {
      abort.abort(new Error("The job queue is stopping."));
      clearTimeout(timer);
      while (running.size > 0) await Promise.all(running);
    },
  };
}
