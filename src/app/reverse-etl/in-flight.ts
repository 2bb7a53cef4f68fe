/**
 * Creates in flight: before a run sends a batch of creates it records each row as `in_flight` in its run's
 * results (`retl_run_rows`, with the time of sending), in its own committed transaction; the provider's
 * answer replaces that with the row's result in the same transaction as its link. So a row still `in_flight`
 * in a run that is no longer running was sent and its answer lost (the process died between the two): the
 * provider may hold its record. A later run looks such rows up before creating them again (created-lookup.ts);
 * rows never sent carry no mark and pay for no lookup.
 */
import type { RetlDb } from "../../flows/reverse-etl/store.ts";
import { nowIso } from "../../store/index.ts";

export const IN_FLIGHT = "in_flight";

const CHUNK = 500;

/** Marks the rows as sent, now (right before their request goes). */
export async function markInFlight(db: RetlDb, runId: string, pks: readonly string[]): Promise<void> {
  const at = nowIso();
  for (let start = 0; start < pks.length; start += CHUNK) {
    const rows = pks.slice(start, start + CHUNK).map((pk) => ({
      run_id: runId,
      pk,
      operation: "create",
      status: IN_FLIGHT,
      remote_id: null,
      message:
        "Sent to the provider; its answer was not recorded (the run stopped). The next run looks the record up before creating it.",
      at,
    }));
    await db
      .insertInto("retl_run_rows")
      .values(rows)
      .onConflict((c) =>
        c
          .columns(["run_id", "pk"])
          .doUpdateSet({
            operation: "create",
            status: IN_FLIGHT,
            remote_id: null,
            message: rows[0]!.message,
            at,
          }),
      )
      .execute();
  }
}

/** Of `pks`, those an earlier run of the sync sent as creates without recording the answer. */
export async function sentByEarlierRuns(
  db: RetlDb,
  syncId: string,
  runId: string,
  pks: readonly string[],
): Promise<Set<string>> {
  const sent = new Set<string>();
  for (let start = 0; start < pks.length; start += CHUNK) {
    const rows = await db
      .selectFrom("retl_run_rows")
      .innerJoin("retl_runs", "retl_runs.id", "retl_run_rows.run_id")
      .select("retl_run_rows.pk as pk")
      .where("retl_runs.sync_id", "=", syncId)
      .where("retl_runs.id", "!=", runId)
      .where("retl_run_rows.status", "=", IN_FLIGHT)
      .where("retl_run_rows.pk", "in", pks.slice(start, start + CHUNK))
      .execute();
    for (const row of rows) sent.add(row.pk);
  }
  return sent;
}

/**
 * Closes earlier runs' marks of rows this run has now settled (found at the provider, or found absent and
 * sent again), with what it found, so that later creates of the same rows are not looked up again.
 */
export async function settleEarlierMarks(
  db: RetlDb,
  syncId: string,
  runId: string,
  settled: ReadonlyMap<string, string>,
): Promise<void> {
  for (const [pk, outcome] of settled) {
    const runs = db
      .selectFrom("retl_runs")
      .select("id")
      .where("sync_id", "=", syncId)
      .where("id", "!=", runId);
    await db
      .updateTable("retl_run_rows")
      .set({
        status: "failed",
        message: `Sent, and its answer lost when the run stopped; run ${runId} ${outcome}.`,
      })
      .where("run_id", "in", runs)
      .where("pk", "=", pk)
      .where("status", "=", IN_FLIGHT)
      .execute();
  }
}
