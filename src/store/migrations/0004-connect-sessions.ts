/**
 * Connect sessions: a product's backend opens one for an end user; the hosted Connect page works with its
 * short-lived token. The token is stored only as a hash; a pending OAuth2 attempt keeps the hash of its
 * `state` and, sealed by the vault, its PKCE verifier.
 */
import type { Kysely, Migration } from "kysely";

// Migrations run against an untyped database on purpose: the schema is what they create.
type AnyDb = Kysely<Record<string, never>>;

export const connectSessions: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .createTable("connect_sessions")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("environment_id", "text", (c) => c.notNull().references("environments.id"))
      // sha256 (hex) of the session token; the token itself is never stored.
      .addColumn("token_hash", "text", (c) => c.notNull().unique())
      .addColumn("end_user_id", "text", (c) => c.notNull())
      .addColumn("end_user_email", "text")
      .addColumn("end_user_organization", "text")
      // JSON array of provider names the end user may connect.
      .addColumn("allowed_providers", "text", (c) => c.notNull())
      .addColumn("expires_at", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      // Set when the session created its connection; a used session's token works no more.
      .addColumn("used_at", "text")
      // The connection it re-authorises (given at creation) or created. Not a foreign key: the session's
      // record outlives a deleted connection.
      .addColumn("connection_id", "text")
      // sha256 (hex) of the `state` of the OAuth2 attempt in progress, and its sealed details.
      .addColumn("oauth_state_hash", "text", (c) => c.unique())
      .addColumn("oauth_pending", "text")
      .execute();
    await db.schema
      .createIndex("connect_sessions_by_environment")
      .on("connect_sessions")
      .columns(["environment_id", "created_at", "id"])
      .execute();
  },
};
