/**
 * Connection leases: every run of a connection — scheduled or from the CLI — holds its connection's lease,
 * so two runs of one connection never overlap. The lease names the process holding it (host, pid, and the
 * OS's start time of that pid), so a process restarting on the same machine can tell at once that its
 * predecessor died, without waiting for the lease to expire. Also: a sync's IANA time zone for cron.
 */
import type { Kysely, Migration } from "kysely";

// Migrations run against an untyped database on purpose: the schema is what they create.
type AnyDb = Kysely<Record<string, never>>;

export const connectionLeases: Migration = {
  async up(db: AnyDb) {
    // No foreign key: deleting a connection must not wait for, or trip over, a lease row.
    await db.schema
      .createTable("connection_leases")
      .addColumn("connection_id", "text", (c) => c.primaryKey())
      .addColumn("owner", "text", (c) => c.notNull())
      // The sync whose scheduled run holds it; null for a CLI run.
      .addColumn("sync_id", "text")
      .addColumn("holder_host", "text", (c) => c.notNull())
      .addColumn("holder_pid", "integer", (c) => c.notNull())
      // Opaque start time of the pid as the OS reports it (null where unknown), to tell a reused pid.
      .addColumn("holder_started", "text")
      .addColumn("leased_at", "text", (c) => c.notNull())
      .addColumn("expires_at", "text", (c) => c.notNull())
      .execute();
    // An IANA time zone (`Europe/Paris`) in which the sync's cron expression is read; null is UTC.
    await db.schema.alterTable("syncs").addColumn("time_zone", "text").execute();
  },
};
