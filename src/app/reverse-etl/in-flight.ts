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
        c.columns(["run_id", "pk"]).doUpdateSet({
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

/**
 * The earlier runs of the sync that hold marks. Only a run that did not succeed can (one that died is closed
 * as failed, one with an unanswered create ends partial), so only those runs' rows are read; once per run.
 */
export async function runsWithMarks(db: RetlDb, syncId: string, runId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("retl_run_rows")
    .innerJoin("retl_runs", "retl_runs.id", "retl_run_rows.run_id")
    .select("retl_run_rows.run_id as run_id")
    .distinct()
    .where("retl_runs.sync_id", "=", syncId)
    .where("retl_runs.id", "!=", runId)
    .where("retl_runs.dry_run", "=", 0)
    .where("retl_runs.status", "in", ["failed", "partial"])
    .where("retl_run_rows.status", "=", IN_FLIGHT)
    .execute();
  return rows.map((row) => row.run_id);
}

/** Of `pks`, those the runs (runsWithMarks) sent as creates without recording the answer. */
export async function sentByEarlierRuns(
  db: RetlDb,
  runIds: readonly string[],
  pks: readonly string[],
): Promise<Set<string>> {
  const sent = new Set<string>();
  if (runIds.length === 0) return sent;
  for (let start = 0; start < pks.length; start += CHUNK) {
    const rows = await db
      .selectFrom("retl_run_rows")
      .select("pk")
      .where("run_id", "in", runIds)
      .where("status", "=", IN_FLIGHT)
      .where("pk", "in", pks.slice(start, start + CHUNK))
      .execute();
    for (const row of rows) sent.add(row.pk);
  }
  return sent;
}

/**
 * Closes the marks the runs (runsWithMarks) hold of rows this run has now settled (found at the provider and
 * linked, or found absent and sent again), with what it found, so that later creates of the same rows are
 * not looked up again.
 */
export async function settleEarlierMarks(
  db: RetlDb,
  runIds: readonly string[],
  runId: string,
  settled: ReadonlyMap<string, string>,
): Promise<void> {
  if (runIds.length === 0) return;
  for (const [pk, outcome] of settled) {
    await db
      .updateTable("retl_run_rows")
      .set({
        status: "failed",
        message: `Sent, and its answer lost when the run stopped; run ${runId} ${outcome}.`,
      })
      .where("run_id", "in", runIds)
      .where("pk", "=", pk)
      .where("status", "=", IN_FLIGHT)
      .execute();
  }
}
