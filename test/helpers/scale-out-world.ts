/**
 * Test helper for tests of the scale-out deployment (docs/scale-out.md) on a Postgres database the test
 * owns: real `switchyard worker` child processes (the CLI from the sources, through tsx) with their output
 * kept, the real scheduling side (graphile-worker's queue and the sync dispatcher) running in the test's
 * process, connections and syncs made through the app layer, and the Postgres warehouse read back for
 * comparison with an emulator's truth.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { upsertConnection } from "../../src/app/connections/connections.ts";
import { createSync } from "../../src/app/syncs/syncs.ts";
import type { Workspace } from "../../src/app/workspace.ts";
import type { EmulatorHandle, ProviderDefinition } from "../../src/core/index.ts";
import { DEFAULT_WAREHOUSE_SCHEMA } from "../../src/destinations/postgres/postgres-destination.ts";
import {
  createGraphileJobQueue,
  createStoreSyncQueue,
  createSyncDispatcher,
  type SyncDispatcher,
} from "../../src/scheduler/index.ts";
import {
  ensureEnvironment,
  listRuns,
  openStore,
  type Run,
  type Store,
  setEnvironmentPrivateNetwork,
} from "../../src/store/index.ts";
import { loadVault } from "../../src/vault/index.ts";
import { compareWithTruth, type SyncWorld } from "../conformance/sync-world.ts";
import { tempDir } from "./temp-store.ts";

const CLI = ["--import", "tsx", fileURLToPath(new URL("../../src/cli/index.ts", import.meta.url))];

/** A CLI child process and what it printed (stdout and stderr, interleaved). */
export interface CliChild {
  process: ChildProcess;
  output(): string;
  /** Resolves with the exit code (null when a signal ended it). */
  exited: Promise<number | null>;
}

export interface ScaleOutWorld {
  readonly databaseUrl: string;
  readonly store: Store;
  readonly dataDir: string;
  /** The scheduling side, as `switchyard server` runs it (its passes every 200 ms). */
  readonly dispatcher: SyncDispatcher;
  /** `switchyard <args>` on the world's database and data directory, with `env` added. */
  startCli(args: readonly string[], env?: NodeJS.ProcessEnv): CliChild;
  /** `switchyard worker --concurrency 1` with `args` added. */
  startWorker(args?: readonly string[], env?: NodeJS.ProcessEnv): CliChild;
  /** A new connection of the emulator's account (one per end user) with a sync of `streams`. */
  newSync(
    provider: ProviderDefinition,
    emulator: EmulatorHandle,
    options: { endUserId: string; streams: readonly string[]; warehouse?: boolean; frequency?: string },
  ): Promise<{ syncId: string; connectionId: string }>;
  /** The sync's runs, oldest first. */
  runsOf(syncId: string): Promise<Run[]>;
  /**
   * Polls `check` every 100 ms until it returns a value; fails naming `what` when a child failed meanwhile, or
   * after `timeoutMs` (default RELIABILITY_WAIT_MS, else 120 s: raise it for benchmark-sized runs on a busy machine).
   */
  until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs?: number): Promise<T>;
  /** The stream landed in the records cache and the Postgres warehouse, next to the emulator's truth. */
  compare(
    provider: ProviderDefinition,
    emulator: EmulatorHandle,
    connectionId: string,
    stream: string,
  ): ReturnType<typeof compareWithTruth>;
  /** SIGKILLs the children still alive and waits for them (a test that needs no leftover worker). */
  killChildren(): Promise<void>;
  /** Kills the children still alive, stops the dispatcher, closes the store; the database is the caller's. */
  close(): Promise<void>;
}

/**
 * Opens the world on `databaseUrl` (an empty database: the store and graphile-worker migrate it). Workers get
 * SWITCHYARD_TAKEOVER_MS (default 1000), so a killed worker's run is taken over at once, and write the
 * warehouse into the same database (WAREHOUSE_URL).
 */
