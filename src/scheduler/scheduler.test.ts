/** The scheduler over the store queue, on real SQLite with a fake clock and a runner that records overlap. */
import { beforeEach, describe, expect, it } from "vitest";
import { changeSync, createSync } from "../app/syncs/syncs.ts";
import { thisProcess } from "../engine/index.ts";
import { claimSyncLease, deleteSync, findDueSyncs, getSync, listRuns } from "../store/index.ts";
import { createScheduler, type Scheduler } from "./scheduler.ts";
import { createStoreSyncQueue } from "./store-queue.ts";
import {
  type FakeClock,
  fakeClock,
  fixturePerTest,
  gate,
  memoryProvider,
  type Overlap,
  overlapMeter,
} from "./test-fixtures.ts";

const provider = memoryProvider({ failing: new Set(), records: 1, reads: [] });
const f = fixturePerTest();
let clock: FakeClock;
let meter: Overlap;

beforeEach(async () => {
  clock = fakeClock();
  meter = overlapMeter();
});

function scheduler(options: { concurrency?: number; hold?: () => Promise<void> } = {}): Scheduler {
  return createScheduler({
    queue: createStoreSyncQueue(f.store.db, { now: clock.now }),
    run: meter.track(f.store, options.hold),
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    onError: f.onError,
  });
}

async function newSync(frequency: string, connectionStatus = "active") {
  const connectionId = await f.connection(connectionStatus);
  return createSync(f.store.db, provider, connectionId, { frequency }, clock.now());
}

/** Ticks and waits for the runs, until a tick claims nothing; returns how many runs were made. */
async function drain(s: Scheduler): Promise<number> {
  let total = 0;
  for (;;) {
    const claims = await s.tick();
    await s.idle();
    if (claims.length === 0) return total;
    total += claims.length;
  }
}

