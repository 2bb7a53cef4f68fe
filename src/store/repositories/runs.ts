import type { Kysely, Selectable } from "kysely";
import { emptyRunStats, NotFoundError, type RunStats, type RunStatus } from "../../core/index.ts";
import { newId, nowIso } from "../ids.ts";
import type { Database, RunsTable } from "../schema.ts";
import { inTransaction } from "../transaction.ts";
import { appendRunSample } from "./run-samples.ts";

export interface Run {
  id: string;
  connectionId: string;
  syncId: string | null;
  status: RunStatus;
  fullRefresh: boolean;
  startedAt: string;
  finishedAt: string | null;
  stats: RunStats;
  error: { code: string; message: string; hint?: string } | null;
}

/** Maps a runs row to a Run (JSON columns parsed). */
export function toRun(row: Selectable<RunsTable>): Run {
  return {
    id: row.id,
    connectionId: row.connection_id,
    syncId: row.sync_id,
    status: row.status as RunStatus,
    fullRefresh: row.full_refresh === 1,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    stats: JSON.parse(row.stats) as RunStats,
    error: row.error ? (JSON.parse(row.error) as Run["error"]) : null,
  };
}

/** Creates a run in status `running` and returns it. */
export async function createRun(
  db: Kysely<Database>,
  input: { connectionId: string; syncId?: string; fullRefresh: boolean },
): Promise<Run> {
  const startedAt = nowIso();
  const row: Selectable<RunsTable> = {
    id: newId("run"),
    connection_id: input.connectionId,
    sync_id: input.syncId ?? null,
    status: "running",
    full_refresh: input.fullRefresh ? 1 : 0,
    started_at: startedAt,
    finished_at: null,
    stats: JSON.stringify(emptyRunStats()),
    error: null,
    heartbeat_at: startedAt,
  };
  await db.insertInto("runs").values(row).execute();
  return toRun(row);
}

/** Saves the latest counters of a running run (progress for readers) and a sample of them for its timeline. */
export async function updateRunStats(db: Kysely<Database>, runId: string, stats: RunStats): Promise<void> {
  await db
    .updateTable("runs")
    .set({ stats: JSON.stringify(stats) })
    .where("id", "=", runId)
    .execute();
  await appendRunSample(db, runId, stats, nowIso());
}

/** Marks a run finished with its final status, stats and error; returns it as stored (no second read). */
export async function finishRun(
  db: Kysely<Database>,
  runId: string,
  outcome: { status: Exclude<RunStatus, "running">; stats: RunStats; error?: Run["error"] },
): Promise<Run> {
  const row = await db
    .updateTable("runs")
    .set({
      status: outcome.status,
      stats: JSON.stringify(outcome.stats),
      error: outcome.error ? JSON.stringify(outcome.error) : null,
      finished_at: nowIso(),
    })
    .where("id", "=", runId)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new NotFoundError("Run", runId);
  return toRun(row);
}

/** Stamps a running run as still alive (see `reapStaleRuns`). */
export async function beatRun(db: Kysely<Database>, runId: string, at: string): Promise<void> {
  await db
    .updateTable("runs")
    .set({ heartbeat_at: at })
    .where("id", "=", runId)
    .where("status", "=", "running")
    .execute();
}

/**
 * Fails a run that is still `running` with `error`, as of `at`, and appends the error to its log. Returns
 * false when the run was no longer running (it finished, or someone else failed it first).
 */
export async function interruptRun(
  db: Kysely<Database>,
  runId: string,
  at: string,
  error: NonNullable<Run["error"]>,
): Promise<boolean> {
  const updated = await db
    .updateTable("runs")
    .set({ status: "failed", finished_at: at, error: JSON.stringify(error) })
    .where("id", "=", runId)
    .where("status", "=", "running")
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) return false;
  const last = await db
    .selectFrom("run_logs")
    .select((eb) => eb.fn.max("seq").as("seq"))
    .where("run_id", "=", runId)
    .executeTakeFirst();
  await db
    .insertInto("run_logs")
    .values({
      run_id: runId,
      seq: Number(last?.seq ?? -1) + 1,
      at,
      level: "error",
      message: error.message,
      fields: JSON.stringify(error),
    })
    .execute();
  return true;
}

/**
 * Fails as `error` every run still `running` without a heartbeat since `staleBefore` whose connection has no
 * lease (a run holding its connection's lease goes with that lease; see connection-leases.ts): its process
 * died. Returns their ids.
 */
export async function reapStaleRuns(
  db: Kysely<Database>,
  input: { now: string; staleBefore: string; error: NonNullable<Run["error"]> },
): Promise<string[]> {
  const stale = await db
    .selectFrom("runs")
    .select("id")
    .where("status", "=", "running")
    .where("heartbeat_at", "<", input.staleBefore)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("connection_leases")
            .select("connection_leases.connection_id")
            .whereRef("connection_leases.connection_id", "=", "runs.connection_id"),
        ),
      ),
    )
    .execute();
  const reaped: string[] = [];
  for (const { id } of stale) {
    const failed = await inTransaction(db, (trx) => interruptRun(trx, id, input.now, input.error));
    if (failed) reaped.push(id);
  }
  return reaped;
}

/** Returns the run or throws NotFoundError. */
export async function getRun(db: Kysely<Database>, runId: string): Promise<Run> {
  const row = await db.selectFrom("runs").selectAll().where("id", "=", runId).executeTakeFirst();
  if (!row) throw new NotFoundError("Run", runId);
  return toRun(row);
}

/** Lists runs, newest first. */
export async function listRuns(
  db: Kysely<Database>,
  filter: { connectionId?: string; status?: RunStatus; limit?: number } = {},
): Promise<Run[]> {
  let query = db.selectFrom("runs").selectAll().orderBy("started_at", "desc").orderBy("id", "desc");
  if (filter.connectionId) query = query.where("connection_id", "=", filter.connectionId);
  if (filter.status) query = query.where("status", "=", filter.status);
  const rows = await query.limit(filter.limit ?? 50).execute();
  return rows.map(toRun);
}
