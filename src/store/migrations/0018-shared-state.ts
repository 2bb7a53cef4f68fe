/**
 * State shared by every process of a Postgres deployment without Redis: rate-limit budgets of provider
 * accounts, declared fixed windows, API throttles and OAuth refresh locks (see src/http/budget-store/).
 * One row per key; `state` is JSON, `expires_at` epoch ms after which the row counts as absent.
 * On SQLite the table exists but stays empty (one process needs no shared state).
 */
import type { Kysely, Migration } from "kysely";

// Migrations run against an untyped database on purpose: the schema is what they create.
type AnyDb = Kysely<Record<string, never>>;

export const sharedState: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .createTable("shared_state")
      .addColumn("key", "text", (c) => c.primaryKey())
      .addColumn("state", "text", (c) => c.notNull())
      .addColumn("expires_at", "bigint", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("shared_state_expires_at").on("shared_state").column("expires_at").execute();
  },
  async down(db: AnyDb) {
    await db.schema.dropTable("shared_state").execute();
  },
};
