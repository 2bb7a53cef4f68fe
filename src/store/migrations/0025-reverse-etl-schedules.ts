/**
 * Reverse ETL, second part: schedules of reverse-ETL syncs (a frequency as syncs take it, its time zone, and
 * when the next run is due) and the process that holds a running run (so a run whose process was killed is
 * known dead at once on the same host, not after its heartbeat goes stale).
 */
import type { Kysely, Migration } from "kysely";

// Migrations run against an untyped database on purpose: the schema is what they create.
type AnyDb = Kysely<Record<string, never>>;

export const reverseEtlSchedules: Migration = {
  async up(db: AnyDb) {
    /** `15m`, `1h`, a cron expression…; null: runs only when asked. */
    await db.schema.alterTable("retl_syncs").addColumn("frequency", "text").execute();
    await db.schema.alterTable("retl_syncs").addColumn("time_zone", "text").execute();
    /** When the scheduler enqueues its next run (ISO-8601); null when it has no frequency. */
    await db.schema.alterTable("retl_syncs").addColumn("next_run_at", "text").execute();
    await db.schema.createIndex("retl_syncs_due").on("retl_syncs").column("next_run_at").execute();
    /** JSON `{host, pid, started}` of the process running it. */
    await db.schema.alterTable("retl_runs").addColumn("holder", "text").execute();
  },
  async down(db: AnyDb) {
    await db.schema.alterTable("retl_runs").dropColumn("holder").execute();
    await db.schema.dropIndex("retl_syncs_due").execute();
    for (const column of ["next_run_at", "time_zone", "frequency"])
      await db.schema.alterTable("retl_syncs").dropColumn(column).execute();
  },
};
