/**
 * Reliability: crash (docs/reliability.md). A real `switchyard worker` process on Postgres is SIGKILLed at
 * random points (delays drawn from a printed seed) during a sync of one stream, again and again; each time a
 * new worker takes the run over from its last committed checkpoint. At the end the records cache and the
 * Postgres warehouse equal the emulator's dataset (count and checksum), with no duplicate keys, and every
 * kill left one interrupted run behind.
 *
 * Then graceful shutdown: SIGTERM during a run makes the worker commit the page it holds, record the
 * checkpoint, and exit 0; the next worker resumes from exactly that checkpoint.
 *
 * CI size: 5,000 records and 3 kills (the benchmark-sized run is RELIABILITY_CRASH_RECORDS=100000
 * RELIABILITY_KILLS=20). Replay: RELIABILITY_SEEDS=<the printed seed>.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/core/index.ts";
import { getConnectionLease, listRunLogs } from "../../src/store/index.ts";
import { providerWithEmulator, startEmulator } from "../helpers/emulators.ts";
import { createTestDatabase, postgresAvailable } from "../helpers/postgres.ts";
import { reliabilitySeeds, seededRandom, sizeFromEnv } from "../helpers/reliability.ts";
import { openScaleOutWorld, type ScaleOutWorld } from "../helpers/scale-out-world.ts";

const available = await postgresAvailable();
const provider = providerWithEmulator("hubspot");
const STREAM = "contacts";
const RECORDS = sizeFromEnv("RELIABILITY_CRASH_RECORDS", 5_000);
const KILLS = sizeFromEnv("RELIABILITY_KILLS", 3);
const [SEED] = reliabilitySeeds("crash", 1, 52_000);
/** Kill points: at most this long after a share of the records was committed. */
const MAX_DELAY_MS = 300;
const BATCH = ["--batch-size", "250"];
/** Per test (and hook): RELIABILITY_TIMEOUT_MS for the benchmark-sized run, which a 5-minute bound cannot hold. */
const TIMEOUT_MS = sizeFromEnv("RELIABILITY_TIMEOUT_MS", 300_000);

let database: { url: string; drop: () => Promise<void> };
let world: ScaleOutWorld;
let emulator: EmulatorHandle;

