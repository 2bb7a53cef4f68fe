/**
 * Outbound webhooks in a process: announcing finished runs into the event log and delivering what the event
 * log queued for the product's endpoints (src/webhooks/outbound/worker.ts), as `webhooks.deliver` jobs on
 * the job queue (in-process when embedded, graphile-worker on Postgres, taken by any worker). A pass is
 * enqueued when something was queued (`wake`) and every `pollMs` by the scheduling process (`schedule`), so
 * retries that came due and events appended by other processes go out too. Deliveries are leased in the
 * store, so passes running at once on several workers never send one attempt twice.
 */
import type { Kysely } from "kysely";
import type { JobQueue } from "../../scheduler/index.ts";
import type { Database } from "../../store/index.ts";
import type { Vault } from "../../vault/index.ts";
import {
  createDeliveryWorker,
  type DeliveryWorker,
  type DeliveryWorkerOptions,
} from "../../webhooks/outbound/index.ts";
import { issuesRefresher } from "../issues/refresh-issues.ts";
import { announceFinishedRuns } from "./run-events.ts";

export type OutboundWebhookOptions = Omit<DeliveryWorkerOptions, "db" | "vault" | "beforePoll"> & {
  /** How far back finished runs are looked for to announce (default a day). */
  runLookbackMs?: number;
};

export const WEBHOOK_DELIVERY_JOB = "webhooks.deliver";

/** The worker of this process; `run(signal)` it (a loop of its own), or take its passes as jobs (below). */
export function outboundWebhookWorker(
  deps: { db: Kysely<Database>; vault: Vault },
  options: OutboundWebhookOptions = {},
): DeliveryWorker {
  const { runLookbackMs, ...workerOptions } = options;
  return createDeliveryWorker({
    ...workerOptions,
    db: deps.db,
    vault: deps.vault,
    beforePoll: async () => {
      await announceFinishedRuns(deps.db, {
        ...(options.now ? { now: options.now() } : {}),
        ...(runLookbackMs !== undefined ? { lookbackMs: runLookbackMs } : {}),
      });
    },
  });
}

export interface OutboundWebhookJobs {
  /** Takes `webhooks.deliver` jobs in this process (a worker). */
  start(): Promise<void>;
  /** Something was queued: enqueues a pass now (one waits at a time). */
  wake(): void;
  /** Enqueues a pass every `pollMs` (default 1 s) until `signal` aborts: the scheduling process does it. */
  schedule(signal: AbortSignal): Promise<void>;
  /** Stops taking jobs, waits for the pass in flight, and lets go of the HTTP agents. */
  stop(): Promise<void>;
}

/** Delivery passes as jobs on `jobs` (which this takes work from: give it a queue of its own). */
export function outboundWebhookJobs(
  deps: { db: Kysely<Database>; vault: Vault },
  jobs: JobQueue,
  options: OutboundWebhookOptions & { onError: (error: unknown) => void },
): OutboundWebhookJobs {
  const worker = outboundWebhookWorker(deps, options);
  const batchSize = options.batchSize ?? 16;
  const { onError } = options;
  const refreshIssues = issuesRefresher(deps.db, { onError });
  const wake = () =>
    void jobs.enqueue(WEBHOOK_DELIVERY_JOB, {}, { jobKey: WEBHOOK_DELIVERY_JOB }).catch(onError);

  async function pass(): Promise<void> {
    await announceFinishedRuns(deps.db, {
      ...(options.now ? { now: options.now() } : {}),
      ...(options.runLookbackMs !== undefined ? { lookbackMs: options.runLookbackMs } : {}),
    });
    await refreshIssues(); // issues follow finished runs (src/app/issues/): at most every 5 s, never throws
    // A full batch may leave more due: the pass goes on until one is not full.
    while ((await worker.deliverDue()) >= batchSize);
  }

  return {
    start: () => jobs.work({ [WEBHOOK_DELIVERY_JOB]: pass }, { concurrency: 1, onError }),
    wake,
    async schedule(signal) {
      while (!signal.aborted) {
        wake();
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
    async stop() {
      await jobs.stop();
      await worker.close();
    },
  };
}
