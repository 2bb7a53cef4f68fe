/**
 * Reliability: Postgres restart (docs/reliability.md). A `switchyard worker` runs a sync against a private,
 * throwaway Postgres cluster (never the shared server other tests use); the cluster is restarted
 * (`pg_ctl restart -m fast`, every session ended) while the run commits. With nobody stepping in, the run is
 * retried or resumed by itself, and the records cache and the Postgres warehouse end equal to the emulator's
 * dataset (count and checksum), with no duplicate keys.
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
const TIMEOUT_MS = 240_000;

let cluster: PrivatePostgres;
let world: ScaleOutWorld;
let emulator: EmulatorHandle;

// Known flaky on CI (1 of 3 clean-clone runs on 2026-11-30: the run had not succeeded 120 s after the restart,
// the scheduler's last error "terminating connection"). Until that is found and fixed it runs only when asked:
// RELIABILITY_PG_RESTART=1 npx vitest run test/reliability/postgres-restart.test.ts
const asked = process.env.RELIABILITY_PG_RESTART === "1" || !process.env.CI;
describe.skipIf(!available || !asked)("Postgres restarted during a run", () => {
  beforeAll(async () => {
    cluster = await startPrivatePostgres();
    world = await openScaleOutWorld(cluster.url);
    emulator = await startEmulator(provider, { seed: 77, records: RECORDS, unlimited: true });
    // Slow enough that the restart lands mid-run.
    await emulator.setFaults({ latencyMs: 10 });
  }, TIMEOUT_MS);
  afterAll(async () => {
    await world?.close();
    await emulator?.close();
    cluster?.destroy();
  }, TIMEOUT_MS);

  it(
    "the run resumes or is retried by itself, and nothing is lost",
    async () => {
      const { syncId, connectionId } = await world.newSync(provider, emulator, {
        endUserId: "restart",
        streams: [STREAM],
      });
      const worker = world.startWorker(["--batch-size", "200"]);
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
      await world.until("a committed batch", async () => ((await committed()) >= 400 ? true : undefined));
      const atRestart = await committed();
      cluster.restart();

      const runs = await world.until("a succeeded run", async () => {
        const list = await world.runsOf(syncId).catch(() => []);
        return list.some((run) => run.status === "succeeded") ? list : undefined;
      });
      console.log(
        JSON.stringify({
          reliability: "postgres-restart",
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
    },
    TIMEOUT_MS,
  );
});
