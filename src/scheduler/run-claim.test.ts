/**
 * The real runner (engine + store) under the scheduler: per-stream sync status after success, failure, a
 * failure before any stream started, while running, and while paused; full refresh reaches the streams.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { changeSync, createSync } from "../app/syncs/syncs.ts";
import { countRecords, getSync, listRuns, type Sync } from "../store/index.ts";
import type { Scheduler } from "./scheduler.ts";
import {
  type FakeClock,
  fakeClock,
  fixturePerTest,
  gate,
  memoryProvider,
  realScheduler,
  type StreamKnobs,
  streamStatusesOf,
  untilReading,
} from "./test-fixtures.ts";

const f = fixturePerTest();
let clock: FakeClock;
let knobs: StreamKnobs;
let s: Scheduler;

beforeEach(async () => {
  clock = fakeClock();
  knobs = { failing: new Set(), records: 5, reads: [] };
  s = realScheduler(f, { knobs, clock });
});

function statusOf(sync: Sync) {
  return streamStatusesOf(f.store, sync, clock.now());
}

async function runOnce(): Promise<void> {
  expect(await s.tick()).toHaveLength(1);
  await s.idle();
}

describe("sync runs and per-stream status", () => {
  it("after a successful run every stream is done (in the sync's stream order), with its start, finish, run and next start", async () => {
    const provider = memoryProvider(knobs);
    const sync = await createSync(
      f.store.db,
      provider,
      await f.connection(),
      { streams: ["beta", "alpha"], frequency: "15m" },
      clock.now(),
    );
    expect((await statusOf(sync)).map((row) => row.status)).toEqual(["pending", "pending"]);
    await runOnce();
    const [run] = await listRuns(f.store.db, { connectionId: sync.connectionId });
    expect(run).toMatchObject({ syncId: sync.id, status: "succeeded", stats: { recordsAdded: 10 } });
    expect(await countRecords(f.store.db, sync.connectionId, "alpha")).toEqual({ live: 5, deleted: 0 });
    expect(await countRecords(f.store.db, sync.connectionId, "gamma")).toEqual({ live: 0, deleted: 0 });
    expect(await statusOf(sync)).toEqual(
      ["beta", "alpha"].map((stream) => ({
        syncId: sync.id,
        stream,
        status: "done",
        lastStartedAt: "2025-06-01T12:00:00.000Z",
        lastFinishedAt: "2025-06-01T12:00:00.000Z",
        lastResult: "succeeded",
        lastRunId: run?.id,
        lastError: null,
        nextStartAt: "2025-06-01T12:15:00.000Z",
      })),
    );
  });

  it("a failing stream is failed with the run's error; streams before it are done, streams after it keep their last result", async () => {
    const provider = memoryProvider(knobs);
    const sync = await createSync(
      f.store.db,
      provider,
      await f.connection(),
      { frequency: "1m" },
      clock.now(),
    );
    knobs.failing.add("beta");
    await runOnce();
    let status = await statusOf(sync);
    expect(status.map((row) => [row.stream, row.status])).toEqual([
      ["alpha", "done"],
      ["beta", "failed"],
      ["gamma", "pending"],
    ]);
    expect(status[1]).toMatchObject({ lastResult: "failed", lastError: { code: "provider_unavailable" } });

    knobs.failing.clear();
    clock.advance(60_000);
    await runOnce();
    status = await statusOf(sync);
    expect(status.map((row) => row.status)).toEqual(["done", "done", "done"]);
    expect(status[1]).toMatchObject({ lastError: null, lastFinishedAt: "2025-06-01T12:01:00.000Z" });
  });

  it("a run that cannot start (no warehouse in this worker) is recorded failed, and so is every stream", async () => {
    const provider = memoryProvider(knobs);
    const sync = await createSync(
      f.store.db,
      provider,
      await f.connection(),
      { streams: ["alpha", "gamma"], warehouse: true },
      clock.now(),
    );
    await runOnce();
    const [run] = await listRuns(f.store.db, { connectionId: sync.connectionId });
    expect(run).toMatchObject({ syncId: sync.id, status: "failed", error: { code: "config_invalid" } });
    expect((await statusOf(sync)).map((row) => [row.status, row.lastError?.code])).toEqual([
      ["failed", "config_invalid"],
      ["failed", "config_invalid"],
    ]);
    expect((await getSync(f.store.db, sync.id)).lastRunId).toBe(run?.id);
  });

  it("while a run goes on, streams not finished in it are syncing; paused syncs show paused and no next start", async () => {
    const provider = memoryProvider(knobs);
    const sync = await createSync(f.store.db, provider, await f.connection(), {}, clock.now());
    const beta = gate();
    knobs.hold = (stream) => (stream === "beta" ? beta.promise : undefined);
    expect(await s.tick()).toHaveLength(1);
    await untilReading(knobs, "beta");
    expect((await statusOf(sync)).map((row) => row.status)).toEqual(["done", "syncing", "syncing"]);
    beta.open();
    await s.idle();
    expect((await statusOf(sync)).map((row) => row.status)).toEqual(["done", "done", "done"]);

    await changeSync(f.store.db, provider, await getSync(f.store.db, sync.id), { enabled: false });
    expect(await statusOf(sync)).toMatchObject([
      { status: "paused", nextStartAt: null, lastResult: "succeeded" },
      { status: "paused" },
      { status: "paused" },
    ]);
  });

  it("a full-refresh trigger reaches the stream's read; scheduled runs stay incremental", async () => {
    const provider = memoryProvider(knobs);
    const sync = await createSync(
      f.store.db,
      provider,
      await f.connection(),
      { streams: ["alpha"], frequency: "1h" },
      clock.now(),
    );
    await runOnce(); // first run: no state yet, so everything is read
    clock.advance(3_600_000);
    await runOnce();
    await s.triggerNow(sync.id, { fullRefresh: true });
    await runOnce();
    expect(knobs.reads.map((read) => read.fullRefresh)).toEqual([true, false, true]);
    const runs = await listRuns(f.store.db, { connectionId: sync.connectionId });
    expect(runs.map((run) => run.fullRefresh)).toEqual([true, false, false]);
  });
});
