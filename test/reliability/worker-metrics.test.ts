/**
 * Operations of a scale-out worker (docs/operations.md): runs happen in `switchyard worker` processes, so
 * their counters live there. A real worker started with --metrics-port serves /health, /ready (database and
 * run queue) and /metrics; after it ran a sync under 429s and 5xx, its runs, records, requests, retries,
 * rate-limit waits and queue latency are exactly what the run reports. SIGTERM then ends it with code 0.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/core/index.ts";
import { providerWithEmulator, startEmulator } from "../helpers/emulators.ts";
import { createTestDatabase, postgresAvailable } from "../helpers/postgres.ts";
import { parsePrometheus, sampleTotal } from "../helpers/prometheus.ts";
import { openScaleOutWorld, type ScaleOutWorld } from "../helpers/scale-out-world.ts";

const available = await postgresAvailable();
const provider = providerWithEmulator("hubspot");
const RECORDS = 300;
const TIMEOUT_MS = 180_000;

let database: { url: string; drop: () => Promise<void> };
let world: ScaleOutWorld;
let emulator: EmulatorHandle;

describe.skipIf(!available)("a worker's health, readiness and metrics", () => {
  beforeAll(async () => {
    database = await createTestDatabase();
    // A lease long enough that a busy machine never has the run taken over: a run cut off that way keeps the
    // stats of its last commit, while the worker's counters hold every request it made.
    world = await openScaleOutWorld(database.url, 30_000);
    emulator = await startEmulator(provider, { seed: 91, records: RECORDS, unlimited: true });
  }, TIMEOUT_MS);
  afterAll(async () => {
    await world?.close();
    await emulator?.close();
    await database?.drop();
  }, TIMEOUT_MS);

  it(
    "serves them on --metrics-port and counts the runs it ran exactly as they report",
    async () => {
      const { syncId } = await world.newSync(provider, emulator, {
        endUserId: "metrics",
        streams: ["contacts"],
        warehouse: false,
      });
      await emulator.setFaults({ rate429: 0.15, rate5xx: 0.1 });
      const worker = world.startWorker(["--metrics-port", "0", "--batch-size", "50"], {
        SWITCHYARD_METRICS: "public",
      });
      const base = await world.until(
        "the worker's metrics address",
        async () => worker.output().match(/metrics: (http:\/\/127\.0\.0\.1:\d+)\/metrics/)?.[1],
      );
      const health = await fetch(`${base}/health`);
      expect(health.status).toBe(200);
      const ready = await fetch(`${base}/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({
        status: "ready",
        checks: { database: { status: "ok" }, queue: { status: "ok" } },
      });
      const unknown = await fetch(`${base}/v1/connections`);
      expect(unknown.status).toBe(404);
      expect(unknown.headers.get("content-type")).toContain("application/problem+json");

      // The new sync is due at once: the dispatcher enqueues it and the worker runs it under the faults.
      const runs = await world.until("a succeeded run and no run going", async () => {
        const list = await world.runsOf(syncId);
        const done = list.some((run) => run.status === "succeeded") && list.every((r) => r.finishedAt);
        return done ? list : undefined;
      });
      await emulator.setFaults({ rate429: 0, rate5xx: 0 });

      const metrics = await fetch(`${base}/metrics`);
      expect(metrics.status).toBe(200);
      const samples = parsePrometheus(await metrics.text());
      const p = { provider: provider.name };
      const moved = (name: string, labels: Record<string, string> = {}) => sampleTotal(samples, name, labels);
      const sum = (of: (stats: (typeof runs)[number]["stats"]) => number) =>
        runs.reduce((total, run) => total + of(run.stats), 0);
      const seen = JSON.stringify(
        runs.map((run) => ({ status: run.status, error: run.error?.code ?? null, ...run.stats })),
      );
      expect(moved("switchyard_runs_finished_total", { ...p, status: "succeeded" }), seen).toBe(1);
      expect(moved("switchyard_runs_finished_total", p), seen).toBe(
        moved("switchyard_runs_started_total", p),
      );
      expect(
        sum((stats) => stats.recordsAdded),
        seen,
      ).toBe(RECORDS);
      expect(moved("switchyard_records_total", { ...p, change: "added" }), seen).toBe(RECORDS);
      expect(moved("switchyard_provider_requests_total", p), seen).toBe(sum((stats) => stats.requests));
      expect(
        sum((stats) => stats.retries),
        `the faults made the runs retry: ${seen}`,
      ).toBeGreaterThan(0);
      expect(moved("switchyard_provider_retries_total", p), seen).toBe(sum((stats) => stats.retries));
      expect(moved("switchyard_rate_limit_waits_total", p), seen).toBe(sum((stats) => stats.rateLimitWaits));
      expect(moved("switchyard_queue_latency_seconds_count"), seen).toBe(runs.length);
      expect(samples.has("switchyard_queue_depth"), "the queue depth gauge").toBe(true);
      expect(moved("process_cpu_seconds_total")).toBeGreaterThan(0);

      worker.process.kill("SIGTERM");
      expect(await worker.exited, `the worker stops cleanly:\n${worker.output()}`).toBe(0);
    },
    TIMEOUT_MS,
  );
});
