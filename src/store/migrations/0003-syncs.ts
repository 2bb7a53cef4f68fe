/**
 * Syncs and schedules: a sync's frequency, pause flag, warehouse flag, next run, pending manual trigger and
 * the lease that keeps two runs of one sync from overlapping (across processes sharing the database); and
 * `sync_streams`, one row per stream of a sync with its last start, finish and result. Its primary key
 * (connection, stream) makes a stream of a connection belong to at most one sync, so runs of different
 * syncs never move the same stream's state.
 */
import type { Kysely, Migration } from "kysely";

// Migrations run against an untyped database on purpose: the schema is what they create.
type AnyDb = Kysely<Record<string, never>>;

export const syncs: Migration = {
  async up(db: AnyDb) {
    // An interval (`30s`, `1h`) or a 5-field cron expression (UTC).
    await db.schema
      .alterTable("syncs")
      .addColumn("frequency", "text", (c) => c.notNull().defaultTo("1h"))
      .execute();
    await db.schema
      .alterTable("syncs")
      .addColumn("enabled", "integer", (c) => c.notNull().defaultTo(1))
      .execute();
    // Whether runs also write the DuckDB warehouse (the records cache is always written).
    await db.schema
      .alterTable("syncs")
      .addColumn("warehouse", "integer", (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.alterTable("syncs").addColumn("next_run_at", "text").execute();
    await db.schema.alterTable("syncs").addColumn("last_run_id", "text").execute();
    // A manual trigger waiting for a worker: when it was asked for, and whether as a full refresh.
    await db.schema.alterTable("syncs").addColumn("requested_at", "text").execute();
    await db.schema
      .alterTable("syncs")
      .addColumn("requested_full_refresh", "integer", (c) => c.notNull().defaultTo(0))
      .execute();
    // The lease: which worker runs the sync, until when (renewed while it runs), and since when.
    await db.schema.alterTable("syncs").addColumn("lease_owner", "text").execute();
    await db.schema.alterTable("syncs").addColumn("lease_expires_at", "text").execute();
    await db.schema.alterTable("syncs").addColumn("leased_at", "text").execute();
    await db.schema.createIndex("syncs_by_connection").on("syncs").columns(["connection_id"]).execute();
    await db.schema.createIndex("syncs_due").on("syncs").columns(["enabled", "next_run_at"]).execute();

    await db.schema
      .createTable("sync_streams")
      .addColumn("connection_id", "text", (c) => c.notNull().references("connections.id"))
      .addColumn("stream", "text", (c) => c.notNull())
      .addColumn("sync_id", "text", (c) => c.notNull().references("syncs.id"))
      .addColumn("last_run_id", "text")
      .addColumn("last_started_at", "text")
      .addColumn("last_finished_at", "text")
      // `succeeded` or `failed`; null before the stream's first run.
      .addColumn("last_result", "text")
      // JSON text of the error summary of the last failure.
      .addColumn("last_error", "text")
      .addPrimaryKeyConstraint("sync_streams_pk", ["connection_id", "stream"])
      .execute();
    await db.schema.createIndex("sync_streams_by_sync").on("sync_streams").columns(["sync_id"]).execute();

    await db.schema.createIndex("runs_by_sync").on("runs").columns(["sync_id", "status"]).execute();
  },
};
