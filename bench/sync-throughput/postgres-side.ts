/**
 * The Postgres side of sync-throughput: the same sync as `switchyard sync`, run as a job by a real
 * `switchyard worker` (built CLI) on a Postgres database of its own (dropped after), the records cache in
 * it and the Postgres warehouse (WAREHOUSE_URL, the same database). Its time is the run's own duration, as
 * the embedded side's is; its peak RSS is the worker process's.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sql } from "kysely";
import { createGraphileJobQueue, SYNC_RUN_JOB, syncJobKey } from "../../src/scheduler/index.ts";
import { PEAK_RSS_HOOK } from "../lib/child.ts";
import {
  assertAllSucceeded,
  createBenchDatabase,
  finishedRuns,
  openBenchDeployment,
  seedSyncs,
  startWorker,
  untilRunsFinished,
  type WorkerProcess,
} from "../lib/deployment.ts";
import type { SideResult } from "./index.ts";

export async function runPostgresWorker(
  emulator: { url: string; token: string },
  dir: string,
): Promise<SideResult> {
  const database = await createBenchDatabase("sync_throughput");
  const deployment = await openBenchDeployment(database.url, dir);
  const queue = await createGraphileJobQueue({ connectionString: database.url });
  let worker: WorkerProcess | undefined;
  try {
    const [sync] = await seedSyncs(deployment, {
      provider: "hubspot",
      count: 1,
      baseUrl: emulator.url,
      streams: ["contacts"],
      warehouse: true,
      credentialsOf: () => ({ type: "bearer", token: emulator.token }),
    });
    const peakRssFile = join(dir, "peak-rss");
    worker = await startWorker(deployment, {
      concurrency: 1,
      env: {
        WAREHOUSE_URL: database.url,
        NODE_OPTIONS: [process.env.NODE_OPTIONS, `--import="${PEAK_RSS_HOOK}"`].filter(Boolean).join(" "),
        BENCH_PEAK_RSS_FILE: peakRssFile,
      },
    });
    await queue.enqueue(SYNC_RUN_JOB, { syncId: sync!.syncId }, { jobKey: syncJobKey(sync!.syncId) });
    await untilRunsFinished(deployment.store, 1, [worker], 30 * 60_000);
    const runs = await finishedRuns(deployment.store);
    assertAllSucceeded(runs);
    await worker.stop();
    const rows = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM switchyard_warehouse.hubspot_contacts WHERE NOT _deleted`.execute(
      deployment.store.db,
    );
    return {
      records: runs[0]!.stats.recordsAdded,
      seconds: runs[0]!.stats.durationMs / 1000,
      peak_rss_mb: Number(readFileSync(peakRssFile, "utf8")),
      duckdb_rows: Number(rows.rows[0]?.n),
    };
  } finally {
    await worker?.stop();
    await queue.stop();
    await deployment.store.close();
    await database.drop();
  }
}
