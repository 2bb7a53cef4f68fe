/**
 * A run's counters over its time (migration 0022): one row per commit, written with the run's stats, so
 * the timeline of a run (GET /v1/runs/:id/timeline) can be drawn. Counters are cumulative.
 */
import type { Kysely } from "kysely";
import { type RunStats, recordsProcessed } from "../../core/index.ts";
import type { Database } from "../schema.ts";

export type RunSamplesTable = {
  run_id: string;
  at: string;
  records: number;
  requests: number;
  retries: number;
  rate_limit_waits: number;
};

export interface RunSample {
  at: string;
  records: number;
  requests: number;
  retries: number;
  rateLimitWaits: number;
}

function samplesDb(db: Kysely<Database>) {
  return db.withTables<{ run_samples: RunSamplesTable }>();
}

/**
 * Stores the run's counters as of `at`: one small row (the engine calls it once per commit). A run deleted
 * meanwhile (its connection was deleted while it ran) gets no sample, as its stats update changed nothing.
 */
export async function appendRunSample(
  db: Kysely<Database>,
  runId: string,
  stats: RunStats,
  at: string,
): Promise<void> {
  try {
    await samplesDb(db)
      .insertInto("run_samples")
      .values({
        run_id: runId,
        at,
        records: recordsProcessed(stats),
        requests: stats.requests,
        retries: stats.retries,
        rate_limit_waits: stats.rateLimitWaits,
      })
      .execute();
  } catch (error) {
    if (!isForeignKeyViolation(error)) throw error;
  }
}

/** Whether an error is a foreign-key violation (SQLite or Postgres). */
function isForeignKeyViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "23503" || code === "SQLITE_CONSTRAINT_FOREIGNKEY";
}

/** The run's samples in time order, at most `limit` (the last ones are dropped beyond it). */
export async function listRunSamples(
  db: Kysely<Database>,
  runId: string,
  limit: number,
): Promise<RunSample[]> {
  const rows = await samplesDb(db)
    .selectFrom("run_samples")
    .select(["at", "records", "requests", "retries", "rate_limit_waits"])
    .where("run_id", "=", runId)
    .orderBy("at")
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    at: row.at,
    records: Number(row.records),
    requests: Number(row.requests),
    retries: Number(row.retries),
    rateLimitWaits: Number(row.rate_limit_waits),
  }));
}
