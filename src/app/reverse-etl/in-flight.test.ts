/**
 * Creates in flight on both stores: marks written (and written again) right before a send, found only in the
 * sync's runs that failed or ended partial, replaced by a row's result, and settled by a later run.
 */
import { describe, expect } from "vitest";
import { itOnSqliteAndPostgres } from "../../../test/helpers/postgres.ts";
import { retlDb } from "../../flows/reverse-etl/store.ts";
import { nowIso } from "../../store/index.ts";
import {
  IN_FLIGHT,
  markInFlight,
  runsWithMarks,
  sentByEarlierRuns,
  settleEarlierMarks,
} from "./in-flight.ts";

describe("creates in flight", () => {
  itOnSqliteAndPostgres(async (store) => {
    const db = retlDb(store.db);
    const run = async (id: string, syncId: string, status: string) =>
      db
        .insertInto("retl_runs")
        .values({
          id,
          sync_id: syncId,
          dry_run: 0,
          status,
          stats: "{}",
          error: null,
          started_at: nowIso(),
          heartbeat_at: nowIso(),
          finished_at: null,
          holder: null,
        })
        .execute();
    await run("dead", "sync_1", "running");
    await run("ok", "sync_1", "running");
    await run("other", "sync_2", "running");
    await markInFlight(db, "dead", ["a", "b", "c"]);
    await markInFlight(db, "dead", ["c"]);
    await markInFlight(db, "ok", ["d"]);
    await markInFlight(db, "other", ["a"]);
    // "ok" recorded its answer; the others died (closed as failed), "other" being another sync's.
    await db
      .updateTable("retl_run_rows")
      .set({ status: "succeeded", remote_id: "1" })
      .where("run_id", "=", "ok")
      .execute();
    await db
      .updateTable("retl_runs")
      .set({ status: "failed" })
      .where("id", "in", ["dead", "other"])
      .execute();
    await db.updateTable("retl_runs").set({ status: "succeeded" }).where("id", "=", "ok").execute();

    const marked = await runsWithMarks(db, "sync_1", "now");
    expect(marked).toEqual(["dead"]);
    expect([...(await sentByEarlierRuns(db, marked, ["a", "c", "d", "z"]))].sort()).toEqual(["a", "c"]);
    expect(await sentByEarlierRuns(db, [], ["a"])).toEqual(new Set());
    // The run itself is not an earlier run.
    expect(await runsWithMarks(db, "sync_1", "dead")).toEqual([]);

    await settleEarlierMarks(db, marked, "now", new Map([["a", "found its record 003 and linked it"]]));
    expect([...(await sentByEarlierRuns(db, marked, ["a", "b", "c"]))].sort()).toEqual(["b", "c"]);
    const settled = await db
      .selectFrom("retl_run_rows")
      .selectAll()
      .where("run_id", "=", "dead")
      .where("pk", "=", "a")
      .executeTakeFirstOrThrow();
    expect(settled).toMatchObject({ status: "failed", operation: "create" });
    expect(settled.message).toContain("run now found its record 003 and linked it");
    const still = await db
      .selectFrom("retl_run_rows")
      .select("status")
      .where("run_id", "=", "other")
      .executeTakeFirstOrThrow();
    expect(still.status).toBe(IN_FLIGHT);
  });
});
