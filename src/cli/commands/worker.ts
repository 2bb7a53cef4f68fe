/**
 * `switchyard worker`: a scale-out worker process (docs/scale-out.md). It takes `sync.run` jobs from the
 * Postgres job queue of DATABASE_URL, runs them (keeping their leases alive), and on SIGTERM or SIGINT stops
 * its runs at their next page boundary, checkpointed, so another worker resumes them; then it exits. With
 * --metrics-port it serves GET /health, /ready and /metrics (its own runs' counters) on that port.
 */
import { mkdirSync } from "node:fs";
import type { Command } from "commander";
import { runFlowTriggers } from "../../app/flows/triggers.ts";
import { providerSettingsFromEnv } from "../../app/provider-settings.ts";
import { reverseEtlRunLine, runReverseEtlSchedules } from "../../app/reverse-etl/schedule.ts";
import { embeddedRunLine, runEmbeddedSchedules } from "../../app/sources/schedule.ts";
import { buildSyncJob } from "../../app/syncs/sync-connection.ts";
import { openWarehouse } from "../../app/warehouse/open-warehouse.ts";
import { outboundWebhookJobs } from "../../app/webhooks/outbound.ts";
import { createInboundProcessor } from "../../app/webhooks-inbound/processor.ts";
import { resolveDataDir, warehouseFileIn } from "../../app/workspace.ts";
import { ConfigError, describeError } from "../../core/index.ts";
import { providerAccountKey } from "../../http/index.ts";
import { providers } from "../../providers/registry.ts";
import { unifiedMappers } from "../../providers/unified-mappers.ts";
import { unifiedWriters } from "../../providers/unified-writers.ts";
import {
  createGraphileJobQueue,
  createJobQueuePool,
  createPostgresAccountSlots,
  createStoreSyncQueue,
  createSyncRunner,
  createSyncWorker,
  type JobQueue,
  type StoreSyncQueue,
} from "../../scheduler/index.ts";
import { getSync, openStore, type Store } from "../../store/index.ts";
import { loadVault, type Vault } from "../../vault/index.ts";
import { EXIT, formatStats } from "../output.ts";
import { portNumber, positiveInt } from "../parse.ts";
import { Started } from "../started.ts";
import { stopTimeoutMs, watchStopSignals } from "../stop-signal.ts";

/** How long a dead worker's run waits before another takes it over, by default (SWITCHYARD_TAKEOVER_MS). */
const DEFAULT_TAKEOVER_MS = 60_000;

/** What `switchyard server` and `switchyard worker` share: the Postgres store, vault, job queue and leases. */
export interface Deployment {
  /** Where this machine keeps the vault key file (and the server its first API key file). */
  dataDir: string;
  store: Store;
  vault: Vault;
  jobs: JobQueue;
  /** Another queue instance (one work() each) on the same connections as `jobs`; close() ends them. */
  openQueue(): Promise<JobQueue>;
  /** The sync and connection leases; its lease length is the takeover bound. */
  leases: StoreSyncQueue;
  close(): Promise<void>;
}

/**
 * Opens the deployment of DATABASE_URL (a Postgres connection string, required: the in-process queue of
 * embedded mode cannot be shared between processes). The vault key comes from SWITCHYARD_ENCRYPTION_KEY or
 * the data directory's key file, which every process of the deployment must share.
 */
