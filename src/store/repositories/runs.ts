import type { Kysely, Selectable } from "kysely";
import { emptyRunStats, NotFoundError, type RunStats, type RunStatus } from "../../core/index.ts";
import { newId, nowIso } from "../ids.ts";
import type { Database, RunsTable } from "../schema.ts";

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
  const row: Selectable<RunsTable> = {
    id: newId("run"),
    connection_id: input.connectionId,
    sync_id: input.syncId ?? null,
    status: "running",
    full_refresh: input.fullRefresh ? 1 : 0,
    started_at: nowIso(),
    finished_at: null,
    stats: JSON.stringify(emptyRunStats()),
    error: null,
  };
  await db.insertInto("runs").values(row).execute();
  return toRun(row);
}

/** Saves the latest counters of a running run (progress for readers). */
export async function updateRunStats(db: Kysely<Database>, runId: string, stats: RunStats): Promise<void> {
  await db
    .updateTable("runs")
    .set({ stats: JSON.stringify(stats) })
    .where("id", "=", runId)
    .execute();
}

/** Marks a run finished with its final status, stats and error. */
export async function finishRun(
  db: Kysely<Database>,
  runId: string,
  outcome: { status: Exclude<RunStatus, "running">; stats: RunStats; error?: Run["error"] },
): Promise<void> {
  await db
    .updateTable("runs")
    .set({
      status: outcome.status,
      stats: JSON.stringify(outcome.stats),
      error: outcome.error ? JSON.stringify(outcome.error) : null,
      finished_at: nowIso(),
    })
    .where("id", "=", runId)
    .execute();
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
