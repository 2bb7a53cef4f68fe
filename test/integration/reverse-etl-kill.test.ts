/**
 * A reverse-ETL run killed for real: `switchyard retl run` in a child process gets SIGKILL while its batches
 * are in flight at the HubSpot emulator (slowed by its latency knob), the model changes, and a second
 * `switchyard retl run` resumes at once (the dead run's process is known gone). On the emulator's side:
 * every row is there exactly once (no contact created twice), with the model's final content, none skipped.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, expect, it } from "vitest";
import { upsertConnection } from "../../src/app/connections/connections.ts";
import { createModel } from "../../src/app/reverse-etl/models.ts";
import { listReverseEtlRuns } from "../../src/app/reverse-etl/run.ts";
import { snapshotFilePath } from "../../src/app/reverse-etl/snapshot-file.ts";
import { createReverseEtlSync } from "../../src/app/reverse-etl/syncs.ts";
import { openWorkspace } from "../../src/app/workspace.ts";
import type { EmulatorHandle } from "../../src/core/index.ts";
import { syncInput } from "../../src/flows/reverse-etl/definitions.ts";
import { retlDb } from "../../src/flows/reverse-etl/store.ts";
import { providers } from "../../src/providers/registry.ts";
import { unifiedMappers } from "../../src/providers/unified-mappers.ts";
import { unifiedWriters } from "../../src/providers/unified-writers.ts";
import { ensureEnvironment, setEnvironmentPrivateNetwork } from "../../src/store/index.ts";
import { providerWithEmulator, startEmulator } from "../helpers/emulators.ts";
import { tempDir } from "../helpers/temp-store.ts";
import { onWarehouseFile } from "../helpers/warehouse-file.ts";

const CLI = new URL("../../src/cli/index.ts", import.meta.url).pathname;
const ROWS = 1200;
const domain = "kill.example";

let emulator: EmulatorHandle;
let dir: ReturnType<typeof tempDir>;
let syncId: string;
let environmentId: string;
let connectionId: string;
const children: ChildProcess[] = [];

async function setTable(warehousePath: string, edited: boolean): Promise<void> {
  await onWarehouseFile(warehousePath, async (connection) => {
    await connection.run(
      `CREATE OR REPLACE TABLE people AS SELECT i AS id, 'p' || i || '@${domain}' AS email,
       CASE WHEN ${edited} AND i % 7 = 0 THEN 'Edited' || i ELSE 'Name' || i END AS first_name,
       '${connectionId}' AS _connection_id FROM range(1, ${ROWS + 1}) t(i)`,
    );
  });
}

/** The sync's snapshot: how many keys its file holds (undefined: none), and its entries in the store. */
async function snapshotSizes(): Promise<{ file: number | undefined; entries: number }> {
  const workspace = await openWorkspace({ dataDir: dir.path });
  try {
    const path = snapshotFilePath(workspace.warehousePath, syncId);
    let file: number | undefined;
    if (existsSync(path)) {
      const instance = await DuckDBInstance.create(path, { access_mode: "READ_ONLY" });
      const connection = await instance.connect();
      file = Number((await connection.runAndReadAll("SELECT count(*) FROM snapshot")).getRows()[0]![0]);
      connection.closeSync();
      instance.closeSync();
    }
    const entries = await retlDb(workspace.store.db)
      .selectFrom("retl_snapshots")
      .select("pk")
      .where("sync_id", "=", syncId)
      .execute();
    return { file, entries: entries.length };
  } finally {
    await workspace.close();
  }
}

function retlRun(): { child: ChildProcess; done: Promise<{ code: number | null; stdout: string }> } {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", CLI, "retl", "run", syncId, "--data-dir", dir.path],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr!.on("data", (chunk) => {
    stderr += chunk;
  });
  const done = new Promise<{ code: number | null; stdout: string }>((resolve) =>
    child.once("exit", (code) => resolve({ code, stdout: stdout || stderr })),
  );
  return { child, done };
}

async function contactsAt(): Promise<Map<string, Record<string, unknown>>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const record of (await emulator.truth("contacts")).live.values()) {
    const email = String(record.email ?? "");
    if (!email.endsWith(`@${domain}`)) continue;
    expect(out.has(email), `two contacts with ${email}`).toBe(false);
    out.set(email, record);
  }
  return out;
}

