/**
 * `field_mappings`: Merge-style field mappings, a provider field (by traversal path into the cached raw
 * payload) onto a Common Model field or a new target field. A row belongs to one connection, or to the whole
 * environment for one provider (`connection_id` null). `scope` makes "one mapping per target" a unique index
 * in both dialects: `connection:<id>` or `provider:<name>`.
 */
import type { Kysely, Migration } from "kysely";

// Migrations run against an untyped database on purpose: the schema is what they create.
type AnyDb = Kysely<Record<string, never>>;

export const fieldMappings: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .createTable("field_mappings")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("environment_id", "text", (c) => c.notNull().references("environments.id"))
      .addColumn("connection_id", "text")
      .addColumn("provider", "text", (c) => c.notNull())
      .addColumn("scope", "text", (c) => c.notNull())
      .addColumn("model", "text", (c) => c.notNull())
      .addColumn("target_field_name", "text", (c) => c.notNull())
      .addColumn("target_field_description", "text", (c) => c.notNull())
      /** JSON array of the path's steps (keys and list indexes). */
      .addColumn("traversal_path", "text", (c) => c.notNull())
      .addColumn("remote_method", "text", (c) => c.notNull())
      .addColumn("remote_url_path", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("field_mappings_target")
      .unique()
      .on("field_mappings")
      .columns(["environment_id", "scope", "model", "target_field_name"])
      .execute();
    await db.schema
      .createIndex("field_mappings_connection")
      .on("field_mappings")
      .column("connection_id")
      .execute();
  },
};
