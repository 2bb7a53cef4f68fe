/**
 * Runs as jobs on the in-process queue (embedded mode's backend): the dispatcher enqueues due syncs once
 * per job key and runs nothing; the worker runs a job's sync only while it is due; a dead worker's run on
 * another host is taken over once its lease (the configurable takeover bound) expires, not before.
 */
import { describe, expect, it } from "vitest";
import { buildSyncJob } from "../app/syncs/sync-connection.ts";
import { createSync } from "../app/syncs/syncs.ts";
import { getRun, listRuns, type Run } from "../store/index.ts";
import { createInProcessAccountSlots } from "./account-slots.ts";
import type { JobQueue, JobSpec } from "./jobs.ts";
import { createInProcessJobQueue } from "./jobs-in-process.ts";
import { createSyncRunner } from "./run-claim.ts";
import { createStoreSyncQueue } from "./store-queue.ts";
import { createSyncDispatcher, createSyncWorker, SYNC_RUN_JOB, syncJobKey } from "./sync-jobs.ts";
import {
  type FakeClock,
  fakeClock,
  fixturePerTest,
  memoryProvider,
  orphanRun,
  overlapMeter,
} from "./test-fixtures.ts";

const knobs = { failing: new Set<string>(), records: 3, reads: [] };
const provider = memoryProvider(knobs);
const f = fixturePerTest();

/** Counts what is enqueued, passing it on. */
function countingJobs(jobs: JobQueue, enqueued: string[]): JobQueue {
  return {
    ...jobs,
    enqueue(name, payload, options) {
      enqueued.push(name);
      return jobs.enqueue(name, payload, options);
    },
  };
}

function worker(jobs: JobQueue, clock: FakeClock, finished: Run[], leaseMs = 60_000) {
  const providers = { memory: provider };
  return createSyncWorker({
    jobs,
    queue: createStoreSyncQueue(f.store.db, { now: clock.now, leaseMs }),
    run: createSyncRunner({
      store: f.store,
      buildJob: (id, job) => buildSyncJob({ store: f.store, vault: f.vault, providers }, id, job),
      now: clock.now,
    }),
    concurrency: 2,
    onRunFinished: (_claim, run) => finished.push(run),
    onError: f.onError,
  });
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 2));
}

