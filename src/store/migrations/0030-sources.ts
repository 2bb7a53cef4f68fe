/**
 * Sources of embedded reverse ETL (src/app/sources/, docs/embedded-reverse-etl.md): the product's own records,
 * pushed through `PUT /v1/sources/{name}/records` or read from a table or query of the product's Postgres
 * (its connection string sealed by the vault), kept per source with a content hash. JSON columns are text.
 */
import type { Kysely, Migration } from "kysely";

// Migrations run against an untyped database on purpose: the schema is what they create.
type AnyDb = Kysely<Record<string, never>>;

export const sources: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .createTable("sources")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("environment_id", "text", (c) => c.notNull().references("environments.id"))
      .addColumn("name", "text", (c) => c.notNull())
      /** api (records pushed) | postgres (read from the product's database) */
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("primary_key", "text", (c) => c.notNull())
      /** postgres: the connection string as sealed by the vault (never plaintext). */
      .addColumn("connection_string", "text")
      /** postgres: the table read, or the read-only query (one of the two). */
      .addColumn("table_name", "text")
      .addColumn("query", "text")
      /** When its records last changed (a push, or a read of its Postgres). */
      .addColumn("records_changed_at", "text")
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("sources_name")
      .unique()
      .on("sources")
      .columns(["environment_id", "name"])
      .execute();

    await db.schema
      .createTable("source_records")
      .addColumn("source_id", "text", (c) => c.notNull())
      .addColumn("pk", "text", (c) => c.notNull())
      /** sha256 of the record's canonical JSON: a record sent again unchanged is no change. */
      .addColumn("hash", "text", (c) => c.notNull())
      .addColumn("payload", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      /** postgres: the read that last saw it; a read deletes the records it did not see. */
      .addColumn("read_id", "text")
      .addPrimaryKeyConstraint("source_records_pk", ["source_id", "pk"])
      .execute();
  },
  async down(db: AnyDb) {
    await db.schema.dropTable("source_records").execute();
    await db.schema.dropTable("sources").execute();
  },
};
