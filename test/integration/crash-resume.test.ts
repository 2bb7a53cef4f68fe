/**
 * A sync in a child process (the real CLI) is killed with SIGKILL at several points, then resumed.
 * Afterwards the records cache and DuckDB hold exactly the emulator's data: nothing lost, nothing twice.
 */
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openWorkspace } from "../../src/app/workspace.ts";
import { createDuckDbDestination } from "../../src/destinations/duckdb/index.ts";
import { type HubSpotEmulator, startHubSpotEmulator } from "../../src/providers/hubspot/emulator/index.ts";
import { listRunLogs, listRuns } from "../../src/store/index.ts";
import { runCli, spawnCli } from "../helpers/cli.ts";
import { cacheDigest, truthDigest, warehouseDigest } from "../helpers/hubspot-truth.ts";
import { tempDir } from "../helpers/temp-store.ts";

const COUNTS = { contacts: 3_000, companies: 600, deals: 900 };
let emulator: HubSpotEmulator;
let dir: ReturnType<typeof tempDir>;

beforeAll(async () => {
  emulator = await startHubSpotEmulator({
    seed: 5,
    counts: COUNTS,
    rateLimit: { maxPerInterval: 100_000 },
    // Slow enough that every kill point below is reached mid-stream.
    faults: { latencyMs: 15 },
  });
  dir = tempDir();
});
afterAll(async () => {
  await emulator.close();
  dir.cleanup();
});

const syncArgs = () => [
  "sync",
  "hubspot",
  "--token",
  emulator.tokens[0]!,
  "--base-url",
  emulator.url,
  "--allow-private-network",
  "--data-dir",
  dir.path,
  "--batch-size",
  "200",
];

/** Live records per stream in the child's records cache, read from outside the child. */
function committedCounts(): Record<string, number> {
  try {
    const db = new Database(join(dir.path, "switchyard.sqlite"), { readonly: true, fileMustExist: true });
    try {
      const rows = db
        .prepare("SELECT stream, count(*) AS n FROM records WHERE deleted = 0 GROUP BY stream")
        .all() as {
        stream: string;
        n: number;
      }[];
      return Object.fromEntries(rows.map((row) => [row.stream, row.n]));
    } finally {
      db.close();
    }
  } catch {
    return {};
  }
}

/** Starts a sync and SIGKILLs it as soon as `stream` has at least `atLeast` committed records. */
async function killWhen(stream: string, atLeast: number): Promise<{ killedAt: number }> {
  const child = spawnCli(syncArgs());
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  for (;;) {
    const count = committedCounts()[stream] ?? 0;
    if (count >= atLeast) {
      child.kill("SIGKILL");
      await exited;
      return { killedAt: count };
    }
    const done = await Promise.race([
      exited.then(() => true),
      new Promise((r) => setTimeout(() => r(false), 10)),
    ]);
    if (done) throw new Error(`the sync finished before ${stream} reached ${atLeast} records`);
  }
}

describe("crash and resume", () => {
  it("loses nothing and duplicates nothing after SIGKILLs at several points", async () => {
    const kills = [
      await killWhen("contacts", 1), // right after the first commit
      await killWhen("contacts", 1_500), // mid-stream
      await killWhen("companies", 200), // in the second stream
      await killWhen("deals", 600), // in the last stream
    ];
    expect(kills.map((k) => k.killedAt)).toEqual([
      expect.any(Number),
      expect.any(Number),
      expect.any(Number),
      expect.any(Number),
    ]);

    const final = await runCli([...syncArgs(), "--json"]);
    expect(final.code, final.stderr).toBe(0);
    const run = JSON.parse(final.stdout);
    expect(run.status).toBe("succeeded");

    const workspace = await openWorkspace({ dataDir: dir.path });
    const warehouse = await createDuckDbDestination({ path: workspace.warehousePath });
    try {
      // Killed runs look "running" until their heartbeat is a minute old; the last run resumed deals.
      const runs = await listRuns(workspace.store.db, { limit: 10 });
      expect(runs.map((r) => r.status)).toEqual(["succeeded", "running", "running", "running", "running"]);
      const reading = (await listRunLogs(workspace.store.db, run.id, { minLevel: "info" })).filter((line) =>
        line.message.startsWith("Reading "),
      );
      expect(reading.map((line) => [line.message, line.fields?.resumed])).toContainEqual([
        "Reading deals",
        true,
      ]);
      // The final run did not re-add what earlier runs had committed.
      expect(run.stats.recordsAdded).toBeLessThan(COUNTS.deals);

      const connectionId = runs[0]!.connectionId;
      for (const [stream, table] of [
        ["contacts", "hubspot_contacts"],
        ["companies", "hubspot_companies"],
        ["deals", "hubspot_deals"],
      ] as const) {
        const truth = truthDigest(emulator, stream);
        expect(truth.count).toBe(COUNTS[stream]);
        expect(await cacheDigest(workspace.store.db, connectionId, stream), stream).toEqual(truth);
        expect(await warehouseDigest(warehouse, table, connectionId), stream).toEqual({
          ...truth,
          duplicateKeys: 0,
        });
      }

      // A minute later (the killed runs' heartbeats moved back instead of waiting), the next command that
      // opens the workspace marks them interrupted.
      const longAgo = new Date(Date.now() - 2 * 60_000).toISOString();
      await workspace.store.db
        .updateTable("runs")
        .set({ heartbeat_at: longAgo })
        .where("status", "=", "running")
        .execute();
      const listed = await runCli(["runs", "--data-dir", dir.path, "--json"]);
      expect(listed.code, listed.stderr).toBe(0);
      const history = JSON.parse(listed.stdout) as { status: string; error: { code: string } | null }[];
      expect(history.map((r) => [r.status, r.error?.code ?? null])).toEqual([
        ["succeeded", null],
        ...Array.from({ length: 4 }, () => ["failed", "run_interrupted"]),
      ]);
    } finally {
      await warehouse.close();
      await workspace.close();
    }
  });
});
