/**
 * Reliability: load (docs/reliability.md). Many connections on 5-minute schedules, on Postgres, with the
 * real scheduling side (the sync dispatcher) and two workers, each with its own graphile-worker queue, store
 * and leases; each run is a real engine run of a tiny in-memory provider, so it finishes at once and what is
 * measured is the scheduler and the queue. Time is compressed: every part shares one clock that runs
 * RELIABILITY_LOAD_SPEEDUP times faster than the wall clock (the dispatcher and workers take a clock; the
 * queue's own waits are real). The first runs are spread over the first interval, as connections made over
 * time are. Asserts that no run started later than one interval after it was due, and prints the queue
 * latency (due → run started, in real milliseconds) p50 and p99 as a JSON line.
 *
 * CI size: 300 connections, 20× faster (an interval is 15 s), 2 intervals; the full size is
 * RELIABILITY_LOAD_CONNECTIONS=1000 RELIABILITY_LOAD_SPEEDUP=10.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSync } from "../../src/app/syncs/syncs.ts";
import {
  createGraphileJobQueue,
  createStoreSyncQueue,
  createSyncDispatcher,
  createSyncRunner,
  createSyncWorker,
  type SyncWorker,
} from "../../src/scheduler/index.ts";
import { openStore, type Store } from "../../src/store/index.ts";
import { fakeProvider, makeItems } from "../helpers/fake-provider.ts";
import { createTestDatabase, postgresAvailable } from "../helpers/postgres.ts";
import { sizeFromEnv } from "../helpers/reliability.ts";
import { addTestConnection } from "../helpers/temp-store.ts";

const available = await postgresAvailable();
const CONNECTIONS = sizeFromEnv("RELIABILITY_LOAD_CONNECTIONS", 300);
const SPEEDUP = sizeFromEnv("RELIABILITY_LOAD_SPEEDUP", 20);
const INTERVALS = sizeFromEnv("RELIABILITY_LOAD_INTERVALS", 2);
const INTERVAL_MS = 5 * 60_000;
const WORKERS = 2;

const fakeStart = Date.now();
let realStart: number | undefined;
/** The shared clock: stands still while the syncs are made, then runs SPEEDUP times the wall clock's pace. */
const clock = () => new Date(fakeStart + (realStart === undefined ? 0 : (Date.now() - realStart) * SPEEDUP));

let database: { url: string; drop: () => Promise<void> };
const stores: Store[] = [];
const workers: SyncWorker[] = [];
const stop = new AbortController();
let scheduling: Promise<void> | undefined;
const errors: unknown[] = [];
/** When each sync's first run was due, and when each of its runs started, on the shared clock. */
const starts = new Map<string, number[]>();
const created = new Map<string, number>();

describe.skipIf(!available)(`${CONNECTIONS} connections on 5-minute schedules, ${WORKERS} workers`, () => {
  beforeAll(async () => {
    database = await createTestDatabase();
    const open = async () => {
      const store = await openStore({ kind: "postgres", connectionString: database.url });
      stores.push(store);
      return store;
    };
    const main = await open();
    const tiny = fakeProvider({ data: makeItems(2), pageSize: 2 });
    const firstDue = fakeStart;
    for (let index = 0; index < CONNECTIONS; index++) {
      const connectionId = await addTestConnection(main.db, "load", tiny.provider.name);
      const due = new Date(firstDue + Math.floor((index / CONNECTIONS) * INTERVAL_MS));
      const sync = await createSync(main.db, tiny.provider, connectionId, { frequency: "5m" }, due);
      created.set(sync.id, due.getTime());
    }
    for (let index = 0; index < WORKERS; index++) {
      const store = await open();
      const worker = createSyncWorker({
        jobs: await createGraphileJobQueue({ connectionString: database.url }),
        queue: createStoreSyncQueue(store.db, { now: clock }),
        concurrency: 4,
        run: createSyncRunner({
          store,
          now: clock,
          buildJob: async (connectionId, options) => ({
            store,
            provider: tiny.provider,
            connection: { id: connectionId, credentials: { type: "bearer", token: "unused" } },
            ...options,
          }),
        }),
        onRunFinished: (claim, run) => {
          // A run starts when a worker claims it (on the shared clock).
          starts.set(claim.syncId, [...(starts.get(claim.syncId) ?? []), claim.claimedAt.getTime()]);
          if (run.status !== "succeeded") errors.push(new Error(`run ${run.id}: ${run.error?.message}`));
        },
        onError: (error) => errors.push(error),
      });
      await worker.start();
      workers.push(worker);
    }
    const dispatcher = createSyncDispatcher({
      db: main.db,
      jobs: await createGraphileJobQueue({ connectionString: database.url }),
      queue: createStoreSyncQueue(main.db, { now: clock }),
      pollMs: 100,
      now: clock,
      onError: (error) => errors.push(error),
    });
    realStart = Date.now();
    scheduling = dispatcher.start(stop.signal);
  }, 240_000);

  afterAll(async () => {
    stop.abort();
    await scheduling;
    for (const worker of workers) await worker.stop();
    for (const store of stores) await store.close();
    await database?.drop();
  }, 120_000);

  it(`starts every run within one interval of when it was due, over ${INTERVALS} intervals`, async () => {
    await new Promise((resolve) => setTimeout(resolve, (INTERVALS * INTERVAL_MS) / SPEEDUP));
    // Each run was due one interval after the previous one started (the first when its sync was made).
    const lateness: number[] = [];
    for (const [syncId, due] of created) {
      let dueAt = due;
      for (const startedAt of starts.get(syncId) ?? []) {
        lateness.push(startedAt - dueAt);
        dueAt = startedAt + INTERVAL_MS;
      }
      // A run due before the window closed (with one interval of slack) has started.
      const cutOff = clock().getTime() - INTERVAL_MS;
      expect(
        dueAt,
        `sync ${syncId}: a run due at ${new Date(dueAt).toISOString()} never started`,
      ).toBeGreaterThan(cutOff);
    }
    lateness.sort((a, b) => a - b);
    const quantile = (q: number) => lateness[Math.min(lateness.length - 1, Math.floor(q * lateness.length))]!;
    const toRealMs = (fakeMs: number) => Math.round(Math.max(0, fakeMs) / SPEEDUP);
    console.log(
      JSON.stringify({
        reliability: "load",
        connections: CONNECTIONS,
        workers: WORKERS,
        interval_ms: INTERVAL_MS,
        speedup: SPEEDUP,
        runs: lateness.length,
        queue_latency_p50_ms: toRealMs(quantile(0.5)),
        queue_latency_p99_ms: toRealMs(quantile(0.99)),
        max_late_ms: Math.max(0, lateness[lateness.length - 1]!),
      }),
    );
    expect(errors.map(String)).toEqual([]);
    expect(lateness.length, "runs started").toBeGreaterThanOrEqual(CONNECTIONS * (INTERVALS - 1));
    expect(lateness[lateness.length - 1]!, "latest start after its due time").toBeLessThan(INTERVAL_MS);
  }, 240_000);
});