export async function openDeployment(command: string, flags: { dataDir?: string }): Promise<Deployment> {
  const url = process.env.DATABASE_URL;
  if (!url || !/^postgres(ql)?:\/\//.test(url)) {
    throw new ConfigError(
      `switchyard ${command} needs DATABASE_URL set to a Postgres connection string${url ? " (it is set, but not to postgres://…)" : ""}.`,
      "Set DATABASE_URL=postgres://user:password@host:5432/database (docs/scale-out.md); for everything in one process without services, use npm start.",
    );
  }
  const leaseMs = Number(process.env.SWITCHYARD_TAKEOVER_MS ?? DEFAULT_TAKEOVER_MS);
  if (!Number.isInteger(leaseMs) || leaseMs < 1_000)
    throw new ConfigError(
      `SWITCHYARD_TAKEOVER_MS must be a whole number of milliseconds, 1000 or more, not "${process.env.SWITCHYARD_TAKEOVER_MS}".`,
      "Unset it for the default (60000: a dead worker's run is taken over within a minute).",
    );
  const dataDir = resolveDataDir(flags.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const vault = loadVault({ dataDir });
  const store = await openStore({ kind: "postgres", connectionString: url });
  // Every queue of the process on one pool (see createJobQueuePool), of at most QUEUE_CONNECTIONS.
  const queuePool = createJobQueuePool(url, QUEUE_CONNECTIONS);
  const openQueue = () => createGraphileJobQueue({ connectionString: url, pool: queuePool });
  let jobs: JobQueue;
  try {
    jobs = await openQueue();
  } catch (error) {
    void queuePool.end().catch(() => undefined);
    await store.close();
    throw error;
  }
  return {
    dataDir,
    store,
    vault,
    jobs,
    openQueue,
    leases: createStoreSyncQueue(store.db, { leaseMs }),
    close: async () => {
      await jobs.stop();
      // Not awaited, as each queue's own pool was not (jobs-graphile.ts): idle connections close at once.
      void queuePool.end().catch(() => undefined);
      await store.close();
    },
  };
}

/**
 * Connections of a process's job-queue pool: one LISTEN per queue (a worker has six), and a few to take and
 * complete jobs. With the store's 10 that is at most 20 per process, so a server and four workers fit in
 * Postgres's default max_connections of 100 (docs/scale-out.md, "Postgres sizing"); the pool's default of 20
 * made four workers run out ("sorry, too many clients already" in bench/fan-out).
 */
const QUEUE_CONNECTIONS = 10;

/** SWITCHYARD_ACCOUNT_CONCURRENCY: most runs at once per provider account, across workers; undefined: no limit. */
function accountConcurrency(): number | undefined {
  const value = process.env.SWITCHYARD_ACCOUNT_CONCURRENCY;
  if (value === undefined || value === "") return undefined;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1)
    throw new ConfigError(
      `SWITCHYARD_ACCOUNT_CONCURRENCY must be a whole number above 0, not "${value}".`,
      "Set it to how many runs may read one provider account at once (across all workers), or unset it for no limit.",
    );
  return limit;
}

interface WorkerFlags {
  concurrency: number;
  dataDir?: string;
  batchSize?: number;
  metricsPort?: number;
  metricsHost: string;
}

export function registerWorkerCommand(program: Command): void {
  program
    .command("worker")
    .description(
      "Take sync jobs from the Postgres job queue of DATABASE_URL and run them (docs/scale-out.md)",
    )
    .option("--concurrency <n>", "most runs at once in this process", positiveInt("--concurrency"), 4)
    .option("--data-dir <dir>", "directory of the vault key file (default: ./.switchyard)")
    .option(
      "--batch-size <n>",
      "most records per commit (default 10000; also capped at 8 MiB of JSON)",
      positiveInt("--batch-size"),
    )
    .option(
      "--metrics-port <n>",
      "serve GET /health, /ready and /metrics on this port (0: any free one); default: none",
      portNumber("--metrics-port"),
    )
    .option("--metrics-host <address>", "address the --metrics-port listener binds", "127.0.0.1")
    .action(async (flags: WorkerFlags) => {
      process.exitCode = await runWorker(flags);
    });
}

async function runWorker(flags: WorkerFlags): Promise<number> {
  // Checked before anything opens, so that a bad value is a plain configuration error.
  const stopTimeout = stopTimeoutMs();
  const accountLimit = accountConcurrency();
  const started = new Started();
  const deployment = await openDeployment("worker", flags);
  started.add("The deployment", () => deployment.close());
  const log = (line: string) => process.stdout.write(`${line}\n`);
  await started.starting(() => startWorker(deployment, flags, accountLimit, started, log));
  const stop = watchStopSignals("worker", stopTimeout);
  log(`Switchyard worker ${process.pid} is taking sync jobs (concurrency ${flags.concurrency}).`);
  const signal = await stop.received;
  log(`${signal}: stopping; running runs stop at their next checkpoint and are asked for again.`);
  // Last started, first stopped: the sync jobs, then the other kinds, then the queues and the store.
  await started.stopAll();
  stop.stopped();
  return EXIT.ok;
}

