/**
 * Scale-out on the real Postgres (docs/scale-out.md): `switchyard server` and `switchyard worker` child
 * processes (the real CLI, through tsx) share one database of their own and graphile-worker's job queue.
 * The server enqueues without running; two workers share the jobs with no run executed twice; a worker
 * SIGKILLed mid-run is taken over by the other from the last committed checkpoint, and the records cache
 * equals the emulator's data; a worker sent SIGTERM checkpoints and exits 0. Tests run in order.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { upsertConnection } from "../../src/app/connections/connections.ts";
import { createSync } from "../../src/app/syncs/syncs.ts";
import type { Workspace } from "../../src/app/workspace.ts";
import type { EmulatorHandle } from "../../src/core/index.ts";
import {
  ensureEnvironment,
  getConnectionLease,
  listRunLogs,
  listRuns,
  openStore,
  type Run,
  requestSyncRun,
  type Store,
  setEnvironmentPrivateNetwork,
} from "../../src/store/index.ts";
import { loadVault } from "../../src/vault/index.ts";
import { compareWithTruth, type SyncWorld } from "../conformance/sync-world.ts";
import { providerWithEmulator, startEmulator } from "../helpers/emulators.ts";
import { createTestDatabase, postgresAvailable } from "../helpers/postgres.ts";
import { tempDir } from "../helpers/temp-store.ts";

const available = await postgresAvailable();
const provider = providerWithEmulator("hubspot");
const CLI = ["--import", "tsx", fileURLToPath(new URL("../../src/cli/index.ts", import.meta.url))];
/** Several child processes on two busy cores. */
const TIMEOUT_MS = 240_000;
/** A dead worker's run on another host is taken over after this; on this host at once (its pid is gone). */
const TAKEOVER_MS = 5_000;