describe("runs as jobs (in-process queue)", () => {
  it("the dispatcher enqueues a due sync under one job key and runs nothing; a worker runs it once", async () => {
    const clock = fakeClock();
    const sync = await createSync(
      f.store.db,
      provider,
      await f.connection(),
      { frequency: "1h" },
      clock.now(),
    );
    const jobs = createInProcessJobQueue();
    const enqueued: string[] = [];
    const dispatcher = createSyncDispatcher({
      db: f.store.db,
      jobs: countingJobs(jobs, enqueued),
      queue: createStoreSyncQueue(f.store.db, { now: clock.now }),
      now: clock.now,
      onError: f.onError,
    });
    // A new sync is due at once; every pass enqueues it again under its job key, and "run now" too.
    expect(await dispatcher.tick()).toBe(1);
    expect(await dispatcher.tick()).toBe(1);
    await dispatcher.triggerNow(sync.id);
    expect(enqueued).toEqual([SYNC_RUN_JOB, SYNC_RUN_JOB, SYNC_RUN_JOB]);
    expect(await listRuns(f.store.db)).toEqual([]);

    const finished: Run[] = [];
    const work = worker(jobs, clock, finished);
    await work.start();
    await until(() => finished.length === 1);
    // Asked for again while nothing is due: the job finds the sync not due and runs nothing.
    await jobs.enqueue(SYNC_RUN_JOB, { syncId: sync.id });
    await work.stop();
    expect(finished.map((run) => run.status)).toEqual(["succeeded"]);
    expect(await listRuns(f.store.db)).toHaveLength(1);
  });

  it("a pass enqueues its due syncs as one batch when the queue takes batches", async () => {
    const clock = fakeClock();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push(
        (await createSync(f.store.db, provider, await f.connection(), { frequency: "1h" }, clock.now())).id,
      );
    const batches: JobSpec[][] = [];
    const jobs: JobQueue = {
      ...createInProcessJobQueue(),
      enqueue: () => Promise.reject(new Error("a pass enqueues its syncs as one batch")),
      enqueueMany: async (specs) => void batches.push([...specs]),
    };
    const dispatcher = createSyncDispatcher({
      db: f.store.db,
      jobs,
      queue: createStoreSyncQueue(f.store.db, { now: clock.now }),
      now: clock.now,
      onError: f.onError,
    });
    expect(await dispatcher.tick()).toBe(3);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.map((spec) => spec.payload)).toEqual(
      expect.arrayContaining(ids.map((syncId) => ({ syncId }))),
    );
    expect(batches[0]!.every((spec) => spec.name === SYNC_RUN_JOB)).toBe(true);
    expect(batches[0]!.map((spec) => spec.options?.jobKey).sort()).toEqual(ids.map(syncJobKey).sort());
  });

  it("a dead worker's run on another host is taken over once its lease expires, and not before", async () => {
    const clock = fakeClock();
    const leaseMs = 30_000;
    const sync = await createSync(
      f.store.db,
      provider,
      await f.connection(),
      { frequency: "1h" },
      clock.now(),
    );
    // The dead worker: it claimed the sync on another host and left its run running.
    const dead = createStoreSyncQueue(f.store.db, {
      now: clock.now,
      leaseMs,
      holder: { host: "another-host", pid: 4242, started: null },
    });
    await dead.request(sync.id, { fullRefresh: false });
    expect(await dead.claimSync(sync.id)).not.toBeNull();
    const orphan = await orphanRun(f.store, sync, "alpha", clock.now());

    const jobs = createInProcessJobQueue();
    const dispatcher = createSyncDispatcher({
      db: f.store.db,
      jobs,
      queue: createStoreSyncQueue(f.store.db, { now: clock.now, leaseMs, isGone: () => false }),
      now: clock.now,
      onError: f.onError,
    });
    clock.advance(leaseMs - 1_000);
    expect(await dispatcher.tick()).toBe(0);
    expect((await getRun(f.store.db, orphan.id)).status).toBe("running");

    clock.advance(2_000);
    expect(await dispatcher.tick()).toBe(1);
    expect((await getRun(f.store.db, orphan.id)).error?.code).toBe("run_interrupted");
    const finished: Run[] = [];
    const work = worker(jobs, clock, finished, leaseMs);
    await work.start();
    await until(() => finished.length === 1);
    await work.stop();
    expect(finished.map((run) => run.status)).toEqual(["succeeded"]);
  });

  it("runs of one provider account never exceed the account's limit; they wait their turn", async () => {
    const clock = fakeClock();
    const syncs = [];
    for (let i = 0; i < 3; i++)
      syncs.push(
        await createSync(f.store.db, provider, await f.connection(), { frequency: "1h" }, clock.now()),
      );
    const meter = overlapMeter();
    const jobs = createInProcessJobQueue();
    const work = createSyncWorker({
      jobs,
      queue: createStoreSyncQueue(f.store.db, { now: clock.now }),
      run: meter.track(f.store, () => new Promise((resolve) => setTimeout(resolve, 5))),
      concurrency: 3,
      accountLimit: {
        slots: createInProcessAccountSlots(),
        limit: 1,
        // Every connection here reads the same provider account.
        accountOf: async () => "memory:account:one",
        retryMs: 1,
      },
      onError: f.onError,
    });
    await work.start();
    for (const sync of syncs) await jobs.enqueue(SYNC_RUN_JOB, { syncId: sync.id });
    await until(() => meter.started.length === 3 && meter.maxOverall >= 1);
    while ((await listRuns(f.store.db)).some((run) => run.status === "running"))
      await new Promise((resolve) => setTimeout(resolve, 2));
    await work.stop();
    expect(meter.maxOverall).toBe(1);
    expect([...meter.started].sort()).toEqual(syncs.map((sync) => sync.id).sort());
  });
});