/** Starts every kind of job this worker takes, each remembered in `started` (the sync jobs last). */
async function startWorker(
  deployment: Deployment,
  flags: WorkerFlags,
  accountLimit: number | undefined,
  started: Started,
  log: (line: string) => void,
): Promise<void> {
  const { store, vault } = deployment;
  // Workers share no DuckDB file: syncs that write the warehouse need the Postgres one of WAREHOUSE_URL.
  const warehouse = process.env.WAREHOUSE_URL
    ? (await openWarehouse(process.env.WAREHOUSE_URL, "")).destination
    : undefined;
  if (warehouse) started.add("The warehouse", () => warehouse.close());
  const jobDeps = { store, vault, providers, providerSettings: providerSettingsFromEnv(providers) };
  // Loaded only when asked: loading the metrics registry is what turns counting on (src/metrics/recorder.ts),
  // so before the first job is taken.
  if (flags.metricsPort !== undefined) {
    const probes = (await import("../../server/health-and-metrics.ts")).buildHealthAndMetricsServer({
      db: store.db,
      vault,
      providers,
      providerSettings: jobDeps.providerSettings,
    });
    // A port in use throws here: the worker exits rather than run unwatched.
    await probes.listen({ port: flags.metricsPort, host: flags.metricsHost });
    started.add("The metrics listener", () => probes.close());
    const address = probes.server.address();
    const port = typeof address === "object" && address ? address.port : flags.metricsPort;
    log(`Health, readiness and metrics: http://${flags.metricsHost}:${port}/metrics (and /health, /ready).`);
  }
  // Webhook jobs (webhooks.inbound, webhooks.deliver), each on a queue instance of its own (one work() each).
  const onWebhookError = (error: unknown) =>
    process.stderr.write(`Webhooks: ${describeError(error).message}\n`);
  const outboundQueue = await deployment.openQueue();
  started.add("Outbound webhooks", () => outboundQueue.stop());
  const outbound = outboundWebhookJobs({ db: store.db, vault }, outboundQueue, { onError: onWebhookError });
  await outbound.start();
  started.add("Outbound webhooks", () => outbound.stop());
  const inboundQueue = await deployment.openQueue();
  started.add("Inbound webhooks", () => inboundQueue.stop());
  const inbound = createInboundProcessor(
    { db: store.db, vault, providers, providerSettings: jobDeps.providerSettings },
    { jobs: inboundQueue, onRecordsChanged: () => outbound.wake(), onError: onWebhookError },
  );
  inbound.start();
  started.add("Inbound webhooks", () => inbound.stop());
  const work = { ...jobDeps, db: store.db, mappers: unifiedMappers, writers: unifiedWriters };
  // Flow runs (flow.run jobs the server enqueues; docs/flows.md), on a queue instance of their own.
  const flowQueue = await deployment.openQueue();
  started.add("Flows", () => flowQueue.stop());
  started.loop("Flows", (signal) =>
    runFlowTriggers({
      queue: flowQueue,
      signal,
      work,
      onError: (error) => process.stderr.write(`Flows: ${describeError(error).message}\n`),
    }),
  );
  // Reverse-ETL runs (retl.run jobs the server's dispatcher enqueues), on a queue instance of their own.
  const retlQueue = await deployment.openQueue();
  started.add("Reverse ETL", () => retlQueue.stop());
  started.loop("Reverse ETL", (signal) =>
    runReverseEtlSchedules({
      jobs: retlQueue,
      signal,
      // Models read the data directory's DuckDB file (docs/reverse-etl.md).
      work: { ...work, warehouse: { path: warehouseFileIn(deployment.dataDir) } },
      onRunFinished: (run) => log(reverseEtlRunLine(run)),
      onError: (error) => process.stderr.write(`Reverse ETL: ${describeError(error).message}\n`),
    }),
  );
  // Embedded reverse-ETL runs (embedded.run jobs the server's dispatcher enqueues), on a queue of their own.
  const embeddedQueue = await deployment.openQueue();
  started.add("Embedded syncs", () => embeddedQueue.stop());
  started.loop("Embedded syncs", (signal) =>
    runEmbeddedSchedules({
      jobs: embeddedQueue,
      signal,
      work,
      onRunFinished: (run) => log(embeddedRunLine(run)),
      onError: (error) => process.stderr.write(`Embedded syncs: ${describeError(error).message}\n`),
    }),
  );
  const worker = createSyncWorker({
    jobs: deployment.jobs,
    queue: deployment.leases,
    concurrency: flags.concurrency,
    ...(accountLimit
      ? {
          accountLimit: {
            limit: accountLimit,
            slots: createPostgresAccountSlots(process.env.DATABASE_URL!, flags.concurrency),
            accountOf: async (syncId: string) => {
              try {
                const sync = await getSync(store.db, syncId);
                const job = await buildSyncJob(jobDeps, sync.connectionId, {});
                return providerAccountKey({
                  provider: job.provider.name,
                  baseUrl: job.connection.baseUrl ?? job.provider.baseUrl,
                  credentials: job.connection.credentials,
                  connectionId: job.connection.id,
                  accountId: job.connection.accountId,
                });
              } catch {
                // A sync gone or a connection that cannot run: no slot; the run (if any) reports why.
                return null;
              }
            },
          },
        }
      : {}),
    run: createSyncRunner({
      store,
      buildJob: (connectionId, options) => buildSyncJob(jobDeps, connectionId, options),
      ...(warehouse ? { warehouse } : {}),
      ...(flags.batchSize ? { engine: { batchSize: flags.batchSize } } : {}),
    }),
    onRunFinished: (claim, run) =>
      log(
        run.status === "succeeded"
          ? `Sync ${claim.syncId}: run ${run.id} succeeded: ${formatStats(run.stats)}`
          : `Sync ${claim.syncId}: run ${run.id} failed: ${run.error?.message}`,
      ),
    onError: (error) => process.stderr.write(`Worker: ${describeError(error).message}\n`),
  });
  await worker.start();
  started.add("Sync jobs", () => worker.stop());
}
