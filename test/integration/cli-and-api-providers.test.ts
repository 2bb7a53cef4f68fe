/**
 * Every registered provider that declares an emulator syncs end to end through the two ways in a user has
 * besides the Connect page (test/e2e/connect-page.test.ts): the real `switchyard sync` command, and the REST
 * API (create a connection, trigger its sync, read what it landed through the records API). No provider is
 * named: adding one to the registry adds it here.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/core/index.ts";
import { runCli } from "../helpers/cli.ts";
import { cliWorld, readDataDirStore } from "../helpers/cli-world.ts";
import { type ConnectWorld, startConnectWorld } from "../helpers/connect-world.ts";
import { liveRecordCount, providersWithEmulators, truthStreams } from "../helpers/emulators.ts";

const declared = providersWithEmulators();
const EMULATOR = { seed: 7, records: 60, unlimited: true };

/** Creates, updates and deletes a few records of every stream the emulator knows. */
function changeEveryStream(emulator: EmulatorHandle) {
  return emulator.mutate(
    Object.fromEntries(emulator.streams.map((stream) => [stream, { creates: 2, updates: 3, deletes: 1 }])),
  );
}

/** Live records per stream of the truth. */
async function truthCounts(emulator: EmulatorHandle): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const stream of truthStreams(emulator)) counts[stream] = (await emulator.truth(stream)).live.size;
  return counts;
}

describe.each(declared)("$displayName through the CLI", (provider) => {
  const world = cliWorld({ provider, emulator: EMULATOR });

  /** Live records per stream in the data directory's records cache. */
  const cachedCounts = () =>
    Object.fromEntries(
      truthStreams(world.emulator).map((stream) => [
        stream,
        readDataDirStore(world.dataDir, (db) =>
          Number(
            (
              db
                .prepare("SELECT count(*) AS n FROM records WHERE stream = ? AND deleted = 0")
                .get(stream) as { n: number }
            ).n,
          ),
        ) ?? 0,
      ]),
    );

  // The streams whose truth the emulator knows (a provider may have more, such as field definitions).
  const syncArgs = () => [...world.syncArgs("--streams", truthStreams(world.emulator).join(",")), "--json"];

  it("syncs everything, then only what changed, into the records cache and DuckDB", async () => {
    const full = await runCli(syncArgs());
    expect(full.code, full.stderr).toBe(0);
    const first = JSON.parse(full.stdout);
    expect(first.status).toBe("succeeded");
    expect(first.stats.recordsAdded).toBe(await liveRecordCount(world.emulator));
    expect(full.stdout + full.stderr).not.toContain(world.token);
    expect(cachedCounts()).toEqual(await truthCounts(world.emulator));

    await changeEveryStream(world.emulator);
    const incremental = await runCli(syncArgs());
    expect(incremental.code, incremental.stderr).toBe(0);
    const next = JSON.parse(incremental.stdout);
    expect(next.status).toBe("succeeded");
    expect(next.stats.recordsAdded).toBeGreaterThan(0);
    expect(cachedCounts()).toEqual(await truthCounts(world.emulator));

    // The warehouse has a table per stream, queried by the CLI.
    const [stream] = world.emulator.streams;
    const sql = await runCli([
      "sql",
      `SELECT count(*) AS n FROM ${provider.name}_${stream} WHERE NOT coalesce(_deleted, false)`,
      "--data-dir",
      world.dataDir,
      "--json",
    ]);
    expect(sql.code, sql.stderr).toBe(0);
    expect(sql.stdout).toContain(String((await world.emulator.truth(stream!)).live.size));
  });
});

describe.each(declared)("$displayName through the API", (provider) => {
  let world: ConnectWorld;
  beforeAll(async () => {
    world = await startConnectWorld(provider, { records: EMULATOR.records, scheduler: true });
  });
  afterAll(async () => {
    expect(await world.leakedSecrets()).toEqual([]);
    await world.close();
  });

  /** The sync's runs once none is running and no run is asked for. */
  async function settledRuns(syncId: string) {
    for (let i = 0; i < 600; i++) {
      const sync = await world.dev.get("/v1/syncs/:id", { params: { id: syncId } });
      const runs = await world.dev.get("/v1/runs", { query: { sync_id: syncId } });
      if (!sync.run_requested && runs.data.length > 0 && runs.data.every((run) => run.status !== "running"))
        return runs.data;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`the runs of ${syncId} did not settle within a minute`);
  }

  /** Every record the records API serves for a stream of the connection, page after page. */
  async function servedRecords(connectionId: string, stream: string) {
    const records: { id: string; last_action: string }[] = [];
    let cursor: string | undefined;
    do {
      const page = await world.dev.get("/v1/records", {
        query: { connection_id: connectionId, stream, limit: 1_000, ...(cursor ? { cursor } : {}) },
      });
      records.push(...page.data);
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    return records;
  }

  it("creates a connection, runs its sync on trigger, and serves what it landed", async () => {
    const { credentials } = world.emulator;
    if (credentials.type === "oauth2") throw new Error("the API takes token credentials, not OAuth2 tokens");
    const connection = await world.dev.post("/v1/connections", {
      body: {
        provider: provider.name,
        credentials,
        end_user: { id: "api-customer" },
        config: { base_url: world.emulator.url },
      },
    });
    world.secret(connection.account_token ?? "");
    // Creating a connection gives it a sync of every stream.
    const [sync] = (await world.dev.get("/v1/syncs", { query: { connection_id: connection.id } })).data;
    await world.dev.post("/v1/syncs/:id/trigger", { params: { id: sync!.id }, body: {} });
    const runs = await settledRuns(sync!.id);
    for (const run of runs) expect(run.status, JSON.stringify(run.error)).toBe("succeeded");
    // Every stream: those whose truth the emulator knows, and any others (such as field definitions).
    const added = runs.reduce((sum, run) => sum + run.stats.records_added, 0);
    expect(added).toBeGreaterThanOrEqual(await liveRecordCount(world.emulator));

    await changeEveryStream(world.emulator);
    await world.dev.post("/v1/syncs/:id/trigger", { params: { id: sync!.id }, body: {} });
    const after = await settledRuns(sync!.id);
    expect(after.length).toBeGreaterThan(runs.length);
    expect(after[0]!.status, JSON.stringify(after[0]!.error)).toBe("succeeded");
    for (const stream of world.emulator.streams) {
      const truth = await world.emulator.truth(stream);
      const served = await servedRecords(connection.id, stream);
      const live = served.filter((record) => record.last_action !== "deleted").map((record) => record.id);
      expect(live.sort(), stream).toEqual([...truth.live.keys()].sort());
    }
  });
});
