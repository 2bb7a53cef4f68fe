import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import { reapDeadRuns } from "../engine/index.ts";
import {
  claimSyncLease,
  type Database,
  findDueSyncs,
  reapExpiredSyncLeases,
  releaseSyncLease,
  renewSyncLease,
  requestSyncRun,
} from "../store/index.ts";
import { nextRunAfter, parseFrequency } from "./frequency.ts";
import type { SyncClaim, SyncQueue } from "./queue.ts";

export interface StoreQueueOptions {
  /** This worker's name in lease rows (default: a random id per queue). */
  owner?: string;
  /** Lease length (default 60 s): a dead worker's run is reported interrupted this long after it stopped. */
  leaseMs?: number;
  /** The clock (tests pass a fake one). */
  now?: () => Date;
}

/** The error a run gets when its worker stopped renewing the lease. */
export const RUN_INTERRUPTED = {
  code: "run_interrupted",
  message: "The run was interrupted: the worker running it stopped (crash, kill or lost database access).",
  hint: "Nothing is lost: the next run resumes from the last checkpoint. Trigger the sync to run it now.",
};

/**
 * The embedded SyncQueue: leases are columns of the `syncs` table, taken and renewed by conditional
 * UPDATEs, so any number of processes sharing one database never run the same sync twice at once.
 */
export function createStoreSyncQueue(db: Kysely<Database>, options: StoreQueueOptions = {}): SyncQueue {
  const owner = options.owner ?? `worker_${randomUUID().slice(0, 8)}`;
  const leaseMs = options.leaseMs ?? 60_000;
  const now = options.now ?? (() => new Date());
  const expiry = (from: Date) => new Date(from.getTime() + leaseMs).toISOString();

  return {
    leaseMs,
    // Scheduled runs go with their sync's lease; the others (CLI runs) by their heartbeat.
    reap: async () => [
      ...(await reapExpiredSyncLeases(db, now().toISOString(), RUN_INTERRUPTED)),
      ...(await reapDeadRuns(db, now())),
    ],

    async claimDue(limit) {
      if (limit <= 0) return [];
      const at = now();
      const claims: SyncClaim[] = [];
      for (const sync of await findDueSyncs(db, at.toISOString(), limit)) {
        const next = nextRunAfter(parseFrequency(sync.frequency), at);
        const taken = await claimSyncLease(db, sync, {
          owner,
          now: at.toISOString(),
          expiresAt: expiry(at),
          nextRunAt: next ? next.toISOString() : null,
        });
        if (!taken) continue;
        claims.push({
          syncId: sync.id,
          connectionId: sync.connectionId,
          streams: sync.streams,
          fullRefresh: sync.requested?.fullRefresh ?? false,
          warehouse: sync.warehouse,
          claimedAt: at,
        });
      }
      return claims;
    },

    renew: (claim) => renewSyncLease(db, { syncId: claim.syncId, owner, expiresAt: expiry(now()) }),
    release: (claim, runId) => releaseSyncLease(db, { syncId: claim.syncId, owner, lastRunId: runId }),
    async request(syncId, request) {
      await requestSyncRun(db, syncId, { at: now().toISOString(), fullRefresh: request.fullRefresh });
    },
  };
}
