/**
 * A sync in a child process (the real CLI) is killed with SIGKILL at several points, then resumed.
 * Afterwards the records cache and DuckDB hold exactly the emulator's data: nothing lost, nothing twice.
 * Then: a killed full refresh resumes as a full refresh of every stream, and a run without the warehouse
 * leaves nothing stale in it. The tests run in order on one data directory.
 */
import { join } from "node:path";
import type Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { openWorkspace } from "../../src/app/workspace.ts";
import { createDuckDbDestination } from "../../src/destinations/duckdb/index.ts";
import { listRunLogs, listRuns, type Store } from "../../src/store/index.ts";
import { compareWithTruth, type SyncWorld } from "../conformance/sync-world.ts";
import { runCli, spawnCli } from "../helpers/cli.ts";
import { cliWorld, readDataDirStore } from "../helpers/cli-world.ts";
import { providerWithEmulator } from "../helpers/emulators.ts";

/** What HubSpot's emulator declaration seeds for 3,000 records: companies are 15% of them, deals 30%. */
const COUNTS = { contacts: 3_000, companies: 450, deals: 900 };
/** Each test runs the real CLI several times; on two busy cores that can pass the default minute. */
const CLI_TIMEOUT_MS = 180_000;
const provider = providerWithEmulator("hubspot");
const world = cliWorld({
  provider,
  emulator: { seed: 5, records: COUNTS.contacts, unlimited: true },
  // Slow enough that every kill point below is reached mid-stream.
  faults: { latencyMs: 15 },
  // The CRM objects, read in this order (owners, read whole every run, have nothing to resume).
  syncArgs: ["--batch-size", "200", "--streams", Object.keys(COUNTS).join(",")],
});
const syncArgs = world.syncArgs;

/** Reads the child's SQLite store from outside it; undefined while the file does not exist yet. */
const readStore = <T>(read: (db: Database.Database) => T) => readDataDirStore(world.dataDir, read);

/** Live records per stream in the child's records cache, read from outside the child. */
function committedCounts(): Record<string, number> {
  const rows = readStore(
    (db) =>
      db.prepare("SELECT stream, count(*) AS n FROM records WHERE deleted = 0 GROUP BY stream").all() as {
        stream: string;
        n: number;
      }[],
  );
  return Object.fromEntries((rows ?? []).map((row) => [row.stream, row.n]));
}

/** Records the running run has committed so far (added, updated or unchanged). */
function runningRunRecords(): number {
  const row = readStore(
    (db) =>
      db.prepare("SELECT stats FROM runs WHERE status = 'running'").get() as { stats: string } | undefined,
  );
  if (!row) return 0;
  const stats = JSON.parse(row.stats) as {
    recordsAdded: number;
    recordsUpdated: number;
    recordsUnchanged: number;
  };
  return stats.recordsAdded + stats.recordsUpdated + stats.recordsUnchanged;
}

/** Starts a sync with `args` and SIGKILLs it as soon as `progress()` reaches `atLeast`. */
async function killWhen(
  progress: () => number,
  atLeast: number,
  args = syncArgs(),
): Promise<{ killedAt: number }> {
  const child = spawnCli(args);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  for (;;) {
    const count = progress();
    if (count >= atLeast) {
      child.kill("SIGKILL");
      await exited;
      return { killedAt: count };
    }
    const done = await Promise.race([
      exited.then(() => true),
      new Promise((r) => setTimeout(() => r(false), 10)),
    ]);
    if (done) throw new Error(`the sync finished before it reached ${atLeast} records`);
  }
}

const committed = (stream: keyof typeof COUNTS) => () => committedCounts()[stream] ?? 0;

/** The finished run's "Reading <stream>" log lines: stream, mode and whether it resumed. */
async function readings(db: Store["db"], runId: string): Promise<[string, unknown, unknown][]> {
  const lines = await listRunLogs(db, runId, { minLevel: "info" });
  return lines
    .filter((line) => line.message.startsWith("Reading "))
    .map((line) => [line.message.slice("Reading ".length), line.fields?.mode, line.fields?.resumed]);
}

/**
 * Checks the records cache and a warehouse against the emulator, record by record: the cache's live records
 * are the truth (on the fields the emulator vouches for), and the warehouse holds the cache's, once each.
 */
async function expectExact(
  workspace: Awaited<ReturnType<typeof openWorkspace>>,
  warehousePath: string,
  connectionId: string,
): Promise<void> {
  const warehouse = await createDuckDbDestination({ path: warehousePath });
  try {
    // What compareWithTruth reads of a sync world: this data directory's store and warehouse.
    const landedIn = { store: workspace.store, warehouse, connectionId } as Pick<
      SyncWorld,
      "store" | "warehouse" | "connectionId"
    > as SyncWorld;
    for (const stream of Object.keys(COUNTS)) {
      const landed = await compareWithTruth(landedIn, provider, world.emulator, stream);
      expect(landed.cache, stream).toEqual(landed.truth);
      expect(landed.warehouseHashes, stream).toEqual(landed.cacheHashes);
      expect(landed.warehouseDuplicateKeys, stream).toBe(0);
    }
  } finally {
    await warehouse.close();
  }
}

