/**
 * fan-out: how runs spread over `switchyard worker` processes. For 1, 2 and 4 workers (BENCH_WORKERS,
 * default "1,2,4"), each on a fresh Postgres database of its own: BENCH_JOBS (default 2,000) small syncs —
 * one per connection, each its own token on one HubSpot emulator holding a tiny dataset — are enqueued as
 * `sync.run` jobs (as `switchyard server`'s dispatcher enqueues them: a pass's due syncs at once, up to
 * DEFAULT_DISPATCH_BATCH), and the workers run them all.
 *
 * The emulator answers every request after BENCH_LATENCY_MS (default 30 ms), so a sync waits on the network
 * as a real one does and workers overlap waiting rather than compete for the machine's cores.
 *
 * Per worker count it prints jobs/s and the scheduling overhead per job (docs/benchmarks.md defines both);
 * the 1-worker figure is the baseline (`ratio_to_1`).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createGraphileJobQueue,
  DEFAULT_DISPATCH_BATCH,
  enqueueSyncRuns,
} from "../../src/scheduler/index.ts";
import { requestSyncRun } from "../../src/store/index.ts";
import {
  assertAllSucceeded,
  type BenchDeployment,
  createBenchDatabase,
  finishedRuns,
  median,
  openBenchDeployment,
  type SeededSync,
  seedSyncs,
  startWorker,
  untilRunsFinished,
  type WorkerProcess,
} from "../lib/deployment.ts";
import { startEmulatorProcess } from "../lib/emulator-process.ts";

const jobs = Number(process.env.BENCH_JOBS ?? 2_000);
const workerCounts = (process.env.BENCH_WORKERS ?? "1,2,4").split(",").map(Number);
const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? 30);
/** Runs at once per worker (`switchyard worker --concurrency`; its default is 4). */
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 4);
/** Jobs enqueued one at a time onto idle workers, to time enqueue → start without a backlog. */
const PROBES = 10;

const tokenOf = (index: number) => `pat-bench-fan-out-${index}`;

interface Figures {
  workers: number;
  jobs_per_s: number;
  overhead_ms_per_job: number;
  enqueue_to_start_ms: number;
  run_ms_p50: number;
  worker_cpu_ms_per_job: number;
  seconds: number;
}

export async function run(): Promise<void> {
  const emulator = await startEmulatorProcess([
    ...["--contacts", "20", "--companies", "2", "--deals", "2", "--owners", "2"],
    ...["--latency-ms", String(latencyMs)],
    ...["--rate-limit-max", "100000000", "--rate-limit-daily", "1000000000"],
    ...Array.from({ length: jobs + PROBES }, (_, i) => ["--token", tokenOf(i)]).flat(),
  ]);
  const results: Figures[] = [];
  try {
    for (const workers of workerCounts) {
      results.push(await measure(emulator.url, workers));
      const figures = results.at(-1)!;
      const one = results.find((r) => r.workers === 1);
      process.stdout.write(
        `${JSON.stringify({
          bench: "fan-out",
          workers,
          jobs_per_s: figures.jobs_per_s,
          overhead_ms_per_job: figures.overhead_ms_per_job,
          jobs,
          concurrency,
          latency_ms: latencyMs,
          enqueue_to_start_ms: figures.enqueue_to_start_ms,
          run_ms_p50: figures.run_ms_p50,
          worker_cpu_ms_per_job: figures.worker_cpu_ms_per_job,
          seconds: figures.seconds,
          ...(one ? { ratio_to_1: Number((figures.jobs_per_s / one.jobs_per_s).toFixed(3)) } : {}),
        })}\n`,
      );
    }
  } finally {
    await emulator.stop();
  }
}

/** One worker count on a database of its own. */
async function measure(emulatorUrl: string, workerCount: number): Promise<Figures> {
  const database = await createBenchDatabase("fan_out");
  const dataDir = mkdtempSync(join(tmpdir(), "bench-fan-out-"));
  const deployment = await openBenchDeployment(database.url, dataDir);
  const workers: WorkerProcess[] = [];
  const queue = await createGraphileJobQueue({ connectionString: database.url });
  try {
    const syncs = await seedSyncs(deployment, {
      provider: "hubspot",
      count: jobs + PROBES,
      baseUrl: emulatorUrl,
      streams: ["contacts"],
      credentialsOf: (index) => ({ type: "bearer", token: tokenOf(index) }),
    });
    for (let i = 0; i < workerCount; i++) workers.push(await startWorker(deployment, { concurrency }));

    const measured = syncs.slice(0, jobs);
    const enqueue = (batch: readonly SeededSync[]) =>
      enqueueSyncRuns(
        queue,
        batch.map((sync) => sync.syncId),
      );
    const cpuBefore = workers.reduce((sum, worker) => sum + worker.cpuMs(), 0);
    const started = Date.now();
    // As the server's dispatcher does: each pass enqueues up to DEFAULT_DISPATCH_BATCH due syncs at once.
    for (let i = 0; i < measured.length; i += DEFAULT_DISPATCH_BATCH)
      await enqueue(measured.slice(i, i + DEFAULT_DISPATCH_BATCH));
    await untilRunsFinished(deployment.store, jobs, workers, 30 * 60_000);
    const runs = await finishedRuns(deployment.store);
    assertAllSucceeded(runs);
    const ended = Math.max(...runs.map((run) => Date.parse(run.finishedAt!)));
    const wallMs = ended - started;
    const runMs = runs.map((run) => Date.parse(run.finishedAt!) - Date.parse(run.startedAt));
    const inRuns = runMs.reduce((sum, ms) => sum + ms, 0);
    const slots = workerCount * concurrency;
    const cpuMs = workers.reduce((sum, worker) => sum + worker.cpuMs(), 0) - cpuBefore;

    const enqueueToStart = await probePickup(deployment, syncs.slice(jobs), enqueue, workers);
    return {
      workers: workerCount,
      jobs_per_s: Number(((jobs * 1000) / wallMs).toFixed(1)),
      overhead_ms_per_job: Number(((slots * wallMs - inRuns) / jobs).toFixed(1)),
      enqueue_to_start_ms: Math.round(enqueueToStart),
      run_ms_p50: Math.round(median(runMs)),
      worker_cpu_ms_per_job: Math.round(cpuMs / jobs),
      seconds: Number((wallMs / 1000).toFixed(1)),
    };
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
    await queue.stop();
    await deployment.store.close();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Enqueue → start with no backlog: one job at a time onto idle workers; the median of the time from the
 * enqueue call to the run's start (as the worker recorded it).
 */
async function probePickup(
  deployment: BenchDeployment,
  syncs: readonly SeededSync[],
  enqueue: (batch: readonly SeededSync[]) => Promise<void>,
  workers: readonly WorkerProcess[],
): Promise<number> {
  const delays: number[] = [];
  let finished = (await finishedRuns(deployment.store)).length;
  for (const sync of syncs) {
    await requestSyncRun(deployment.store.db, sync.syncId, {
      at: new Date().toISOString(),
      fullRefresh: false,
    });
    const at = Date.now();
    await enqueue([sync]);
    finished += 1;
    await untilRunsFinished(deployment.store, finished, workers, 60_000);
    const run = (await finishedRuns(deployment.store)).find((r) => r.syncId === sync.syncId);
    delays.push(Date.parse(run!.startedAt) - at);
  }
  return median(delays);
}
