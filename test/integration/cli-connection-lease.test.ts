/**
 * The real CLI: two `switchyard sync` runs of one connection never overlap (the second is refused, so no
 * record is reported added twice), and a CLI killed with SIGKILL leaves no run looking `running` to the
 * next process that opens the data directory — its pid is gone, so its run is failed at once.
 */
import { describe, expect, it } from "vitest";
import { openWorkspace } from "../../src/app/workspace.ts";
import { listRuns } from "../../src/store/index.ts";
import { runCli, spawnCli } from "../helpers/cli.ts";
import { cliWorld, readDataDirStore } from "../helpers/cli-world.ts";
import { liveRecordCount, providerWithEmulator } from "../helpers/emulators.ts";

const world = cliWorld({
  provider: providerWithEmulator("hubspot"),
  emulator: { seed: 11, records: 1_000, unlimited: true },
  // Slow enough (~20 pages of 300 ms) that a second command starts while the first is still reading.
  faults: { latencyMs: 300 },
  syncArgs: ["--no-duckdb", "--batch-size", "50"],
});
const syncArgs = world.syncArgs;

/** The ids of runs `running` in the data directory, read from outside the CLI processes. */
function runningRuns(): string[] {
  const rows = readDataDirStore(
    world.dataDir,
    (db) => db.prepare("SELECT id FROM runs WHERE status = 'running'").all() as { id: string }[],
  );
  return (rows ?? []).map((row) => row.id);
}

async function untilARunIsRunning(): Promise<string> {
  for (let i = 0; i < 3_000; i++) {
    const [id] = runningRuns();
    if (id) return id;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("no run started");
}

describe("CLI runs of one connection", () => {
  it("two concurrent syncs never overlap: the second is refused, and no record is counted twice", async () => {
    const first = runCli([...syncArgs(), "--json"]);
    await untilARunIsRunning();
    const second = await runCli([...syncArgs(), "--json"]);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/is being synced right now by another `switchyard sync` \(process \d+ on /);
    expect(second.stderr).toContain("Wait for that run to finish");

    const done = await first;
    expect(done.code, done.stderr).toBe(0);
    const run = JSON.parse(done.stdout) as { status: string; stats: { recordsAdded: number } };
    expect(run.status).toBe("succeeded");
    expect(run.stats.recordsAdded).toBe(await liveRecordCount(world.emulator));

    const workspace = await openWorkspace({ dataDir: world.dataDir });
    try {
      expect(await listRuns(workspace.store.db)).toHaveLength(1);
    } finally {
      await workspace.close();
    }
  });

  it("after a SIGKILL, the next process to open the data directory fails the dead run at once", async () => {
    const child = spawnCli([...syncArgs(), "--full-refresh"]);
    const exited = new Promise((resolve) => child.once("exit", resolve));
    const runId = await untilARunIsRunning();
    child.kill("SIGKILL");
    await exited;
    expect(runningRuns()).toEqual([runId]);

    const workspace = await openWorkspace({ dataDir: world.dataDir });
    try {
      const [run] = await listRuns(workspace.store.db, { limit: 1 });
      expect(run).toMatchObject({ id: runId, status: "failed", error: { code: "run_interrupted" } });
    } finally {
      await workspace.close();
    }
    // And the connection is free again: the next sync runs and completes the full refresh.
    const next = await runCli([...syncArgs(), "--json"]);
    expect(next.code, next.stderr).toBe(0);
    expect(JSON.parse(next.stdout)).toMatchObject({ status: "succeeded" });
  });
});