interface Child {
  process: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

let database: { url: string; drop: () => Promise<void> };
let store: Store;
let emulator: EmulatorHandle;
let dataDir: { path: string; cleanup: () => void };
let workspace: Workspace;
const children: Child[] = [];

/** Starts `switchyard <args>` on the test database, sharing the test's vault key. */
function startCli(args: string[]): Child {
  const child = spawn(process.execPath, [...CLI, ...args, "--data-dir", dataDir.path], {
    env: { ...process.env, DATABASE_URL: database.url, SWITCHYARD_TAKEOVER_MS: String(TAKEOVER_MS) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr!.on("data", (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const started = { process: child, output: () => output, exited };
  children.push(started);
  return started;
}

const startWorker = () => startCli(["worker", "--concurrency", "1", "--batch-size", "200"]);

/** Polls `check` until it returns a value (not undefined); fails naming `what` if a child died meanwhile. */
async function until<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    for (const child of children) {
      if (child.process.exitCode !== null && child.process.exitCode !== 0 && !child.process.killed)
        throw new Error(
          `a child exited with ${child.process.exitCode} while waiting for ${what}:\n${child.output()}`,
        );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A new connection of the emulator's account (one per end user) with a contacts sync; returns the sync's id. */
async function newSync(endUserId: string): Promise<{ syncId: string; connectionId: string }> {
  const connection = await upsertConnection(workspace, {
    environment: "dev",
    provider: provider.name,
    endUserId,
    credentials: emulator.credentials,
    config: { baseUrl: emulator.url },
  });
  const sync = await createSync(store.db, provider, connection.id, {
    streams: ["contacts"],
    frequency: "1h",
    warehouse: false,
  });
  return { syncId: sync.id, connectionId: connection.id };
}

const ask = (syncId: string) =>
  requestSyncRun(store.db, syncId, { at: new Date().toISOString(), fullRefresh: false });

async function runsOf(syncId: string): Promise<Run[]> {
  return (await listRuns(store.db, { limit: 1000 })).filter((run) => run.syncId === syncId).reverse();
}

async function liveRecords(connectionId: string): Promise<number> {
  const row = await store.db
    .selectFrom("records")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("connection_id", "=", connectionId)
    .where("deleted", "=", 0)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** graphile-worker's jobs with a key, by key (once the server has migrated graphile-worker's schema). */
async function jobsByKey(): Promise<Map<string, { count: number; revision: number; locked: boolean }>> {
  const { rows } = await sql<{ key: string; revision: number; locked_at: Date | null }>`
    SELECT key, revision, locked_at FROM graphile_worker.jobs WHERE key IS NOT NULL`.execute(store.db);
  const byKey = new Map<string, { count: number; revision: number; locked: boolean }>();
  for (const row of rows) {
    const seen = byKey.get(row.key);
    byKey.set(row.key, {
      count: (seen?.count ?? 0) + 1,
      revision: Math.max(seen?.revision ?? 0, row.revision),
      locked: (seen?.locked ?? false) || row.locked_at !== null,
    });
  }
  return byKey;
}

describe.skipIf(!available)("workers on Postgres", () => {
  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = tempDir();
    store = await openStore({ kind: "postgres", connectionString: database.url });
    emulator = await startEmulator(provider, { seed: 11, records: 3_000, unlimited: true });
    // Slow enough that a run is still going when it is killed.
    await emulator.setFaults({ latencyMs: 20 });
    const vault = loadVault({ dataDir: dataDir.path });
    workspace = { dataDir: dataDir.path, store, vault, warehousePath: "", close: async () => undefined };
    const dev = await ensureEnvironment(store.db, "dev");
    // The emulator is on loopback.
    await setEnvironmentPrivateNetwork(store.db, dev.id, true);
  }, TIMEOUT_MS);

  afterAll(async () => {
    for (const child of children) if (child.process.exitCode === null) child.process.kill("SIGKILL");
    await Promise.all(children.map((child) => child.exited));
    await store?.close();
    await emulator?.close();
    await database?.drop();
    dataDir?.cleanup();
  }, TIMEOUT_MS);

  const shared: { syncIds: string[]; workers: Child[] } = { syncIds: [], workers: [] };

  it(
    "switchyard server enqueues due syncs once each (job keys) and runs none",
    async () => {
      for (const user of ["a", "b", "c", "d"]) shared.syncIds.push((await newSync(`user-${user}`)).syncId);
      const server = startCli(["server", "--port", "0"]);
      // It listens once its database and graphile-worker's schema are migrated.
      await until("the server", async () => (server.output().includes("is listening") ? true : undefined));
      for (const syncId of shared.syncIds) await ask(syncId);
      // Every sync's job was enqueued again on later passes (revision ≥ 2), and is still one job.
      const jobs = await until("the server's passes", async () => {
        const byKey = await jobsByKey();
        const all = shared.syncIds.map((id) => byKey.get(`sync:${id}`));
        return all.every((job) => job && job.revision >= 2) ? all : undefined;
      });
      expect(jobs.map((job) => [job!.count, job!.locked])).toEqual(shared.syncIds.map(() => [1, false]));
      expect(await listRuns(store.db, { limit: 10 })).toEqual([]);
    },
    TIMEOUT_MS,
  );

  it(
    "two workers share the jobs and run each sync once",
    async () => {
      shared.workers.push(startWorker(), startWorker());
      const runs = await until("every sync's run", async () => {
        const all = await Promise.all(shared.syncIds.map(runsOf));
        return all.every((list) => list.some((run) => run.status !== "running")) ? all : undefined;
      });
      expect(runs.map((list) => list.map((run) => run.status))).toEqual(
        shared.syncIds.map(() => ["succeeded"]),
      );
      // Each run was reported by exactly one worker, and both workers ran some. A worker prints its report
      // after the run is saved, and the pipe may bring it later still on a busy machine: wait for all four.
      const reportedBy = () =>
        shared.workers.map((worker) =>
          shared.syncIds.filter((id) => worker.output().includes(`Sync ${id}: run`)),
        );
      for (let i = 0; i < 300 && reportedBy().flat().length < shared.syncIds.length; i++)
        await new Promise((resolve) => setTimeout(resolve, 100));
      const reported = reportedBy();
      expect(reported.flat().sort()).toEqual([...shared.syncIds].sort());
      expect(reported.map((ids) => ids.length > 0)).toEqual([true, true]);
    },
    TIMEOUT_MS,
  );

  it(
    "a worker killed mid-run is taken over by the other from the last checkpoint; the cache equals the emulator",
    async () => {
      const { syncId, connectionId } = await newSync("user-big");
      await ask(syncId);
      // The run is going and has committed some pages.
      const holder = await until("a committed page", async () => {
        const lease = await getConnectionLease(store.db, connectionId);
        return lease && (await liveRecords(connectionId)) >= 400 ? lease.holder.pid : undefined;
      });
      const killed = shared.workers.find((worker) => worker.process.pid === holder);
      expect(killed, "the run's holder is one of the workers").toBeDefined();
      const committedAtKill = await liveRecords(connectionId);
      expect(committedAtKill).toBeLessThan((await emulator.truth("contacts")).live.size);
      killed!.process.kill("SIGKILL");
      await killed!.exited;

      const runs = await until("the taken-over run", async () => {
        const list = await runsOf(syncId);
        return list.some((run) => run.status === "succeeded") ? list : undefined;
      });
      expect(runs.map((run) => [run.status, run.error?.code ?? null])).toEqual([
        ["failed", "run_interrupted"],
        ["succeeded", null],
      ]);
      const survivor = shared.workers.find((worker) => worker !== killed)!;
      // The survivor ran it (it prints the line after giving the lease back).
      await until("the survivor's report", async () =>
        survivor.output().includes(`Sync ${syncId}: run ${runs[1]!.id} succeeded`) ? true : undefined,
      );
      // It resumed contacts from the checkpoint instead of re-reading from the start.
      const readings = (await listRunLogs(store.db, runs[1]!.id, { minLevel: "info" }))
        .filter((line) => line.message === "Reading contacts")
        .map((line) => line.fields?.resumed);
      expect(readings).toEqual([true]);
      // The dead worker's job is still locked by it, but retired (its key given to the new job, no attempts
      // left): graphile-worker will not run it again when its 4-hour lock times out. (Jobs of other kinds the
      // dead worker held, such as a webhook delivery pass, are left out: a pass retired the same way has no
      // key left to tell it by, so they are told apart by task.)
      const { rows: stale } = await sql<{ key: string | null; attempts: number; max_attempts: number }>`
        SELECT key, attempts, max_attempts FROM graphile_worker.jobs
        WHERE locked_at IS NOT NULL AND task_identifier = 'sync.run'`.execute(store.db);
      expect(stale.map((job) => [job.key, job.attempts === job.max_attempts])).toEqual([[null, true]]);
      const noWarehouse = { query: async () => [{ n: 0 }] };
      const landed = await compareWithTruth(
        { store, warehouse: noWarehouse, connectionId } as unknown as SyncWorld,
        provider,
        emulator,
        "contacts",
      );
      expect(landed.cache).toEqual(landed.truth);
    },
    TIMEOUT_MS,
  );

  it(
    "SIGTERM stops a worker's run at a checkpoint, the worker exits 0, and another worker resumes the run",
    async () => {
      const { syncId, connectionId } = await newSync("user-term");
      const [running] = shared.workers.filter(
        (worker) => worker.process.exitCode === null && worker.process.signalCode === null,
      );
      await ask(syncId);
      await until("a committed page", async () =>
        (await liveRecords(connectionId)) >= 400 ? true : undefined,
      );
      running!.process.kill("SIGTERM");
      expect(await running!.exited).toBe(0);
      const [cutOff] = await runsOf(syncId);
      expect([cutOff?.status, cutOff?.error?.code]).toEqual(["failed", "run_aborted"]);

      shared.workers.push(startWorker());
      const runs = await until("the resumed run", async () => {
        const list = await runsOf(syncId);
        return list.some((run) => run.status === "succeeded") ? list : undefined;
      });
      expect(runs.map((run) => run.status)).toEqual(["failed", "succeeded"]);
      expect(await liveRecords(connectionId)).toBe((await emulator.truth("contacts")).live.size);
    },
    TIMEOUT_MS,
  );
});
