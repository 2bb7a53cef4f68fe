/**
 * Run heartbeats: a process running a sync stamps its run every few seconds, so a run whose process died
 * (a killed CLI) can be told from one still going and marked interrupted.
 */
import type { Kysely, Migration } from "kysely";

// Migrations run against an untyped database on purpose: the schema is what they create.
type AnyDb = Kysely<Record<string, never>>;

export const runHeartbeats: Migration = {
  async up(db: AnyDb) {
    await db.schema.alterTable("runs").addColumn("heartbeat_at", "text").execute();
  },
};
