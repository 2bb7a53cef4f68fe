/**
 * `record_streams`: per stream of a connection, when its records last changed in the records cache. A
 * destination fed from the cache compares it with the time it has synced through, to tell without a scan
 * whether it has anything to catch up on (see src/engine/catch-up.ts).
 */
import { type Kysely, type Migration, sql } from "kysely";

// Migrations run against an untyped database on purpose: the schema is what they create.
type AnyDb = Kysely<Record<string, never>>;

export const recordStreamChanges: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .createTable("record_streams")
      .addColumn("connection_id", "text", (c) => c.notNull())
      .addColumn("stream", "text", (c) => c.notNull())
      .addColumn("changed_at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("record_streams_pk", ["connection_id", "stream"])
      .execute();
    // Caches filled before this migration: their latest change, so destinations catch up on them.
    await sql`INSERT INTO record_streams (connection_id, stream, changed_at)
      SELECT connection_id, stream, max(updated_at) FROM records GROUP BY connection_id, stream`.execute(db);
  },
};