describe("crash and resume", () => {
  it(
    "loses nothing and duplicates nothing after SIGKILLs at several points",
    async () => {
      const points = [
        { stream: "contacts", atLeast: 1 }, // right after the first commit
        { stream: "contacts", atLeast: 1_500 }, // mid-stream
        { stream: "companies", atLeast: 200 }, // in the second stream
        { stream: "deals", atLeast: 600 }, // in the last stream
      ] as const;
      for (const { stream, atLeast } of points) {
        const { killedAt } = await killWhen(committed(stream), atLeast);
        // Each kill landed where it was meant to: inside its stream, before the stream finished.
        expect(killedAt, stream).toBeGreaterThanOrEqual(atLeast);
        expect(killedAt, stream).toBeLessThan(COUNTS[stream]);
      }

      const final = await runCli([...syncArgs(), "--json"]);
      expect(final.code, final.stderr).toBe(0);
      const run = JSON.parse(final.stdout);
      expect(run.status).toBe("succeeded");

      const workspace = await openWorkspace({ dataDir: world.dataDir });
      try {
        // Each killed run was failed as interrupted by the next run, which found its process gone.
        const runs = await listRuns(workspace.store.db, { limit: 10 });
        expect(runs.map((r) => [r.status, r.error?.code ?? null])).toEqual([
          ["succeeded", null],
          ...Array.from({ length: 4 }, () => ["failed", "run_interrupted"]),
        ]);
        // The last run resumed the first read of deals where the kill left it; the others read from their cursor.
        expect(await readings(workspace.store.db, run.id)).toEqual([
          ["contacts", "incremental", true],
          ["companies", "incremental", true],
          ["deals", "full_refresh", true],
        ]);
        // It did not re-add what earlier runs had committed: at most the deals after the last checkpoint.
        expect(run.stats.recordsAdded).toBeGreaterThan(0);
        expect(run.stats.recordsAdded).toBeLessThanOrEqual(COUNTS.deals - 600);

        for (const stream of ["contacts", "companies", "deals"] as const) {
          expect((await world.emulator.truth(stream)).live.size).toBe(COUNTS[stream]);
        }
        await expectExact(workspace, workspace.warehousePath, runs[0]!.connectionId);
      } finally {
        await workspace.close();
      }
    },
    CLI_TIMEOUT_MS,
  );

  it(
    "resumes a killed full refresh, run again without --full-refresh, as a full refresh of every stream",
    async () => {
      const fresh = join(world.dataDir, "new.duckdb");
      const refresh = syncArgs("--full-refresh", "--duckdb", fresh);
      // Killed in its first stream (contacts), once some of it is committed.
      const { killedAt } = await killWhen(runningRunRecords, 400, refresh);
      expect(killedAt).toBeLessThan(COUNTS.contacts);

      const resumed = await runCli([...syncArgs("--duckdb", fresh), "--json"]);
      expect(resumed.code, resumed.stderr).toBe(0);
      const run = JSON.parse(resumed.stdout);
      expect(run.status).toBe("succeeded");
      expect(run.fullRefresh).toBe(true);

      const workspace = await openWorkspace({ dataDir: world.dataDir });
      try {
        expect(await readings(workspace.store.db, run.id)).toEqual([
          ["contacts", "full_refresh", true],
          ["companies", "full_refresh", false],
          ["deals", "full_refresh", false],
        ]);
        const [stored] = await listRuns(workspace.store.db, { limit: 1 });
        expect(stored!.fullRefresh).toBe(true);
        await expectExact(workspace, fresh, stored!.connectionId);
      } finally {
        await workspace.close();
      }
    },
    CLI_TIMEOUT_MS,
  );

  it(
    "leaves nothing stale in the warehouse after a run without it",
    async () => {
      await world.emulator.mutate({
        contacts: { updates: 40, deletes: 3, creates: 5 },
        deals: { updates: 39 },
      });
      const without = await runCli([...syncArgs("--no-duckdb"), "--json"]);
      expect(without.code, without.stderr).toBe(0);
      expect(JSON.parse(without.stdout).stats.recordsUpdated).toBeGreaterThanOrEqual(79);

      // Nothing changed at the provider since: this run reads nothing new, yet the warehouse catches up.
      const next = await runCli([...syncArgs(), "--json"]);
      expect(next.code, next.stderr).toBe(0);
      const run = JSON.parse(next.stdout);
      expect(run.stats).toMatchObject({ recordsAdded: 0, recordsUpdated: 0 });

      const workspace = await openWorkspace({ dataDir: world.dataDir });
      try {
        await expectExact(workspace, workspace.warehousePath, run.connectionId);
      } finally {
        await workspace.close();
      }
    },
    CLI_TIMEOUT_MS,
  );
});
