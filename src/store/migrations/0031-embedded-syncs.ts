/**
 * Embedded syncs (src/app/sources/): a source's records into a unified model of every connection of the
 * environment (optionally only some end users or providers), with per-connection field mappings on top. Each
 * (sync, connection) pair runs as a reverse-ETL sync keyed `<sync id>:<connection id>` in the reverse-ETL
 * tables (snapshot, links, runs, per-row results). JSON columns are text.
 */
import type { Kysely, Migration } from "kysely";

// Migrations run against an untyped database on purpose: the schema is what they create.
type AnyDb = Kysely<Record<string, never>>;

export const embeddedSyncs: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .createTable("embedded_syncs")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("environment_id", "text", (c) => c.notNull().references("environments.id"))
      .addColumn("source_id", "text", (c) => c.notNull().references("sources.id"))
      /** Contact | Account | Opportunity */
      .addColumn("model", "text", (c) => c.notNull())
      .addColumn("mode", "text", (c) => c.notNull())
      /** JSON: the mapping, the connection filter and the per-connection mappings (definitions.ts). */
      .addColumn("mapping", "text", (c) => c.notNull())
      .addColumn("filter", "text", (c) => c.notNull())
      .addColumn("connection_mappings", "text", (c) => c.notNull())
      .addColumn("frequency", "text")
      .addColumn("time_zone", "text")
      /** When the scheduler runs it next: its schedule's slot, or sooner after a push (debounced). */
      .addColumn("next_run_at", "text")
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("embedded_syncs_source").on("embedded_syncs").column("source_id").execute();
    await db.schema.createIndex("embedded_syncs_due").on("embedded_syncs").column("next_run_at").execute();
  },
  async down(db: AnyDb) {
    await db.schema.dropTable("embedded_syncs").execute();
  },
};
