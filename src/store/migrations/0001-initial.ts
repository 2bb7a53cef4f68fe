/** The first schema: environments, connections, syncs, runs, run logs, stream states and the records cache. */
import type { Kysely, Migration } from "kysely";

// Migrations run against an untyped database on purpose: the schema is what they create.
type AnyDb = Kysely<Record<string, never>>;

export const initial: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .createTable("environments")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("name", "text", (c) => c.notNull().unique())
      .addColumn("created_at", "text", (c) => c.notNull())
      .execute();

    await db.schema
      .createTable("connections")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("environment_id", "text", (c) => c.notNull().references("environments.id"))
      .addColumn("provider", "text", (c) => c.notNull())
      .addColumn("end_user_id", "text")
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("config", "text", (c) => c.notNull())
      .addColumn("credentials", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .execute();

    await db.schema
      .createTable("syncs")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("connection_id", "text", (c) => c.notNull().references("connections.id"))
      .addColumn("streams", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .execute();

    await db.schema
      .createTable("runs")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("connection_id", "text", (c) => c.notNull().references("connections.id"))
      .addColumn("sync_id", "text")
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("full_refresh", "integer", (c) => c.notNull())
      .addColumn("started_at", "text", (c) => c.notNull())
      .addColumn("finished_at", "text")
      .addColumn("stats", "text", (c) => c.notNull())
      .addColumn("error", "text")
      .execute();
    await db.schema
      .createIndex("runs_by_connection")
      .on("runs")
      .columns(["connection_id", "started_at"])
      .execute();

    await db.schema
      .createTable("run_logs")
      .addColumn("run_id", "text", (c) => c.notNull())
      .addColumn("seq", "integer", (c) => c.notNull())
      .addColumn("at", "text", (c) => c.notNull())
      .addColumn("level", "text", (c) => c.notNull())
      .addColumn("message", "text", (c) => c.notNull())
      .addColumn("fields", "text")
      .addPrimaryKeyConstraint("run_logs_pk", ["run_id", "seq"])
      .execute();

    await db.schema
      .createTable("stream_states")
      .addColumn("connection_id", "text", (c) => c.notNull())
      .addColumn("stream", "text", (c) => c.notNull())
      .addColumn("state", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("stream_states_pk", ["connection_id", "stream"])
      .execute();

    await db.schema
      .createTable("records")
      .addColumn("connection_id", "text", (c) => c.notNull())
      .addColumn("stream", "text", (c) => c.notNull())
      .addColumn("pk", "text", (c) => c.notNull())
      .addColumn("hash", "text", (c) => c.notNull())
      .addColumn("payload", "text", (c) => c.notNull())
      .addColumn("deleted", "integer", (c) => c.notNull())
      .addColumn("first_seen_at", "text", (c) => c.notNull())
      .addColumn("last_seen_at", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .addColumn("deleted_at", "text")
      .addPrimaryKeyConstraint("records_pk", ["connection_id", "stream", "pk"])
      .execute();
    // Finds records a full refresh did not see (deletion by diff).
    await db.schema
      .createIndex("records_by_last_seen")
      .on("records")
      .columns(["connection_id", "stream", "deleted", "last_seen_at"])
      .execute();
  },
};
