/**
 * Reliability: Postgres restart (docs/reliability.md). A `switchyard worker` runs a sync against a private,
 * throwaway Postgres cluster (never the shared server other tests use); the cluster is restarted
 * (`pg_ctl restart -m fast`, every session ended) while the run commits, or stopped for a few seconds and
 * started again. With nobody stepping in, the run is retried or resumed by itself, and the records cache and
 * the Postgres warehouse end equal to the emulator's dataset (count and checksum), with no duplicate keys.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/core/index.ts";
import { providerWithEmulator, startEmulator } from "../helpers/emulators.ts";
import {
  type PrivatePostgres,
  privatePostgresAvailable,
  startPrivatePostgres,
} from "../helpers/private-postgres.ts";
import { sizeFromEnv } from "../helpers/reliability.ts";
import { openScaleOutWorld, type ScaleOutWorld } from "../helpers/scale-out-world.ts";

const available = privatePostgresAvailable();
const provider = providerWithEmulator("hubspot");
const STREAM = "contacts";
const RECORDS = sizeFromEnv("RELIABILITY_RESTART_RECORDS", 3_000);
/** Each wait's bound: generous, since CI shares two cores with everything else. */
const WAIT_MS = 180_000;
const TIMEOUT_MS = 2 * WAIT_MS + 60_000;

let cluster: PrivatePostgres;
let world: ScaleOutWorld;
let emulator: EmulatorHandle;

/** How long the second case keeps the server down: the worker's run ends (and its job with it) meanwhile. */
const DOWN_MS = 3_000;

describe.skipIf(!available)("Postgres restarted during a run", () => {
  beforeAll(async () => {
    cluster = await startPrivatePostgres();
    // Renewals miss their beat on a busy machine: a 5 s lease, as in crash.test.ts (1 s aborted live runs).
    world = await openScaleOutWorld(cluster.url, 5_000);
    emulator = await startEmulator(provider, { seed: 77, records: RECORDS, unlimited: true });
    // Slow enough that the restart lands mid-run.
    await emulator.setFaults({ latencyMs: 10 });
  }, TIMEOUT_MS);
  afterAll(async () => {
    await world?.close();
    await emulator?.close();
    cluster?.destroy();
  }, TIMEOUT_MS);

  /** Starts a sync on a worker, interrupts Postgres with `outage` once 400 records are committed, checks the end. */
  async function syncThrough(name: string, outage: () => Promise<void>): Promise<void> {
    const { syncId, connectionId } = await world.newSync(provider, emulator, {
      endUserId: name,
      streams: [STREAM],
    });
    const worker = world.startWorker(["--batch-size", "200"]);
    try {
      await world.dispatcher.triggerNow(syncId);
      const committed = async () =>
        Number(
          (
            await world.store.db
              .selectFrom("records")
              .select((eb) => eb.fn.countAll<string>().as("n"))
              .where("connection_id", "=", connectionId)
              .executeTakeFirstOrThrow()
          ).n,
        );
      await world.until(
        "a committed batch",
        async () => ((await committed()) >= 400 ? true : undefined),
        WAIT_MS,
      );
      const atRestart = await committed();
      await outage();

      const runs = await world.until(
        "a succeeded run",
        async () => {
          const list = await world.runsOf(syncId).catch(() => []);
          return list.some((run) => run.status === "succeeded") ? list : undefined;
        },
        WAIT_MS,
      );
      console.log(
        JSON.stringify({
          reliability: "postgres-restart",
          outage: name,
          records: RECORDS,
          committed_at_restart: atRestart,
          runs: runs.map((run) => [run.status, run.error?.code ?? null]),
        }),
      );
      expect(atRestart, "the restart landed mid-run").toBeLessThan(RECORDS - 200);
      expect(worker.process.exitCode, `the worker lives on:\n${worker.output()}`).toBeNull();
      const landed = await world.compare(provider, emulator, connectionId, STREAM);
      expect(landed.truth.count).toBe(RECORDS);
      expect(landed.cache, "records cache").toEqual(landed.truth);
      expect(landed.warehouseHashes, "Postgres warehouse").toEqual(landed.cacheHashes);
      expect(landed.warehouseDuplicateKeys).toBe(0);
    } catch (error) {
      // What the worker said is the first thing to read when a case fails.
      throw new Error(
        `${error instanceof Error ? error.message : String(error)}\nworker output:\n${worker.output()}`,
      );
    } finally {
      // This case's worker is done; the next case starts its own.
      await world.killChildren();
    }
  }

  it(
    "after a fast restart the run resumes or is retried by itself, and nothing is lost",
    () => syncThrough("restart", async () => cluster.restart()),
    TIMEOUT_MS,
  );

  it(
    `after ${DOWN_MS / 1000} s down the run resumes or is retried by itself, and nothing is lost`,
    () =>
      syncThrough("down", async () => {
        cluster.stop();
        await new Promise((resolve) => setTimeout(resolve, DOWN_MS));
        cluster.start();
      }),
    TIMEOUT_MS,
  );
});
