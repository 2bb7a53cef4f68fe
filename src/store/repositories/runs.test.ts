import { describe, expect, it } from "vitest";
import { storeWithConnectionPerTest } from "../../../test/helpers/temp-store.ts";
import { takeConnectionLease } from "./connection-leases.ts";
import { listRunLogs } from "./run-logs.ts";
import { beatRun, createRun, finishRun, getRun, reapStaleRuns } from "./runs.ts";

const temp = storeWithConnectionPerTest();

const DIED = { code: "run_interrupted", message: "The process stopped.", hint: "Run it again." };

describe("reapStaleRuns", () => {
  it("fails running runs whose heartbeat stopped, with the error in the run and its log", async () => {
    const dead = await createRun(temp.store.db, { connectionId: temp.connectionId, fullRefresh: false });
    const alive = await createRun(temp.store.db, { connectionId: temp.connectionId, fullRefresh: false });
    const done = await createRun(temp.store.db, { connectionId: temp.connectionId, fullRefresh: false });
    await finishRun(temp.store.db, done.id, { status: "succeeded", stats: done.stats });
    await beatRun(temp.store.db, dead.id, "2026-01-01T00:00:00.000Z");
    await beatRun(temp.store.db, done.id, "2026-01-01T00:00:00.000Z");

    const reaped = await reapStaleRuns(temp.store.db, {
      now: "2026-01-01T00:05:00.000Z",
      staleBefore: "2026-01-01T00:04:00.000Z",
      error: DIED,
    });

    expect(reaped).toEqual([dead.id]);
    expect(await getRun(temp.store.db, dead.id)).toMatchObject({
      status: "failed",
      finishedAt: "2026-01-01T00:05:00.000Z",
      error: DIED,
    });
    expect((await listRunLogs(temp.store.db, dead.id)).at(-1)).toMatchObject({
      level: "error",
      message: DIED.message,
    });
    expect((await getRun(temp.store.db, alive.id)).status).toBe("running");
    expect((await getRun(temp.store.db, done.id)).status).toBe("succeeded");
  });

  it("leaves a run whose connection is leased to that lease", async () => {
    const leased = await createRun(temp.store.db, { connectionId: temp.connectionId, fullRefresh: false });
    await takeConnectionLease(temp.store.db, {
      connectionId: temp.connectionId,
      owner: "cli_1",
      syncId: null,
      holder: { host: "elsewhere", pid: 1, started: null },
      now: "2026-01-01T00:00:00.000Z",
      expiresAt: "2026-01-01T00:10:00.000Z",
    });
    await beatRun(temp.store.db, leased.id, "2026-01-01T00:00:00.000Z");

    const reaped = await reapStaleRuns(temp.store.db, {
      now: "2026-01-01T00:05:00.000Z",
      staleBefore: "2026-01-01T00:04:00.000Z",
      error: DIED,
    });

    expect(reaped).toEqual([]);
    expect((await getRun(temp.store.db, leased.id)).status).toBe("running");
  });
});

describe("finishRun", () => {
  it("returns the finished run as stored, and fails for a run that does not exist", async () => {
    const run = await createRun(temp.store.db, { connectionId: temp.connectionId, fullRefresh: true });
    const stats = { ...run.stats, requests: 3 };
    const error = { code: "provider_error", message: "HubSpot answered 500." };
    const finished = await finishRun(temp.store.db, run.id, { status: "failed", stats, error });
    expect(finished).toEqual(await getRun(temp.store.db, run.id));
    expect(finished).toMatchObject({ id: run.id, status: "failed", fullRefresh: true, stats, error });
    expect(finished.finishedAt).not.toBeNull();
    await expect(finishRun(temp.store.db, "run_missing", { status: "succeeded", stats })).rejects.toThrow(
      /run_missing/,
    );
  });
});
