/**
 * Leases across processes: two schedulers on one SQLite file (two connections, as two processes would have)
 * never run one sync twice at once; a worker that died leaves a run that the next worker fails as
 * `run_interrupted` once the lease expires.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { createSync } from "../app/syncs/syncs.ts";
import { getRun, getSync, listRunLogs, listRuns, streamsOfSyncs } from "../store/index.ts";
import { createScheduler, type Scheduler } from "./scheduler.ts";
import { createStoreSyncQueue } from "./store-queue.ts";
import {
  fakeClock,
  fixturePerTest,
  gate,
  memoryProvider,
  type Overlap,
  orphanRun,
  overlapMeter,
} from "./test-fixtures.ts";

const provider = memoryProvider({ failing: new Set(), records: 1, reads: [] });
const f = fixturePerTest();
let meter: Overlap;

beforeEach(async () => {
  meter = overlapMeter();
});

describe("leases across processes", () => {
  it("a sync running in one process is not claimed by another until its lease is given back", async () => {
    const other = await f.openSibling();
    const sync = await createSync(f.store.db, provider, await f.connection(), { frequency: "1h" });
    const release = gate();
    const onError = f.onError;
    const a = createScheduler({
      queue: createStoreSyncQueue(f.store.db),
      run: meter.track(f.store, () => release.promise),
      onError,
    });
    const b = createScheduler({
      queue: createStoreSyncQueue(other.db),
      run: meter.track(other, () => release.promise),
      onError,
    });
    expect(await a.tick()).toHaveLength(1);
    await b.triggerNow(sync.id);
    expect(await b.tick()).toEqual([]);
    expect((await getSync(other.db, sync.id)).lease).not.toBeNull();
    release.open();
    await a.idle();
    expect(await b.tick()).toMatchObject([{ syncId: sync.id }]);
    await b.idle();
    expect(meter.maxPerSync).toBe(1);
    expect(meter.started).toEqual([sync.id, sync.id]);
  });

  it("two schedulers polling one SQLite file, with triggers arriving all the time, never overlap a sync", async () => {
    const other = await f.openSibling();
    const syncIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      syncIds.push((await createSync(f.store.db, provider, await f.connection(), { frequency: "30s" })).id);
    }
    const pause = () => new Promise<void>((resolve) => setTimeout(resolve, 3));
    const onError = f.onError;
    const finished = [0, 0];
    const schedulers: Scheduler[] = [f.store, other].map((store, index) =>
      createScheduler({
        queue: createStoreSyncQueue(store.db),
        run: meter.track(store, pause),
        concurrency: 3,
        pollMs: 1,
        onRunFinished: () => {
          finished[index] = (finished[index] ?? 0) + 1;
        },
        onError,
      }),
    );
    const abort = new AbortController();
    const loops = schedulers.map((scheduler) => scheduler.start(abort.signal));
    const enough = () => syncIds.every((id) => meter.started.filter((started) => started === id).length >= 6);
    for (let round = 0; !enough() && round < 2_000; round++) {
      await schedulers[round % 2]!.triggerNow(syncIds[round % 3]!);
      await pause();
    }
    abort.abort();
    await Promise.all(loops);
    expect(enough()).toBe(true);
    expect(meter.maxPerSync).toBe(1);
    // Both processes did work: the lease, not luck, kept them apart.
    expect(finished.every((count) => count > 0)).toBe(true);
    const runs = await listRuns(f.store.db, { limit: 1_000 });
    expect(runs.every((run) => run.status !== "running")).toBe(true);
  });

  it("fails a dead worker's run as run_interrupted once its lease expires, then runs the sync again", async () => {
    const clock = fakeClock();
    const sync = await createSync(
      f.store.db,
      provider,
      await f.connection(),
      { frequency: "1m" },
      clock.now(),
    );
    // The dead worker: claimed the sync, started a run and a stream, then stopped renewing its lease.
    const dead = createStoreSyncQueue(f.store.db, { owner: "dead", leaseMs: 60_000, now: clock.now });
    const [claim] = await dead.claimDue(1);
    const orphan = await orphanRun(f.store, sync, "alpha", clock.now());
    expect(claim).toBeDefined();

    const other = await f.openSibling();
    const live = createScheduler({
      queue: createStoreSyncQueue(other.db, { owner: "live", now: clock.now }),
      run: meter.track(other),
      onError: f.onError,
    });
    clock.advance(59_000);
    expect(await live.tick()).toEqual([]);
    expect((await getRun(f.store.db, orphan.id)).status).toBe("running");

    clock.advance(2_000);
    expect(await live.tick()).toMatchObject([{ syncId: sync.id }]);
    await live.idle();
    expect(await getRun(f.store.db, orphan.id)).toMatchObject({
      status: "failed",
      finishedAt: "2025-06-01T12:01:01.000Z",
      error: { code: "run_interrupted", hint: expect.stringContaining("resumes from the last checkpoint") },
    });
    const logs = await listRunLogs(f.store.db, orphan.id);
    expect(logs.at(-1)).toMatchObject({ level: "error", message: expect.stringContaining("interrupted") });
    const alpha = (await streamsOfSyncs(f.store.db, [sync.id])).find((row) => row.stream === "alpha");
    expect(alpha).toMatchObject({ last_run_id: orphan.id, last_result: "failed" });
    expect(meter.started).toEqual([sync.id]);
    // The dead worker, were it to wake up, no longer holds the lease.
    expect(await dead.renew(claim!)).toBe(false);
  });
});
