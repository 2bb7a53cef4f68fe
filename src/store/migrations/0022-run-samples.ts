/**
 * Run samples (GET /v1/runs/:id/timeline): the run's cumulative counters as of each commit, written with the
 * run's stats (one small row per commit, never per record or request), so the run's progress over its time
 * can be drawn. Deleted with their run. `runs_by_started_at` serves the overview's "runs of the last 24 h".
 */
import type { Kysely, Migration } from "kysely";

// Migrations run against an untyped database on purpose: the schema is what they create.
type AnyDb = Kysely<Record<string, never>>;

export const runSamples: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .createTable("run_samples")
      .addColumn("run_id", "text", (c) => c.notNull().references("runs.id").onDelete("cascade"))
      .addColumn("at", "text", (c) => c.notNull())
      /** Records committed so far (added + updated + unchanged + deleted). */
      .addColumn("records", "integer", (c) => c.notNull())
      .addColumn("requests", "integer", (c) => c.notNull())
      .addColumn("retries", "integer", (c) => c.notNull())
      .addColumn("rate_limit_waits", "integer", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("run_samples_by_run").on("run_samples").columns(["run_id", "at"]).execute();
    await db.schema.createIndex("runs_by_started_at").on("runs").columns(["started_at"]).execute();
  },

  async down(db: AnyDb) {
    await db.schema.dropIndex("runs_by_started_at").execute();
    await db.schema.dropTable("run_samples").execute();
  },
};