beforeAll(async () => {
  emulator = await startEmulator(providerWithEmulator("hubspot"), { seed: 5, records: 5, unlimited: true });
  dir = tempDir();
  const workspace = await openWorkspace({ dataDir: dir.path });
  try {
    const env = await ensureEnvironment(workspace.store.db, "dev");
    environmentId = env.id;
    await setEnvironmentPrivateNetwork(workspace.store.db, env.id, true);
    const connection = await upsertConnection(workspace, {
      environment: "dev",
      provider: "hubspot",
      endUserId: "kill",
      credentials: emulator.credentials,
      config: { baseUrl: emulator.url },
    });
    connectionId = connection.id;
    await setTable(workspace.warehousePath, false);
    const deps = {
      db: workspace.store.db,
      vault: workspace.vault,
      providers,
      mappers: unifiedMappers,
      writers: unifiedWriters,
      warehouse: { path: workspace.warehousePath },
    };
    const model = await createModel(deps, env.id, {
      name: "people",
      sql: "SELECT id, email, first_name FROM people",
      primary_key: "id",
    });
    const sync = await createReverseEtlSync(
      deps,
      env.id,
      syncInput.parse({
        model_id: model.id,
        connection_id: connection.id,
        target: { type: "actions", create: "create_contact", update: "update_contact" },
        mapping: [
          { column: "email", field: "properties.email" },
          { column: "first_name", field: "properties.firstname" },
        ],
      }),
    );
    syncId = sync.id;
  } finally {
    await workspace.close();
  }
}, 60_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  await emulator?.close();
  dir?.cleanup();
});

it("killed mid-run then resumed: every row written once, with its final content, none skipped", async () => {
  // Slow enough that the kill lands while batches are in flight.
  await emulator.setFaults({ latencyMs: 400 });
  const first = retlRun();
  const deadline = Date.now() + 60_000;
  let written = 0;
  while (Date.now() < deadline && first.child.exitCode === null) {
    written = (await contactsAt()).size;
    if (written >= 300) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  first.child.kill("SIGKILL");
  const killed = await first.done;
  expect(killed.code, `the run ended before the kill: ${killed.stdout}`).toBeNull();
  const atKill = (await contactsAt()).size;
  expect(atKill).toBeGreaterThan(0);
  expect(atKill).toBeLessThan(ROWS);
  // The killed run's snapshot entries are in the store, saved with each page's results (none yet if the kill
  // came before its first page's batches all answered); it never reached its end, where entries are folded
  // into the sync's file.
  const killedAt = await snapshotSizes();
  expect(killedAt.file).toBeUndefined();
  expect(killedAt.entries).toBeLessThanOrEqual(atKill);

  // The model moves on while nothing runs: written and unwritten rows change alike.
  const workspace = await openWorkspace({ dataDir: dir.path });
  await setTable(workspace.warehousePath, true);
  await workspace.close();
  await emulator.setFaults({ latencyMs: 0 });

  const second = retlRun();
  const resumed = await second.done;
  expect(resumed.code, resumed.stdout).toBe(0);
  expect(JSON.parse(resumed.stdout)).toMatchObject({ status: "succeeded", stats: { failed: 0 } });

  const contacts = await contactsAt();
  expect(contacts.size).toBe(ROWS);
  for (let i = 1; i <= ROWS; i++) {
    const expected = i % 7 === 0 ? `Edited${i}` : `Name${i}`;
    expect(contacts.get(`p${i}@${domain}`)?.firstname, `row ${i}`).toBe(expected);
  }

  // Every row is in the sync's file now, nothing left in the store: the next run has nothing to send.
  expect(await snapshotSizes()).toEqual({ file: ROWS, entries: 0 });
  const third = await retlRun().done;
  expect(JSON.parse(third.stdout)).toMatchObject({
    status: "succeeded",
    stats: { added: 0, changed: 0, removed: 0, unchanged: ROWS, created: 0, updated: 0 },
  });

  // The killed run is on record as failed, not left running.
  const check = await openWorkspace({ dataDir: dir.path });
  try {
    const runs = await listReverseEtlRuns({ db: check.store.db }, environmentId, syncId);
    expect(runs.map((run) => run.status)).toEqual(["succeeded", "succeeded", "failed"]);
    expect(runs[2]!.error).toContain("process stopped");
  } finally {
    await check.close();
  }
}, 240_000);
