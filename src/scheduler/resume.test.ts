/**
 * Runs cut off are resumed by the next start: a run stopped by a shutdown (SIGTERM) is asked for again
 * instead of waiting for its next slot, and a process restarting after a kill fails its dead predecessor's
 * run at once (the holder's pid is gone) instead of showing it `running` until the lease expires.
 */
import { spawnSync } from "node:child_process";
import { hostname } from "node:os";
import { beforeEach, describe, expect, it } from "vitest";
import { createSync } from "../app/syncs/syncs.ts";
import { createRun, getRun, getSync, listRuns, type Sync } from "../store/index.ts";
import type { Scheduler } from "./scheduler.ts";
import { createStoreSyncQueue, type StoreQueueOptions } from "./store-queue.ts";
import {
  type FakeClock,
  fakeClock,
  fixturePerTest,
  gate,
  memoryProvider,
  orphanRun,
  realScheduler,
  type StreamKnobs,
  streamStatusesOf,
  untilReading,
} from "./test-fixtures.ts";

const f = fixturePerTest();
let clock: FakeClock;
let knobs: StreamKnobs;

beforeEach(async () => {
  clock = fakeClock();
  knobs = { failing: new Set(), records: 3, reads: [] };
});

/** A scheduler with the real runner, as a process of its own would have (its own queue and owner). */
function startProcess(queue: StoreQueueOptions = {}): Scheduler {
  return realScheduler(f, { knobs, clock, queue, pollMs: 5 });
}

async function statusesOf(sync: Sync): Promise<string[]> {
  return (await streamStatusesOf(f.store, sync, clock.now())).map((row) => row.status);
}

/** A sync of the memory provider's three streams, hourly from now. */
async function hourlySync(): Promise<Sync> {
  return createSync(
    f.store.db,
    memoryProvider(knobs),
    await f.connection(),
    { frequency: "1h" },
    clock.now(),
  );
}

/** A pid that surely belongs to no process: a child that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", ""]);
  return child.pid;
}

describe("resuming runs that were cut off", () => {
  it("a run stopped by a shutdown is resumed by the next start at once, not one interval later", async () => {
    const sync = await hourlySync();
    const beta = gate();
    knobs.hold = (stream) => (stream === "beta" ? beta.promise : undefined);
    const shutdown = new AbortController();
    const first = startProcess().start(shutdown.signal);
    await untilReading(knobs, "beta");
    shutdown.abort(); // SIGTERM
    beta.open();
    await first;
    const [cut] = await listRuns(f.store.db, { connectionId: sync.connectionId });
    expect(cut).toMatchObject({ status: "failed", error: { code: "run_aborted" } });
    expect(await statusesOf(sync)).toEqual(["done", "failed", "pending"]);

    // The next start, a moment later (well within the hour): the cut-off run is resumed at once.
    knobs.hold = undefined;
    clock.advance(5_000);
    const next = startProcess();
    expect(await next.tick()).toMatchObject([{ syncId: sync.id }]);
    await next.idle();
    expect(await statusesOf(sync)).toEqual(["done", "done", "done"]);
    const [resumed] = await listRuns(f.store.db, { connectionId: sync.connectionId });
    expect(resumed).toMatchObject({ status: "succeeded", stats: { recordsAdded: 6 } });
    // The schedule goes on from the resumed run.
    expect((await getSync(f.store.db, sync.id)).nextRunAt).toBe("2025-06-01T13:00:05.000Z");
  });

  it("after a kill, the restarting process fails its dead predecessor's run at once and resumes the sync", async () => {
    const sync = await hourlySync();
    // The killed process: it claimed the sync (its lease names it) and was reading alpha when it died.
    const killed = createStoreSyncQueue(f.store.db, {
      owner: "killed",
      now: clock.now,
      holder: { host: hostname(), pid: deadPid(), started: null },
    });
    expect(await killed.claimDue(1)).toHaveLength(1);
    const orphan = await orphanRun(f.store, sync, "alpha", clock.now());

    // Restarted a second later, long before the 60 s lease would expire.
    clock.advance(1_000);
    const restarted = startProcess();
    expect(await restarted.tick()).toMatchObject([{ syncId: sync.id }]);
    expect(await getRun(f.store.db, orphan.id)).toMatchObject({
      status: "failed",
      finishedAt: "2025-06-01T12:00:01.000Z",
      error: { code: "run_interrupted" },
    });
    await restarted.idle();
    expect(await statusesOf(sync)).toEqual(["done", "done", "done"]);
    const runs = await listRuns(f.store.db, { connectionId: sync.connectionId });
    expect(runs.map((run) => run.status)).toEqual(["succeeded", "failed"]);
    expect(await killed.renew({ syncId: sync.id, connectionId: sync.connectionId } as never)).toBe(false);
  });

  it("a holder on this host that is still alive keeps its lease until it expires", async () => {
    const sync = await hourlySync();
    const alive = createStoreSyncQueue(f.store.db, { owner: "alive", now: clock.now });
    expect(await alive.claimDue(1)).toHaveLength(1);
    const run = await createRun(f.store.db, {
      connectionId: sync.connectionId,
      syncId: sync.id,
      fullRefresh: false,
    });
    clock.advance(1_000);
    const other = startProcess();
    expect(await other.tick()).toEqual([]);
    expect((await getRun(f.store.db, run.id)).status).toBe("running");
  });
});
