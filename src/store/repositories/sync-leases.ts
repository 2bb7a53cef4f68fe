/**
 * The lease a scheduler holds on a sync while it runs it, always together with the lease of the sync's
 * connection (connection-leases.ts), which every run of the connection holds — so a scheduled run never
 * overlaps another run of its sync, nor a CLI run of its connection, across every process sharing the
 * database. The connection's is taken first and given back last, each a single conditional statement (no
 * transaction held open across awaits, which two SQLite connections in one process would deadlock on); a
 * worker dying in between leaves a connection lease that is reaped like any other. Dead holders are reaped
 * with the connection lease (`reapDeadConnectionLeases`), so run history never shows a dead run as running.
 */
import { type Kysely, sql } from "kysely";
import type { Database } from "../schema.ts";
import {
  type RunHolder,
  releaseConnectionLease,
  renewConnectionLease,
  takeConnectionLease,
} from "./connection-leases.ts";
import { type Sync, toSync } from "./syncs.ts";

/** Connection statuses whose syncs run; `paused` and `needs_reauth` connections wait. */
export const RUNNABLE_CONNECTION_STATUSES: readonly string[] = ["active", "error"];

/**
 * Enabled syncs of runnable connections that nobody leases — neither the sync nor its connection (a CLI
 * run holds only the latter) — and that are due at `now` (their next run has come, or a run was asked
 * for): asked-for ones first, then the longest overdue.
 */
export async function findDueSyncs(
  db: Kysely<Database>,
  now: string,
  limit: number,
  /** Only this sync (a job naming it: is it still due?). */
  onlySyncId?: string,
): Promise<Sync[]> {
  let query = db.selectFrom("syncs");
  if (onlySyncId !== undefined) query = query.where("syncs.id", "=", onlySyncId);
  const rows = await query
    .innerJoin("connections", "connections.id", "syncs.connection_id")
    .selectAll("syncs")
    .where("syncs.enabled", "=", 1)
    .where("syncs.lease_owner", "is", null)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("connection_leases")
            .select("connection_leases.connection_id")
            .whereRef("connection_leases.connection_id", "=", "syncs.connection_id"),
        ),
      ),
    )
    .where("connections.status", "in", RUNNABLE_CONNECTION_STATUSES)
    .where((eb) => eb.or([eb("syncs.requested_at", "is not", null), eb("syncs.next_run_at", "<=", now)]))
    .orderBy(sql`syncs.requested_at is null`)
    .orderBy("syncs.next_run_at")
    .limit(limit)
    .execute();
  return rows.map(toSync);
}

/**
 * Takes the lease of a sync found due, and of its connection, if the sync is still exactly as seen (same
 * schedule, same request, still enabled and free) and nobody holds the connection — otherwise nothing is
 * written. On success the manual request is consumed and the next run is set to `nextRunAt`. Returns
 * whether the leases were taken.
 */
export async function claimSyncLease(
  db: Kysely<Database>,
  seen: Sync,
  lease: { owner: string; holder: RunHolder; now: string; expiresAt: string; nextRunAt: string | null },
): Promise<boolean> {
  const connectionTaken = await takeConnectionLease(db, {
    connectionId: seen.connectionId,
    owner: lease.owner,
    syncId: seen.id,
    holder: lease.holder,
    now: lease.now,
    expiresAt: lease.expiresAt,
  });
  if (!connectionTaken) return false;
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
    .where((eb) =>
      seen.timeZone === null ? eb("time_zone", "is", null) : eb("time_zone", "=", seen.timeZone),
    )
    .where("requested_full_refresh", "=", seen.requested?.fullRefresh ? 1 : 0)
    .where((eb) =>
      seen.requested ? eb("requested_at", "=", seen.requested.at) : eb("requested_at", "is", null),
    )
    .where((eb) =>
      seen.nextRunAt === null ? eb("next_run_at", "is", null) : eb("next_run_at", "=", seen.nextRunAt),
    )
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 1) return true;
  await releaseConnectionLease(db, { connectionId: seen.connectionId, owner: lease.owner });
  return false;
}

/**
 * Extends the leases (sync and connection) this owner holds; false when it no longer holds them (they
 * expired and were reaped, or the sync was deleted): its run must stop.
 */
export async function renewSyncLease(
  db: Kysely<Database>,
  lease: { syncId: string; connectionId: string; owner: string; expiresAt: string },
): Promise<boolean> {
  const result = await db
    .updateTable("syncs")
    .set({ lease_expires_at: lease.expiresAt })
    .where("id", "=", lease.syncId)
    .where("lease_owner", "=", lease.owner)
    .executeTakeFirst();
  const connectionHeld = await renewConnectionLease(db, lease);
  return Number(result.numUpdatedRows) === 1 && connectionHeld;
}

/**
 * Gives both leases back after a run, noting the run as the sync's last; a no-op for a lease the owner lost.
 * `resume` (a run cut off by a shutdown) asks for the sync's next run at once — a full refresh if the cut-off
 * run was one — so the next start resumes it instead of waiting for the next scheduled slot.
 */
export async function releaseSyncLease(
  db: Kysely<Database>,
  lease: {
    syncId: string;
    connectionId: string;
    owner: string;
    lastRunId: string | null;
    resume?: { at: string; fullRefresh: boolean };
  },
): Promise<void> {
  const { resume } = lease;
  await db
    .updateTable("syncs")
    .set((eb) => ({
      lease_owner: null,
      lease_expires_at: null,
      leased_at: null,
      ...(lease.lastRunId ? { last_run_id: lease.lastRunId } : {}),
      ...(resume ? { requested_at: eb.fn.coalesce("requested_at", eb.val(resume.at)) } : {}),
      ...(resume?.fullRefresh ? { requested_full_refresh: 1 } : {}),
    }))
    .where("id", "=", lease.syncId)
    .where("lease_owner", "=", lease.owner)
    .execute();
  await releaseConnectionLease(db, lease);
}
