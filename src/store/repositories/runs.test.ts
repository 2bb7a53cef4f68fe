import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTempStoreWithConnection } from "../../../test/helpers/temp-store.ts";
import type { Store } from "../open-store.ts";
import { takeConnectionLease } from "./connection-leases.ts";
import { listRunLogs } from "./run-logs.ts";
import { beatRun, createRun, finishRun, getRun, reapStaleRuns } from "./runs.ts";

let store: Store;
let cleanup: () => Promise<void>;
let connectionId: string;

beforeEach(async () => {
  ({ store, cleanup, connectionId } = await openTempStoreWithConnection());
});
afterEach(() => cleanup());

const DIED = { code: "run_interrupted", message: "The process stopped.", hint: "Run it again." };

describe("reapStaleRuns", () => {
  it("fails running runs whose heartbeat stopped, with the error in the run and its log", async () => {
    const dead = await createRun(store.db, { connectionId, fullRefresh: false });
    const alive = await createRun(store.db, { connectionId, fullRefresh: false });
    const done = await createRun(store.db, { connectionId, fullRefresh: false });
    await finishRun(store.db, done.id, { status: "succeeded", stats: done.stats });
    await beatRun(store.db, dead.id, "2026-01-01T00:00:00.000Z");
    await beatRun(store.db, done.id, "2026-01-01T00:00:00.000Z");

    const reaped = await reapStaleRuns(store.db, {
      now: "2026-01-01T00:05:00.000Z",
      staleBefore: "2026-01-01T00:04:00.000Z",
      error: DIED,
    });

    expect(reaped).toEqual([dead.id]);
    expect(await getRun(store.db, dead.id)).toMatchObject({
      status: "failed",
      finishedAt: "2026-01-01T00:05:00.000Z",
      error: DIED,
    });
    expect((await listRunLogs(store.db, dead.id)).at(-1)).toMatchObject({
      level: "error",
      message: DIED.message,
    });
    expect((await getRun(store.db, alive.id)).status).toBe("running");
    expect((await getRun(store.db, done.id)).status).toBe("succeeded");
  });

  it("leaves a run whose connection is leased to that lease", async () => {
    const leased = await createRun(store.db, { connectionId, fullRefresh: false });
    await takeConnectionLease(store.db, {
      connectionId,
      owner: "cli_1",
      syncId: null,
      holder: { host: "elsewhere", pid: 1, started: null },
      now: "2026-01-01T00:00:00.000Z",
      expiresAt: "2026-01-01T00:10:00.000Z",
    });
    await beatRun(store.db, leased.id, "2026-01-01T00:00:00.000Z");

    const reaped = await reapStaleRuns(store.db, {
      now: "2026-01-01T00:05:00.000Z",
      staleBefore: "2026-01-01T00:04:00.000Z",
      error: DIED,
    });

    expect(reaped).toEqual([]);
    expect((await getRun(store.db, leased.id)).status).toBe("running");
  });
});
