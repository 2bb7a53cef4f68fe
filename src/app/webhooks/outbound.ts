/**
 * Outbound webhooks in a process: one loop that announces finished runs into the event log and delivers
 * what the event log queued for the product's endpoints (src/webhooks/outbound/worker.ts).
 */
import type { Kysely } from "kysely";
import type { Database } from "../../store/index.ts";
import type { Vault } from "../../vault/index.ts";
import {
  createDeliveryWorker,
  type DeliveryWorker,
  type DeliveryWorkerOptions,
} from "../../webhooks/outbound/index.ts";
import { announceFinishedRuns } from "./run-events.ts";

export type OutboundWebhookOptions = Omit<DeliveryWorkerOptions, "db" | "vault" | "beforePoll"> & {
  /** How far back finished runs are looked for to announce (default a day). */
  runLookbackMs?: number;
};

/** The worker of this process; `run(signal)` it, and it stops when the signal aborts. */
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
