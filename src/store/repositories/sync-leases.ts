/**
 * The lease that lets at most one worker run a sync at a time, across every process sharing the database.
 * Taking, renewing and giving back a lease are each one conditional UPDATE, atomic in SQLite and Postgres.
 * A lease that was not renewed in time belonged to a worker that died: reaping it fails that worker's run
 * as `run_interrupted`, so run history never shows a dead run as still running.
 */
import { type Kysely, sql } from "kysely";
import type { Database } from "../schema.ts";
import { inTransaction } from "../transaction.ts";
import { interruptRun } from "./runs.ts";
import { type ErrorSummary, markUnfinishedStreamsFailed } from "./sync-streams.ts";
import { type Sync, toSync } from "./syncs.ts";

/** Connection statuses whose syncs run; `paused` and `needs_reauth` connections wait. */
export const RUNNABLE_CONNECTION_STATUSES: readonly string[] = ["active", "error"];

/**
 * Enabled syncs of runnable connections that nobody leases and that are due at `now` (their next run
 * has come, or a run was asked for): asked-for ones first, then the longest overdue.
 */
export async function findDueSyncs(db: Kysely<Database>, now: string, limit: number): Promise<Sync[]> {
  const rows = await db
    .selectFrom("syncs")
    .innerJoin("connections", "connections.id", "syncs.connection_id")
    .selectAll("syncs")
    .where("syncs.enabled", "=", 1)
    .where("syncs.lease_owner", "is", null)
    .where("connections.status", "in", RUNNABLE_CONNECTION_STATUSES)
    .where((eb) => eb.or([eb("syncs.requested_at", "is not", null), eb("syncs.next_run_at", "<=", now)]))
    .orderBy(sql`syncs.requested_at is null`)
    .orderBy("syncs.next_run_at")
    .limit(limit)
    .execute();
  return rows.map(toSync);
}

/**
 * Takes the lease of a sync found due, if it is still exactly as seen (same frequency, same request, still
 * enabled and free) — otherwise someone else took it or it changed, and nothing is written. On success the
 * manual request is consumed and the next run is set to `nextRunAt`. Returns whether the lease was taken.
 */
export async function claimSyncLease(
  db: Kysely<Database>,
  seen: Sync,
  lease: { owner: string; now: string; expiresAt: string; nextRunAt: string | null },
): Promise<boolean> {
  const result = await db
    .updateTable("syncs")
    .set({
      lease_owner: lease.owner,
      lease_expires_at: lease.expiresAt,
      leased_at: lease.now,
      next_run_at: lease.nextRunAt,
      requested_at: null,
      requested_full_refresh: 0,
    })
    .where("id", "=", seen.id)
    .where("enabled", "=", 1)
    .where("lease_owner", "is", null)
    .where("frequency", "=", seen.frequency)
    .where("requested_full_refresh", "=", seen.requested?.fullRefresh ? 1 : 0)
    .where((eb) =>
      seen.requested ? eb("requested_at", "=", seen.requested.at) : eb("requested_at", "is", null),
    )
    .where((eb) =>
      seen.nextRunAt === null ? eb("next_run_at", "is", null) : eb("next_run_at", "=", seen.nextRunAt),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Extends a lease this owner holds; false when it no longer holds it (expired and reaped, or sync deleted). */
export async function renewSyncLease(
  db: Kysely<Database>,
  lease: { syncId: string; owner: string; expiresAt: string },
): Promise<boolean> {
  const result = await db
    .updateTable("syncs")
    .set({ lease_expires_at: lease.expiresAt })
    .where("id", "=", lease.syncId)
    .where("lease_owner", "=", lease.owner)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Gives a lease back after a run, noting the run as the sync's last; a no-op if the owner lost it. */
export async function releaseSyncLease(
  db: Kysely<Database>,
  lease: { syncId: string; owner: string; lastRunId: string | null },
): Promise<void> {
  await db
    .updateTable("syncs")
    .set({
      lease_owner: null,
      lease_expires_at: null,
      leased_at: null,
      ...(lease.lastRunId ? { last_run_id: lease.lastRunId } : {}),
    })
    .where("id", "=", lease.syncId)
    .where("lease_owner", "=", lease.owner)
    .execute();
}

/**
 * Clears every lease that expired before `now` and, in the same transaction (so no new run of the sync can
 * start in between), fails the runs still `running` under it with `error` and marks their unfinished
 * streams failed. Returns the ids of the runs it failed.
 */
export async function reapExpiredSyncLeases(
  db: Kysely<Database>,
  now: string,
  error: ErrorSummary,
): Promise<string[]> {
  const expired = await db
    .selectFrom("syncs")
    .select(["id", "lease_owner", "lease_expires_at", "streams"])
    .where("lease_owner", "is not", null)
    .where("lease_expires_at", "<=", now)
    .execute();
  const failed: string[] = [];
  for (const stale of expired) {
    const runIds = await inTransaction(db, async (trx) => {
      const cleared = await trx
        .updateTable("syncs")
        .set({ lease_owner: null, lease_expires_at: null, leased_at: null })
        .where("id", "=", stale.id)
        .where("lease_owner", "=", stale.lease_owner)
        .where("lease_expires_at", "=", stale.lease_expires_at)
        .executeTakeFirst();
      if (Number(cleared.numUpdatedRows) !== 1) return [];
      const runs = await trx
        .selectFrom("runs")
        .select("id")
        .where("sync_id", "=", stale.id)
        .where("status", "=", "running")
        .execute();
      for (const run of runs) {
        await interruptRun(trx, run.id, now, error);
        await markUnfinishedStreamsFailed(trx, {
          syncId: stale.id,
          runId: run.id,
          time: now,
          error,
          fallback: JSON.parse(stale.streams) as string[],
        });
        await trx.updateTable("syncs").set({ last_run_id: run.id }).where("id", "=", stale.id).execute();
      }
      return runs.map((run) => run.id);
    });
    failed.push(...runIds);
  }
  return failed;
}
