/**
 * The platform API: API keys per environment, connection profile columns (end user, metadata, last error),
 * connection tags, and the API-visible event log. Also creates the default `dev` and `prod` environments.
 */
import { randomUUID } from "node:crypto";
import { type Kysely, type Migration, sql } from "kysely";

// Migrations run against an untyped database on purpose: the schema is what they create.
type AnyDb = Kysely<Record<string, never>>;

const DEFAULT_ENVIRONMENTS = ["dev", "prod"];

export const platform: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .createTable("api_keys")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("environment_id", "text", (c) => c.notNull().references("environments.id"))
      .addColumn("name", "text", (c) => c.notNull())
      // The first characters of the secret, safe to show (`sy_dev_3kF9`).
      .addColumn("prefix", "text", (c) => c.notNull())
      // sha256 of the secret (hex); the secret itself is never stored.
      .addColumn("hash", "text", (c) => c.notNull().unique())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("last_used_at", "text")
      .addColumn("revoked_at", "text")
      .execute();
    await db.schema
      .createIndex("api_keys_by_environment")
      .on("api_keys")
      .columns(["environment_id", "created_at"])
      .execute();

    await db.schema.alterTable("connections").addColumn("end_user_email", "text").execute();
    await db.schema.alterTable("connections").addColumn("end_user_organization", "text").execute();
    await db.schema
      .alterTable("connections")
      .addColumn("metadata", "text", (c) => c.notNull().defaultTo("{}"))
      .execute();
    // JSON text of the last problem seen with the connection (e.g. credentials rejected), or null.
    await db.schema.alterTable("connections").addColumn("last_error", "text").execute();
    await db.schema.alterTable("connections").addColumn("last_checked_at", "text").execute();
    await db.schema
      .createIndex("connections_by_environment")
      .on("connections")
      .columns(["environment_id", "created_at", "id"])
      .execute();

    await db.schema
      .createTable("connection_tags")
      .addColumn("connection_id", "text", (c) => c.notNull().references("connections.id"))
      .addColumn("tag", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("connection_tags_pk", ["connection_id", "tag"])
      .execute();
    await db.schema.createIndex("connection_tags_by_tag").on("connection_tags").columns(["tag"]).execute();

    await db.schema
      .createTable("events")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("environment_id", "text", (c) => c.notNull().references("environments.id"))
      .addColumn("type", "text", (c) => c.notNull())
      // Not a foreign key: events outlive the connection they describe (`connection.deleted`).
      .addColumn("connection_id", "text")
      .addColumn("data", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("events_by_environment")
      .on("events")
      .columns(["environment_id", "created_at", "id"])
      .execute();

    const at = new Date().toISOString();
    for (const name of DEFAULT_ENVIRONMENTS) {
      const id = `env_${randomUUID().replaceAll("-", "")}`;
      await sql`insert into environments (id, name, created_at) values (${id}, ${name}, ${at})
        on conflict (name) do nothing`.execute(db);
    }
  },
};
