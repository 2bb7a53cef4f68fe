/**
 * The connection lease: every run of a connection — a scheduled run or a CLI run — holds it, so two runs of
 * one connection never overlap, across every process sharing the database. Taking it is one conditional
 * INSERT; renewing and giving it back are conditional UPDATE/DELETEs. The row names the process holding it,
 * so a process restarting on the same host can fail its dead predecessor's runs at once.
 */
import type { Kysely, Selectable } from "kysely";
import type { ConnectionLeasesTable, Database } from "../schema.ts";
import { inTransaction } from "../transaction.ts";
import { interruptRun } from "./runs.ts";
import { type ErrorSummary, markUnfinishedStreamsFailed } from "./sync-streams.ts";

/** The process holding a lease: host, pid, and the OS's start time of that pid (null where unknown). */
export interface RunHolder {
  host: string;
  pid: number;
  started: string | null;
}

export interface ConnectionLease {
  connectionId: string;
  /** The worker holding it: a scheduler's queue, or one CLI run. */
  owner: string;
  /** The sync whose scheduled run holds it; null for a CLI run. */
  syncId: string | null;
  holder: RunHolder;
  leasedAt: string;
  expiresAt: string;
}

function toLease(row: Selectable<ConnectionLeasesTable>): ConnectionLease {
  return {
    connectionId: row.connection_id,
    owner: row.owner,
    syncId: row.sync_id,
    holder: { host: row.holder_host, pid: Number(row.holder_pid), started: row.holder_started },
    leasedAt: row.leased_at,
    expiresAt: row.expires_at,
  };
}

/** Takes the connection's lease if nobody holds it; returns whether it was taken. */
export async function takeConnectionLease(
  db: Kysely<Database>,
  lease: Omit<ConnectionLease, "leasedAt"> & { now: string },
): Promise<boolean> {
  const result = await db
    .insertInto("connection_leases")
    .values({
      connection_id: lease.connectionId,
      owner: lease.owner,
      sync_id: lease.syncId,
      holder_host: lease.holder.host,
      holder_pid: lease.holder.pid,
      holder_started: lease.holder.started,
      leased_at: lease.now,
      expires_at: lease.expiresAt,
    })
    .onConflict((conflict) => conflict.column("connection_id").doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

/** Who holds the connection's lease now, if anyone. */
export async function getConnectionLease(
  db: Kysely<Database>,
  connectionId: string,
): Promise<ConnectionLease | undefined> {
  const row = await db
    .selectFrom("connection_leases")
    .selectAll()
    .where("connection_id", "=", connectionId)
    .executeTakeFirst();
  return row ? toLease(row) : undefined;
}

/** Extends a lease this owner holds; false when it no longer holds it (it expired and was reaped). */
export async function renewConnectionLease(
  db: Kysely<Database>,
  lease: { connectionId: string; owner: string; expiresAt: string },
): Promise<boolean> {
  const result = await db
    .updateTable("connection_leases")
    .set({ expires_at: lease.expiresAt })
    .where("connection_id", "=", lease.connectionId)
    .where("owner", "=", lease.owner)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Gives the lease back; a no-op if this owner no longer holds it. */
export async function releaseConnectionLease(
  db: Kysely<Database>,
  lease: { connectionId: string; owner: string },
): Promise<void> {
  await db
    .deleteFrom("connection_leases")
    .where("connection_id", "=", lease.connectionId)
    .where("owner", "=", lease.owner)
    .execute();
}

/**
 * Reaps the leases of dead holders: those that expired before `now`, and those whose holder `isGone` says
 * died. For each, in one transaction (so no new run of the connection starts in between): the lease goes,
 * the connection's runs still `running` fail with `error` (their unfinished streams too), the lease the
 * holder had on a sync is cleared, and a run of that sync is asked for again — a full refresh if the cut-off
 * run was one — so the next scheduler pass resumes what was cut off. Returns the ids of the failed runs.
 */
export async function reapDeadConnectionLeases(
  db: Kysely<Database>,
  input: { now: string; isGone: (holder: RunHolder) => boolean; error: ErrorSummary },
): Promise<string[]> {
  const leases = (await db.selectFrom("connection_leases").selectAll().execute()).map(toLease);
  const failed: string[] = [];
  for (const lease of leases) {
    if (lease.expiresAt > input.now && !input.isGone(lease.holder)) continue;
    failed.push(...(await inTransaction(db, (trx) => reapLease(trx, lease, input))));
  }
  return failed;
}

async function reapLease(
  trx: Kysely<Database>,
  lease: ConnectionLease,
  input: { now: string; error: ErrorSummary },
): Promise<string[]> {
  const removed = await trx
    .deleteFrom("connection_leases")
    .where("connection_id", "=", lease.connectionId)
    .where("owner", "=", lease.owner)
    .where("leased_at", "=", lease.leasedAt)
    .executeTakeFirst();
  if (Number(removed.numDeletedRows) !== 1) return [];
  const runs = await trx
    .selectFrom("runs")
    .select(["id", "sync_id", "full_refresh"])
    .where("connection_id", "=", lease.connectionId)
    .where("status", "=", "running")
    .execute();
  const failed: string[] = [];
  for (const run of runs) {
    if (!(await interruptRun(trx, run.id, input.now, input.error))) continue;
    failed.push(run.id);
    if (run.sync_id === null) continue;
    const sync = await trx
      .selectFrom("syncs")
      .select("streams")
      .where("id", "=", run.sync_id)
      .executeTakeFirst();
    if (!sync) continue;
    await markUnfinishedStreamsFailed(trx, {
      syncId: run.sync_id,
      runId: run.id,
      time: input.now,
      error: input.error,
      fallback: JSON.parse(sync.streams) as string[],
    });
    await trx
      .updateTable("syncs")
      .set((eb) => ({
        last_run_id: run.id,
        requested_at: eb.fn.coalesce("requested_at", eb.val(input.now)),
        ...(run.full_refresh === 1 ? { requested_full_refresh: 1 } : {}),
      }))
      .where("id", "=", run.sync_id)
      .execute();
  }
  if (lease.syncId !== null) {
    await trx
      .updateTable("syncs")
      .set({ lease_owner: null, lease_expires_at: null, leased_at: null })
      .where("id", "=", lease.syncId)
      .where("lease_owner", "=", lease.owner)
      .execute();
  }
  return failed;
}