export async function openScaleOutWorld(databaseUrl: string, takeoverMs = 1_000): Promise<ScaleOutWorld> {
  const dir = tempDir("switchyard-scale-out-");
  const store = await openStore({ kind: "postgres", connectionString: databaseUrl });
  const jobs = await createGraphileJobQueue({ connectionString: databaseUrl });
  const leases = createStoreSyncQueue(store.db, { leaseMs: takeoverMs });
  const stop = new AbortController();
  const failures: unknown[] = [];
  const dispatcher = createSyncDispatcher({
    db: store.db,
    jobs,
    queue: leases,
    pollMs: 200,
    onError: (error) => failures.push(error),
  });
  const scheduling = dispatcher.start(stop.signal);
  const vault = loadVault({ dataDir: dir.path });
  const workspace: Workspace = { dataDir: dir.path, store, vault, warehousePath: "", close: async () => {} };
  const dev = await ensureEnvironment(store.db, "dev");
  // The emulators are on loopback.
  await setEnvironmentPrivateNetwork(store.db, dev.id, true);
  const warehouse = new pg.Pool({
    connectionString: databaseUrl,
    options: `-c search_path=${DEFAULT_WAREHOUSE_SCHEMA}`,
    max: 2,
  });
  warehouse.on("error", () => undefined);
  const children: CliChild[] = [];

  const world: ScaleOutWorld = {
    databaseUrl,
    store,
    dataDir: dir.path,
    dispatcher,
    startCli(args, env = {}) {
      const child = spawn(process.execPath, [...CLI, ...args, "--data-dir", dir.path], {
        env: {
          ...process.env,
          DATABASE_URL: databaseUrl,
          WAREHOUSE_URL: databaseUrl,
          SWITCHYARD_TAKEOVER_MS: String(takeoverMs),
          ...env,
        },
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
    },
    startWorker(args = [], env = {}) {
      return world.startCli(["worker", "--concurrency", "1", ...args], env);
    },
    async newSync(provider, emulator, options) {
      const connection = await upsertConnection(workspace, {
        environment: "dev",
        provider: provider.name,
        endUserId: options.endUserId,
        credentials: emulator.credentials,
        config: { baseUrl: emulator.url },
      });
      const sync = await createSync(store.db, provider, connection.id, {
        streams: [...options.streams],
        frequency: options.frequency ?? "1h",
        warehouse: options.warehouse ?? true,
      });
      return { syncId: sync.id, connectionId: connection.id };
    },
    async runsOf(syncId) {
      return (await listRuns(store.db, { limit: 1000 })).filter((run) => run.syncId === syncId).reverse();
    },
    async until(what, check, timeoutMs = Number(process.env.RELIABILITY_WAIT_MS ?? 120_000)) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = await check();
        if (value !== undefined) return value;
        for (const child of children) {
          const code = child.process.exitCode;
          if (code !== null && code !== 0)
            throw new Error(`a child exited with ${code} while waiting for ${what}:\n${child.output()}`);
        }
        if (Date.now() > deadline)
          throw new Error(
            `timed out waiting for ${what}; scheduling errors: ${failures.map(String).join("; ") || "none"}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    compare(provider, emulator, connectionId, stream) {
      const reader = {
        query: async (text: string, params: unknown[]) => (await warehouse.query(text, params)).rows,
      };
      return compareWithTruth(
        { store, warehouse: reader, connectionId } as unknown as SyncWorld,
        provider,
        emulator,
        stream,
      );
    },
    async killChildren() {
      for (const child of children) if (child.process.exitCode === null) child.process.kill("SIGKILL");
      await Promise.all(children.map((child) => child.exited));
    },
    async close() {
      await world.killChildren();
      stop.abort();
      await scheduling;
      await jobs.stop();
      await warehouse.end();
      await store.close();
      dir.cleanup();
    },
  };
  return world;
}
