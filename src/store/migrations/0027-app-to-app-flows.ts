/**
 * App-to-app flows (src/flows/app-to-app/, src/app/flows/): flows between two connections of one end user,
 * and per flow: its change-feed cursors (one per side), the link table of record ids across the two apps with
 * the values last known on each side (field-level conflicts) and the hash of what the flow last wrote there
 * (echo suppression), rows to retry, runs and per-row results; plus the position of the `records.changed`
 * follower that triggers flows. JSON columns are text.
 */
import type { Kysely, Migration } from "kysely";

// Migrations run against an untyped database on purpose: the schema is what they create.
type AnyDb = Kysely<Record<string, never>>;

export const appToAppFlows: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .createTable("flows")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("environment_id", "text", (c) => c.notNull().references("environments.id"))
      .addColumn("name", "text", (c) => c.notNull())
      /** JSON: the flow's definition as saved (src/flows/app-to-app/definitions.ts). */
      .addColumn("definition", "text", (c) => c.notNull())
      /** api | code (a defineFlow in `module`, whose map and filter run from there). */
      .addColumn("source", "text", (c) => c.notNull())
      .addColumn("module", "text")
      .addColumn("from_connection_id", "text", (c) => c.notNull())
      .addColumn("to_connection_id", "text", (c) => c.notNull())
      .addColumn("enabled", "integer", (c) => c.notNull())
      .addColumn("next_run_at", "text")
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("flows_name")
      .unique()
      .on("flows")
      .columns(["environment_id", "name"])
      .execute();

    // Where each side's change feed (the records cache by change time) was read up to.
    await db.schema
      .createTable("flow_cursors")
      .addColumn("flow_id", "text", (c) => c.notNull())
      .addColumn("side", "text", (c) => c.notNull())
      .addColumn("at", "text", (c) => c.notNull())
      .addColumn("pk", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("flow_cursors_pk", ["flow_id", "side"])
      .execute();

    await db.schema
      .createTable("flow_links")
      .addColumn("flow_id", "text", (c) => c.notNull())
      .addColumn("from_pk", "text", (c) => c.notNull())
      .addColumn("to_pk", "text", (c) => c.notNull())
      /** JSON arrays, one value per mapping rule: what each side holds as far as the flow knows. */
      .addColumn("from_values", "text", (c) => c.notNull())
      .addColumn("to_values", "text", (c) => c.notNull())
      /** Hash of the values the flow last wrote to that side (null: none since its last own change). */
      .addColumn("from_written", "text")
      .addColumn("to_written", "text")
      .addColumn("updated_at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("flow_links_pk", ["flow_id", "from_pk"])
      .execute();
    await db.schema
      .createIndex("flow_links_to")
      .unique()
      .on("flow_links")
      .columns(["flow_id", "to_pk"])
      .execute();

    // Rows whose write failed: read again (their current cached record) by the next run.
    await db.schema
      .createTable("flow_retries")
      .addColumn("flow_id", "text", (c) => c.notNull())
      .addColumn("side", "text", (c) => c.notNull())
      .addColumn("pk", "text", (c) => c.notNull())
      .addColumn("message", "text")
      .addColumn("at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("flow_retries_pk", ["flow_id", "side", "pk"])
      .execute();

    await db.schema
      .createTable("flow_runs")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("flow_id", "text", (c) => c.notNull())
      /** api | schedule | records.changed | cli */
      .addColumn("trigger", "text", (c) => c.notNull())
      /** running | succeeded | partial (some rows failed) | failed */
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("counts", "text", (c) => c.notNull())
      .addColumn("error", "text")
      .addColumn("started_at", "text", (c) => c.notNull())
      .addColumn("heartbeat_at", "text", (c) => c.notNull())
      .addColumn("finished_at", "text")
      .execute();
    await db.schema
      .createIndex("flow_runs_flow")
      .on("flow_runs")
      .columns(["flow_id", "started_at"])
      .execute();

    await db.schema
      .createTable("flow_run_rows")
      .addColumn("run_id", "text", (c) => c.notNull())
      .addColumn("side", "text", (c) => c.notNull())
      .addColumn("pk", "text", (c) => c.notNull())
      /** create | update | conflict */
      .addColumn("operation", "text", (c) => c.notNull())
      /** succeeded | failed */
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("remote_id", "text")
      .addColumn("message", "text")
      .addColumn("at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("flow_run_rows_pk", ["run_id", "side", "pk"])
      .execute();

    await db.schema
      .createTable("flow_event_cursors")
      .addColumn("name", "text", (c) => c.primaryKey())
      .addColumn("at", "text", (c) => c.notNull())
      .addColumn("event_id", "text", (c) => c.notNull())
      .execute();
  },
  async down(db: AnyDb) {
    for (const table of [
      "flow_event_cursors",
      "flow_run_rows",
      "flow_runs",
      "flow_retries",
      "flow_links",
      "flow_cursors",
      "flows",
    ])
      await db.schema.dropTable(table).execute();
  },
};
