/**
 * Issues (src/app/issues/): ongoing problems of a connection, opened and resolved by its runs. One row per
 * problem occurrence span: a (connection, cause, stream) has at most one open issue (partial unique index);
 * when it comes back after being resolved, a new row is opened, so resolved ones stay as history.
 * `issue_marks` is how far (finished_at, id) each environment's finished runs have been applied.
 * (That catch-up and the overview's series read runs by `runs_by_finished_at`, from migration 0016.)
 */
import type { Kysely, Migration } from "kysely";
import { sql } from "kysely";

// Migrations run against an untyped database on purpose: the schema is what they create.
type AnyDb = Kysely<Record<string, never>>;

export const issues: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .createTable("issues")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("environment_id", "text", (c) => c.notNull().references("environments.id"))
      .addColumn("connection_id", "text", (c) => c.notNull().references("connections.id").onDelete("cascade"))
      /** `auth_failed` | `rate_limited` | `provider_down` | `schema_change` | `other`. */
      .addColumn("cause", "text", (c) => c.notNull())
      /** The stream a per-stream cause is about; '' when the issue is about the whole connection. */
      .addColumn("stream", "text", (c) => c.notNull())
      /** `open` | `resolved`. */
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("muted", "integer", (c) => c.notNull())
      .addColumn("title", "text", (c) => c.notNull())
      .addColumn("detail", "text", (c) => c.notNull())
      .addColumn("hint", "text")
      /** The error code of the last occurrence (`credentials_rejected`…), or null when seen from the status. */
      .addColumn("error_code", "text")
      .addColumn("first_seen_at", "text", (c) => c.notNull())
      .addColumn("last_seen_at", "text", (c) => c.notNull())
      .addColumn("occurrences", "integer", (c) => c.notNull())
      .addColumn("last_run_id", "text")
      .addColumn("resolved_at", "text")
      .addColumn("resolved_by_run_id", "text")
      .addColumn("updated_at", "text", (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("issues_one_open")
      .unique()
      .on("issues")
      .columns(["connection_id", "cause", "stream"])
      .where(sql.ref("status"), "=", "open")
      .execute();
    await db.schema
      .createIndex("issues_by_environment")
      .on("issues")
      .columns(["environment_id", "last_seen_at"])
      .execute();
    await db.schema.createIndex("issues_by_connection").on("issues").columns(["connection_id"]).execute();

    await db.schema
      .createTable("issue_marks")
      .addColumn("environment_id", "text", (c) =>
        c.primaryKey().references("environments.id").onDelete("cascade"),
      )
      .addColumn("finished_at", "text", (c) => c.notNull())
      .addColumn("run_id", "text", (c) => c.notNull())
      .execute();
  },

  async down(db: AnyDb) {
    await db.schema.dropTable("issue_marks").execute();
    await db.schema.dropTable("issues").execute();
  },
};
