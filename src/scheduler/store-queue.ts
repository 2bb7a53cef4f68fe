import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import { isHolderGone, reapDeadRuns, thisProcess } from "../engine/index.ts";
import { dueSince, observeQueueLatency } from "../metrics/index.ts";
import {
  claimSyncLease,
  type Database,
  findDueSyncs,
  type RunHolder,
  releaseSyncLease,
  renewSyncLease,
  requestSyncRun,
  type Sync,
} from "../store/index.ts";
import { nextRunAfter, parseFrequency } from "./frequency.ts";
import type { SyncClaim, SyncQueue } from "./queue.ts";

export interface StoreQueueOptions {
  /** This worker's name in lease rows (default: a random id per queue). */
  owner?: string;
  /** Lease length (default 60 s): a dead worker's run on another host is reported interrupted this long after it stopped. */
  leaseMs?: number;
  /** The clock (tests pass a fake one). */
  now?: () => Date;
  /** The process named in lease rows (default: this one; tests pretend to be another). */
  holder?: RunHolder;
  /** Whether a lease's holding process is gone (default: checked on this host; tests pass their own). */
  isGone?: (holder: RunHolder) => boolean;
}

/** The store queue also claims one named sync, if it is due (what a sync job's handler does). */
export interface StoreSyncQueue extends SyncQueue {
  claimSync(syncId: string): Promise<SyncClaim | null>;
}

/**
 * The embedded SyncQueue: leases are rows of the `syncs` and `connection_leases` tables, taken and renewed by
 * conditional statements, so any number of processes sharing one database never run the same sync twice at
 * once, nor a sync alongside a CLI run of its connection.
 */
export function createStoreSyncQueue(db: Kysely<Database>, options: StoreQueueOptions = {}): StoreSyncQueue {
  const owner = options.owner ?? `worker_${randomUUID().slice(0, 8)}`;
  const leaseMs = options.leaseMs ?? 60_000;
  const now = options.now ?? (() => new Date());
  const holder = options.holder ?? thisProcess();
  const expiry = (from: Date) => new Date(from.getTime() + leaseMs).toISOString();

  /** Takes the leases of a sync found due; null when another worker (or a CLI run) was first. */
  async function claimFound(sync: Sync, at: Date): Promise<SyncClaim | null> {
    const next = nextRunAfter(parseFrequency(sync.frequency, sync.timeZone), at);
    const taken = await claimSyncLease(db, sync, {
      owner,
      holder,
      now: at.toISOString(),
      expiresAt: expiry(at),
      nextRunAt: next ? next.toISOString() : null,
    });
    if (!taken) return null;
    observeQueueLatency(dueSince(sync, at), at);
    return {
      syncId: sync.id,
      connectionId: sync.connectionId,
      streams: sync.streams,
      fullRefresh: sync.requested?.fullRefresh ?? false,
      warehouse: sync.warehouse,
      claimedAt: at,
    };
  }

  return {
    leaseMs,
    reap: () => reapDeadRuns(db, now(), options.isGone ?? isHolderGone),

    async claimDue(limit) {
      if (limit <= 0) return [];
      const at = now();
      const claims: SyncClaim[] = [];
      for (const sync of await findDueSyncs(db, at.toISOString(), limit)) {
        const claim = await claimFound(sync, at);
        if (claim) claims.push(claim);
      }
      return claims;
    },

    async claimSync(syncId) {
      const at = now();
      const [sync] = await findDueSyncs(db, at.toISOString(), 1, syncId);
      return sync ? claimFound(sync, at) : null;
    },

    renew: (claim) =>
      renewSyncLease(db, {
        syncId: claim.syncId,
        connectionId: claim.connectionId,
        owner,
        expiresAt: expiry(now()),
      }),
    release: (claim, runId, outcome = {}) =>
      releaseSyncLease(db, {
        syncId: claim.syncId,
        connectionId: claim.connectionId,
        owner,
        lastRunId: runId,
        ...(outcome.cutOff ? { resume: { at: now().toISOString(), fullRefresh: claim.fullRefresh } } : {}),
      }),
    async request(syncId, request) {
      await requestSyncRun(db, syncId, { at: now().toISOString(), fullRefresh: request.fullRefresh });
    },
  };
}