describe("scheduler", () => {
  it("runs a sync when due, links the run to it, and schedules the next run one interval after the start", async () => {
    const sync = await newSync("1m");
    const s = scheduler();
    expect(await drain(s)).toBe(1);
    const [run] = await listRuns(f.store.db, { connectionId: sync.connectionId });
    expect(run).toMatchObject({ syncId: sync.id, status: "succeeded" });
    expect(await getSync(f.store.db, sync.id)).toMatchObject({
      lastRunId: run?.id,
      nextRunAt: "2025-06-01T12:01:00.000Z",
      lease: null,
    });
    clock.advance(59_000);
    expect(await drain(s)).toBe(0);
    clock.advance(1_000);
    expect(await drain(s)).toBe(1);
  });

  it("runs at most `concurrency` syncs at once and the rest as slots free up", async () => {
    for (let i = 0; i < 5; i++) await newSync("1h");
    let release = gate();
    const s = scheduler({ concurrency: 2, hold: () => release.promise });
    expect(await s.tick()).toHaveLength(2);
    expect(await s.tick()).toHaveLength(0);
    expect(s.running).toBe(2);
    release.open();
    await s.idle();
    release = gate();
    expect(await s.tick()).toHaveLength(2);
    release.open();
    await s.idle();
    expect(await drain(s)).toBe(1);
    expect(meter.started).toHaveLength(5);
    expect(new Set(meter.started).size).toBe(5);
    expect(meter.maxOverall).toBe(2);
  });

  it("after downtime catches up with one run, not one per missed slot, then keeps the schedule from now", async () => {
    const interval = await newSync("1m");
    const cron = await newSync("*/5 * * * *");
    const s = scheduler();
    expect(await drain(s)).toBe(2);
    clock.advance(3 * 3_600_000 + 7_000); // three hours down: 180 and 36 missed slots
    expect(await drain(s)).toBe(2);
    expect(meter.started.filter((id) => id === interval.id)).toHaveLength(2);
    expect(meter.started.filter((id) => id === cron.id)).toHaveLength(2);
    expect((await getSync(f.store.db, interval.id)).nextRunAt).toBe("2025-06-01T15:01:07.000Z");
    expect((await getSync(f.store.db, cron.id)).nextRunAt).toBe("2025-06-01T15:05:00.000Z");
  });

  it("does not run paused syncs or syncs of paused connections; resuming an overdue sync runs it once", async () => {
    const sync = await newSync("1m");
    await newSync("1m", "paused");
    await newSync("1m", "needs_reauth");
    const s = scheduler();
    await changeSync(f.store.db, provider, sync, { enabled: false }, clock.now());
    clock.advance(10 * 60_000);
    expect(await drain(s)).toBe(0);
    await changeSync(
      f.store.db,
      provider,
      await getSync(f.store.db, sync.id),
      { enabled: true },
      clock.now(),
    );
    expect(await drain(s)).toBe(1);
    expect(meter.started).toEqual([sync.id]);
  });

  it("trigger now runs before the schedule, as a full refresh when asked; triggers during a run make one more run after it", async () => {
    const sync = await newSync("1d");
    let release = gate();
    const s = scheduler({ hold: () => release.promise });
    const runs = () => listRuns(f.store.db, { connectionId: sync.connectionId });
    release.open();
    expect(await drain(s)).toBe(1);

    await s.triggerNow(sync.id, { fullRefresh: true });
    release = gate();
    const [claim] = await s.tick();
    expect(claim).toMatchObject({ syncId: sync.id, fullRefresh: true });
    await s.triggerNow(sync.id);
    await s.triggerNow(sync.id);
    expect(await s.tick()).toEqual([]); // the same sync is running
    release.open();
    await s.idle();
    const after = await s.tick();
    expect(after).toMatchObject([{ syncId: sync.id, fullRefresh: false }]);
    await s.idle();
    expect(await drain(s)).toBe(0);
    expect((await runs()).map((run) => run.fullRefresh)).toEqual([false, true, false]);
  });

  it("a new frequency reschedules from now; a claim of a sync changed since it was read steps aside", async () => {
    const sync = await newSync("1h");
    const s = scheduler();
    expect(await drain(s)).toBe(1);
    clock.advance(60_000);
    const changed = await changeSync(
      f.store.db,
      provider,
      await getSync(f.store.db, sync.id),
      { frequency: "5m" },
      clock.now(),
    );
    expect(changed.nextRunAt).toBe("2025-06-01T12:06:00.000Z");
    clock.advance(5 * 60_000);
    const [seen] = await findDueSyncs(f.store.db, clock.now().toISOString(), 10);
    expect(seen?.id).toBe(sync.id);
    await changeSync(f.store.db, provider, changed, { frequency: "10m" }, clock.now());
    const lease = {
      owner: "w",
      holder: thisProcess(),
      now: clock.now().toISOString(),
      expiresAt: "2099-01-01T00:00:00.000Z",
      nextRunAt: null,
    };
    expect(await claimSyncLease(f.store.db, seen!, lease)).toBe(false);
    clock.advance(10 * 60_000);
    expect(await drain(s)).toBe(1);
  });

  it("a run whose sync is deleted loses its lease at the next renewal and is aborted", async () => {
    const sync = await newSync("1m");
    const s = createScheduler({
      queue: createStoreSyncQueue(f.store.db, { now: clock.now, leaseMs: 30 }),
      run: meter.track(f.store, () => new Promise(() => undefined)),
      onError: f.onError,
    });
    expect(await s.tick()).toHaveLength(1);
    await deleteSync(f.store.db, sync.id);
    await s.idle();
    const [run] = await listRuns(f.store.db, { connectionId: sync.connectionId });
    expect(run).toMatchObject({ syncId: sync.id, status: "failed", error: { code: "run_aborted" } });
  });

  it("stops on abort: claims nothing more, aborts the run in flight, waits for it and gives its lease back", async () => {
    const sync = await newSync("1m");
    const s = createScheduler({
      queue: createStoreSyncQueue(f.store.db, { now: clock.now }),
      run: meter.track(f.store, () => new Promise(() => undefined)),
      pollMs: 5,
      onError: f.onError,
    });
    const abort = new AbortController();
    const stopped = s.start(abort.signal);
    while (meter.started.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    abort.abort();
    await stopped;
    expect(s.running).toBe(0);
    const [run] = await listRuns(f.store.db, { connectionId: sync.connectionId });
    expect(run).toMatchObject({ status: "failed", error: { code: "run_aborted" } });
    expect((await getSync(f.store.db, sync.id)).lease).toBeNull();
    expect(await s.tick()).toEqual([]);
  });
});
