/**
 * A scale-out deployment for a benchmark: a Postgres database of its own (dropped after), connections and
 * syncs seeded into it from this (harness) process, and real `switchyard worker` processes started from the
 * built CLI (bin/switchyard.js → dist/, no tsx), each in its own process.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { createInterface } from "node:readline";
import pg from "pg";
import { upsertConnection } from "../../src/app/connections/connections.ts";
import { createSync } from "../../src/app/syncs/syncs.ts";
import type { Credentials } from "../../src/core/index.ts";
import { providers } from "../../src/providers/registry.ts";
import {
  ensureEnvironment,
  openStore,
  type Run,
  type Store,
  setEnvironmentPrivateNetwork,
  toRun,
} from "../../src/store/index.ts";
import { loadVault, type Vault } from "../../src/vault/index.ts";
import { fromRoot } from "./child.ts";
import { cpuSecondsOf } from "./process-cpu.ts";

/** The Postgres server benchmarks use (an admin connection: they create and drop databases of their own). */
export const BENCH_POSTGRES_URL =
  process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** Creates database `bench_<label>_<random>`; `drop` removes it (with any session still on it). */
export async function createBenchDatabase(label: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `bench_${label.replace(/\W/g, "_")}_${randomBytes(4).toString("hex")}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: BENCH_POSTGRES_URL });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(BENCH_POSTGRES_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** The store and vault of a benchmark's deployment, opened by the harness (workers open their own). */
export interface BenchDeployment {
  store: Store;
  vault: Vault;
  /** The data directory holding the vault key the workers must share. */
  dataDir: string;
  databaseUrl: string;
}

export async function openBenchDeployment(databaseUrl: string, dataDir: string): Promise<BenchDeployment> {
  const store = await openStore({ kind: "postgres", connectionString: databaseUrl });
  return { store, vault: loadVault({ dataDir }), dataDir, databaseUrl };
}

export interface SeededSync {
  connectionId: string;
  syncId: string;
}

/**
 * Connects `count` end users of `provider` (credentials of each from `credentialsOf`) in environment "bench",
 * which may reach loopback, each with one sync of `streams`, due at once; `parallel` at a time.
 */
export async function seedSyncs(
  deployment: BenchDeployment,
  options: {
    provider: string;
    count: number;
    baseUrl: string;
    streams: readonly string[];
    warehouse?: boolean;
    credentialsOf: (index: number) => Credentials;
    parallel?: number;
  },
): Promise<SeededSync[]> {
  const { store, vault, dataDir } = deployment;
  const provider = providers[options.provider];
  if (!provider) throw new Error(`No provider ${options.provider}.`);
  const env = await ensureEnvironment(store.db, "bench");
  await setEnvironmentPrivateNetwork(store.db, env.id, true);
  const workspace = {
    store,
    vault,
    dataDir,
    warehousePath: join(dataDir, "warehouse.duckdb"),
    close: async () => undefined,
  };
  const seeded: SeededSync[] = new Array(options.count);
  let next = 0;
  const seedOne = async () => {
    for (let index = next++; index < options.count; index = next++) {
      const connection = await upsertConnection(workspace, {
        environment: "bench",
        provider: provider.name,
        endUserId: `bench-user-${index}`,
        credentials: options.credentialsOf(index),
        config: { baseUrl: options.baseUrl },
      });
      const sync = await createSync(store.db, provider, connection.id, {
        streams: [...options.streams],
        frequency: "24h",
        warehouse: options.warehouse ?? false,
      });
      seeded[index] = { connectionId: connection.id, syncId: sync.id };
    }
  };
  await Promise.all(Array.from({ length: options.parallel ?? 8 }, seedOne));
  return seeded;
}

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything it printed (stdout and stderr), for an error message. */
  output(): string;
  /** CPU time (user + system) the process has used so far, in ms (Linux: /proc/<pid>/stat). */
  cpuMs(): number;
  /** Sends SIGTERM and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts `switchyard worker` (the built CLI, run as a user runs it) on the deployment's database; resolves
 * once it says it takes jobs. `env` adds variables (WAREHOUSE_URL, SWITCHYARD_ACCOUNT_CONCURRENCY…).
 */
export async function startWorker(
  deployment: BenchDeployment,
  options: { concurrency?: number; env?: Record<string, string>; args?: readonly string[] } = {},
): Promise<WorkerProcess> {
  const child = spawn(
    fromRoot("bin/switchyard.js"),
    [
      "worker",
      ...["--concurrency", String(options.concurrency ?? 4), "--data-dir", deployment.dataDir],
      ...(options.args ?? []),
    ],
    {
      env: { ...process.env, ...options.env, DATABASE_URL: deployment.databaseUrl },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const onExit = (code: number | null) =>
      reject(new Error(`switchyard worker exited (${code}) before taking jobs:\n${output}`));
    child.once("exit", onExit);
    lines.on("line", (line) => {
      // Keep the start and failures; the per-run success lines are many and not needed.
      if (!line.includes("succeeded:")) output += `${line}\n`;
      if (line.includes("is taking sync jobs")) {
        child.off("exit", onExit);
        resolve();
      }
    });
  });
  return {
    child,
    output: () => output,
    cpuMs: () => (cpuSecondsOf(child.pid) ?? Number.NaN) * 1000,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/** The finished runs (succeeded or failed) of the deployment, oldest first. */
export async function finishedRuns(store: Store): Promise<Run[]> {
  const rows = await store.db
    .selectFrom("runs")
    .selectAll()
    .where("status", "in", ["succeeded", "failed"])
    .orderBy("started_at")
    .execute();
  return rows.map(toRun);
}

/** Polls until `count` runs have finished; fails if a worker exits meanwhile or after `timeoutMs`. */
export async function untilRunsFinished(
  store: Store,
  count: number,
  workers: readonly WorkerProcess[],
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await store.db
      .selectFrom("runs")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("status", "in", ["succeeded", "failed"])
      .executeTakeFirstOrThrow();
    if (Number(row.n) >= count) return;
    const dead = workers.find((worker) => worker.child.exitCode !== null);
    if (dead) throw new Error(`A worker exited during the benchmark:\n${dead.output()}`);
    if (Date.now() > deadline)
      throw new Error(`Only ${row.n} of ${count} runs finished in ${timeoutMs / 1000} s.`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Fails naming the first failed run's error, when any run failed. */
export function assertAllSucceeded(runs: readonly Run[]): void {
  const failed = runs.filter((run) => run.status !== "succeeded");
  if (failed.length > 0)
    throw new Error(
      `${failed.length} of ${runs.length} runs failed; the first: ${failed[0]!.error?.code}: ${failed[0]!.error?.message}`,
    );
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