async function liveRecords(connectionId: string): Promise<number> {
  const row = await world.store.db
    .selectFrom("records")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("connection_id", "=", connectionId)
    .where("deleted", "=", 0)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function expectTheTruth(connectionId: string) {
  const landed = await world.compare(provider, emulator, connectionId, STREAM);
  // What was compared, for the run's record (docs/reliability.md): counts and checksums, not the samples.
  const figures = ({ count, checksum }: { count: number; checksum: string }) => ({ count, checksum });
  console.log(
    JSON.stringify({
      reliability: "crash",
      emulator: figures(landed.truth),
      records_cache: figures(landed.cache),
      cache_hashes: figures(landed.cacheHashes),
      warehouse_hashes: figures(landed.warehouseHashes),
      warehouse_duplicate_keys: landed.warehouseDuplicateKeys,
    }),
  );
  expect(landed.truth.count).toBe(RECORDS);
  expect(landed.cache, "records cache").toEqual(landed.truth);
  expect(landed.warehouseHashes, "Postgres warehouse").toEqual(landed.cacheHashes);
  expect(landed.warehouseDuplicateKeys, "warehouse duplicate keys").toBe(0);
}

describe.skipIf(!available)("a worker killed during a sync", () => {
  beforeAll(async () => {
    database = await createTestDatabase();
    // Renewals miss their beat on a busy machine: a 5 s lease (a dead worker on this host is reaped at once).
    world = await openScaleOutWorld(database.url, 5_000);
    emulator = await startEmulator(provider, { seed: SEED, records: RECORDS, unlimited: true });
    // Slow enough that a run spans the kill delays.
    await emulator.setFaults({ latencyMs: 10 });
  }, TIMEOUT_MS);
  afterAll(async () => {
    await world?.close();
    await emulator?.close();
    await database?.drop();
  }, TIMEOUT_MS);

  it(
    `resumes after ${KILLS} SIGKILLs at random points to exactly the emulator's dataset`,
    async () => {
      const { syncId, connectionId } = await world.newSync(provider, emulator, {
        endUserId: "crash",
        streams: [STREAM],
      });
      // Kill points: after a share of the records (ascending, so each lands in a resumed run), plus a delay
      // that puts the kill anywhere in the pages being read and committed then.
      const random = seededRandom(SEED!);
      const points = Array.from({ length: KILLS }, () => ({
        share: 0.05 + random() * 0.85,
        delayMs: Math.round(random() * MAX_DELAY_MS),
      })).sort((a, b) => a.share - b.share);
      // Two workers at all times: the one killed is replaced while the other takes the run over.
      const workers = [world.startWorker(BATCH), world.startWorker(BATCH)];
      await world.dispatcher.triggerNow(syncId);
      const killedAt: number[] = [];
      for (const point of points) {
        const holder = await world
          .until(`${Math.round(point.share * RECORDS)} records committed`, async () => {
            const lease = await getConnectionLease(world.store.db, connectionId);
            const live = await liveRecords(connectionId);
            return lease && live >= point.share * RECORDS
              ? workers.find((worker) => worker.process.pid === lease.holder.pid)
              : undefined;
          })
          .catch((error: Error) => {
            // Which worker did what: the workers' own lines.
            throw new Error(`${error.message}\n${workers.map((worker) => worker.output()).join("\n---\n")}`);
          });
        await new Promise((resolve) => setTimeout(resolve, point.delayMs));
        holder.process.kill("SIGKILL");
        await holder.exited;
        killedAt.push(await liveRecords(connectionId));
        workers.splice(workers.indexOf(holder), 1, world.startWorker(BATCH));
      }
      console.log(
        JSON.stringify({
          reliability: "crash",
          seed: SEED,
          records: RECORDS,
          kills: points,
          records_at_kills: killedAt,
        }),
      );

      try {
        const runs = await world.until("the resumed run", async () => {
          const list = await world.runsOf(syncId);
          return list[list.length - 1]?.status === "succeeded" ? list : undefined;
        });
        console.log(
          JSON.stringify({ reliability: "crash", runs: runs.map((run) => run.error?.code ?? run.status) }),
        );
        // Only the last run finished; each kill interrupted the run it hit (a kill after the run's last
        // commit can find it done).
        expect(runs.slice(0, -1).filter((run) => run.status !== "failed")).toEqual([]);
        const interrupted = runs.filter((run) => run.error?.code === "run_interrupted");
        expect(interrupted.length, "interrupted runs").toBeGreaterThanOrEqual(KILLS - 1);
        await expectTheTruth(connectionId);
      } finally {
        for (const worker of workers) {
          // Its signal handlers are set once it says it takes jobs.
          await world.until("a worker's start", async () =>
            worker.output().includes("is taking sync jobs") ? true : undefined,
          );
          worker.process.kill("SIGTERM");
        }
        for (const worker of workers) expect(await worker.exited, worker.output()).toBe(0);
      }
    },
    TIMEOUT_MS,
  );

  it(
    "SIGTERM commits the current page, checkpoints, exits 0, and the next worker resumes from that checkpoint",
    async () => {
      await world.killChildren();
      const { syncId, connectionId } = await world.newSync(provider, emulator, {
        endUserId: "graceful",
        streams: [STREAM],
      });
      const worker = world.startWorker(BATCH);
      // Its signal handlers are set once it says it takes jobs.
      await world.until("the worker", async () =>
        worker.output().includes("is taking sync jobs") ? true : undefined,
      );
      await world.dispatcher.triggerNow(syncId);
      await world.until("a committed batch", async () =>
        (await liveRecords(connectionId)) >= 500 ? true : undefined,
      );
      worker.process.kill("SIGTERM");
      expect(await worker.exited, worker.output()).toBe(0);
      const [cutOff] = await world.runsOf(syncId);
      expect([cutOff?.status, cutOff?.error?.code]).toEqual(["failed", "run_aborted"]);
      const committed = await liveRecords(connectionId);
      expect(committed).toBeGreaterThan(0);
      expect(committed).toBeLessThan(RECORDS);

      world.startWorker(BATCH);
      const runs = await world.until("the resumed run", async () => {
        const list = await world.runsOf(syncId);
        return list.some((run) => run.status === "succeeded") ? list : undefined;
      });
      const resumed = runs[runs.length - 1]!;
      // It started at the checkpoint: it added exactly what was left, and said it resumed.
      expect(resumed.stats.recordsAdded).toBe(RECORDS - committed);
      const readings = (await listRunLogs(world.store.db, resumed.id, { minLevel: "info" }))
        .filter((line) => line.message === `Reading ${STREAM}`)
        .map((line) => line.fields?.resumed);
      expect(readings).toEqual([true]);
      await expectTheTruth(connectionId);
    },
    TIMEOUT_MS,
  );
});
