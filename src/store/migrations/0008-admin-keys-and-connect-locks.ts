/**
 * Admin API keys and Connect session locks. An admin key manages the organisation's environments (lists
 * them all, creates new ones) on top of working in its own environment; every other key sees only its own.
 * A Connect session counts its end user's failed credential attempts and is locked after a few.
 */
import { type Kysely, type Migration, sql } from "kysely";

// Migrations run against an untyped database on purpose: the schema is what they create.
type AnyDb = Kysely<Record<string, never>>;

/** The name `npm start` gave the first key of a workspace, before keys could be admin keys. */
const FIRST_START_KEY_NAME = "dev key (first start)";

export const adminKeysAndConnectLocks: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .alterTable("api_keys")
      .addColumn("admin", "integer", (c) => c.notNull().defaultTo(0))
      .execute();
    // The first-start key was the workspace's only way to manage environments: keep it able to.
    await sql`UPDATE api_keys SET admin = 1 WHERE name = ${FIRST_START_KEY_NAME}`.execute(db);
    await db.schema
      .alterTable("connect_sessions")
      .addColumn("failed_attempts", "integer", (c) => c.notNull().defaultTo(0))
      .execute();
    // Set when too many failed attempts locked the session; its token then works no more.
    await db.schema.alterTable("connect_sessions").addColumn("locked_at", "text").execute();
  },
};
