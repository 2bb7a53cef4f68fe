/**
 * Reverse ETL (src/flows/reverse-etl/): models (a SQL query on the warehouse with a primary-key column),
 * reverse-ETL syncs (a model into a connection's object), and per sync: the snapshot of what was last sent
 * (model pk → row hash), the link table (model pk → the provider's id), runs, the run's pending diff and
 * per-row results. JSON columns are text.
 */
import type { Kysely, Migration } from "kysely";

// Migrations run against an untyped database on purpose: the schema is what they create.
type AnyDb = Kysely<Record<string, never>>;

export const reverseEtl: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .createTable("retl_models")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("environment_id", "text", (c) => c.notNull().references("environments.id"))
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("sql", "text", (c) => c.notNull())
      .addColumn("primary_key", "text", (c) => c.notNull())
      /** JSON array of `{name, type}` as the query returned them when the model was saved. */
      .addColumn("columns", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("retl_models_name")
      .unique()
      .on("retl_models")
      .columns(["environment_id", "name"])
      .execute();

    await db.schema
      .createTable("retl_syncs")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("environment_id", "text", (c) => c.notNull().references("environments.id"))
      .addColumn("model_id", "text", (c) => c.notNull().references("retl_models.id"))
      .addColumn("connection_id", "text", (c) => c.notNull())
      .addColumn("mode", "text", (c) => c.notNull())
      /** JSON: the target, the matching rule and the field mapping, as saved (definitions.ts). */
      .addColumn("target", "text", (c) => c.notNull())
      .addColumn("match", "text", (c) => c.notNull())
      .addColumn("mapping", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("retl_syncs_model").on("retl_syncs").column("model_id").execute();

    // What the last runs sent, row by row: the next run's diff is the model against this.
    await db.schema
      .createTable("retl_snapshots")
      .addColumn("sync_id", "text", (c) => c.notNull())
      .addColumn("pk", "text", (c) => c.notNull())
      .addColumn("hash", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("retl_snapshots_pk", ["sync_id", "pk"])
      .execute();

    await db.schema
      .createTable("retl_links")
      .addColumn("sync_id", "text", (c) => c.notNull())
      .addColumn("pk", "text", (c) => c.notNull())
      .addColumn("remote_id", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("retl_links_pk", ["sync_id", "pk"])
      .execute();

    await db.schema
      .createTable("retl_runs")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("sync_id", "text", (c) => c.notNull())
      .addColumn("dry_run", "integer", (c) => c.notNull())
      /** running | succeeded | partial (some rows failed) | failed */
      .addColumn("status", "text", (c) => c.notNull())
      /** JSON counts: added, changed, removed, written, failed, skipped. */
      .addColumn("stats", "text", (c) => c.notNull())
      .addColumn("error", "text")
      .addColumn("started_at", "text", (c) => c.notNull())
      /** Moved forward while the run works: a running run whose heartbeat stopped died with its process. */
      .addColumn("heartbeat_at", "text", (c) => c.notNull())
      .addColumn("finished_at", "text")
      .execute();
    await db.schema
      .createIndex("retl_runs_sync")
      .on("retl_runs")
      .columns(["sync_id", "started_at"])
      .execute();

    // The run's diff, kept while it writes (changed rows only; a 1% change of 1M rows is 10,000 of these).
    await db.schema
      .createTable("retl_pending")
      .addColumn("run_id", "text", (c) => c.notNull())
      .addColumn("pk", "text", (c) => c.notNull())
      /** added | changed | removed */
      .addColumn("change", "text", (c) => c.notNull())
      .addColumn("hash", "text")
      .addColumn("row", "text")
      .addPrimaryKeyConstraint("retl_pending_pk", ["run_id", "pk"])
      .execute();

    await db.schema
      .createTable("retl_run_rows")
      .addColumn("run_id", "text", (c) => c.notNull())
      .addColumn("pk", "text", (c) => c.notNull())
      /** create | update | delete | skip */
      .addColumn("operation", "text", (c) => c.notNull())
      /** succeeded | failed | skipped */
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("remote_id", "text")
      /** The provider's message for a failed row, or why it was skipped. */
      .addColumn("message", "text")
      .addColumn("at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("retl_run_rows_pk", ["run_id", "pk"])
      .execute();
  },
  async down(db: AnyDb) {
    for (const table of [
      "retl_run_rows",
      "retl_pending",
      "retl_runs",
      "retl_links",
      "retl_snapshots",
      "retl_syncs",
      "retl_models",
    ])
      await db.schema.dropTable(table).execute();
  },
};
