/**
 * Reverse-ETL schedules run by themselves in every process kind:
 * - embedded (`npm start`, src/main.ts with the HubSpot demo only): the demo's reverse-ETL sync runs once at
 *   start, and again when its slot comes (the test moves `next_run_at` into the past, as time would);
 * - scale-out (`switchyard server` + `switchyard worker` on a real Postgres): the server's dispatcher enqueues
 *   the due sync and the worker runs it.
 * Each is checked on the HubSpot emulator's side: the model's rows are there with the values sent.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { upsertConnection } from "../../src/app/connections/connections.ts";
import { createModel } from "../../src/app/reverse-etl/models.ts";
import { createReverseEtlSync } from "../../src/app/reverse-etl/syncs.ts";
import { createEmbeddedSync } from "../../src/app/sources/embedded-syncs.ts";
import { pushRecords } from "../../src/app/sources/records.ts";
import { createSource } from "../../src/app/sources/sources.ts";
import { DEMO_RETL_MODEL } from "../../src/demo/demo-retl.ts";
import { embeddedSyncInput } from "../../src/flows/embedded/definitions.ts";
import { syncInput } from "../../src/flows/reverse-etl/definitions.ts";
import { retlDb } from "../../src/flows/reverse-etl/store.ts";
import { providers } from "../../src/providers/registry.ts";
import { unifiedMappers } from "../../src/providers/unified-mappers.ts";
import { unifiedWriters } from "../../src/providers/unified-writers.ts";
import { loadVault } from "../../src/vault/index.ts";
import { providerWithEmulator, startEmulator } from "../helpers/emulators.ts";
import { freePorts } from "../helpers/free-ports.ts";
import { createTestDatabase, postgresAvailable } from "../helpers/postgres.ts";
import { openScaleOutWorld } from "../helpers/scale-out-world.ts";
import { tempDir } from "../helpers/temp-store.ts";
import { onWarehouseFile } from "../helpers/warehouse-file.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const children: ChildProcess[] = [];

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode !== null) continue;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
});

async function until<T>(what: string, check: () => T | undefined | Promise<T | undefined>, ms: number) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Every contact of the HubSpot emulator with these properties, through its API (as HubSpot lists them). */
async function hubspotContacts(url: string, token: string, properties: string[]) {
  const contacts: Record<string, string | null>[] = [];
  let after: string | undefined;
  do {
    const query = new URLSearchParams({ limit: "100", properties: properties.join(",") });
    if (after) query.set("after", after);
    const response = await fetch(`${url}/crm/v3/objects/contacts?${query}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    const page = (await response.json()) as {
      results: { properties: Record<string, string | null> }[];
      paging?: { next?: { after: string } };
    };
    contacts.push(...page.results.map((result) => result.properties));
    after = page.paging?.next?.after;
  } while (after);
  return contacts;
}

describe("embedded (npm start)", () => {
  const dir = tempDir();
  afterAll(() => dir.cleanup());

  it("runs the demo's reverse-ETL sync at start and again when its slot comes", async () => {
    const [apiPort, emulatorPort] = await freePorts(2);
    const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "src/main.ts")], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(apiPort),
        SWITCHYARD_DATA_DIR: dir.path,
        SWITCHYARD_EMULATOR_PORT: String(emulatorPort),
        SWITCHYARD_DEMO_PROVIDERS: "hubspot",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    let output = "";
    child.stdout!.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr!.on("data", (chunk) => {
      output += chunk;
    });
    const runLine =
      /Reverse-ETL sync (retl_\w+): run (retlrun_\w+) (\w+): diff \+(\d+) .*updated (\d+), deleted \d+, failed (\d+)/g;
    const runs = () => [...output.matchAll(runLine)];
    const first = await until("the demo's first reverse-ETL run", () => runs()[0], 360_000).catch(
      (error: Error) => {
        throw new Error(`${error.message}:\n${output}`);
      },
    );
    expect(output).toContain(`Reverse ETL:      model ${DEMO_RETL_MODEL}`);
    // A contact the demo emulator deleted since the HubSpot sync's last read fails (404, retried next run):
    // the warehouse lags the app by up to a minute. Every other row is updated.
    expect(first[3], output).toMatch(/^(succeeded|partial)$/);
    const syncId = first[1]!;
    const [added, updated, failed] = [Number(first[4]), Number(first[5]), Number(first[6])];
    expect(added).toBeGreaterThan(0);
    expect(failed).toBeLessThanOrEqual(Math.max(2, added * 0.01));
    expect(updated + failed).toBe(added);
    const sent = updated;

    // On the emulator's side: every low-score contact is marked UNQUALIFIED.
    const emulatorUrl = /HubSpot emulator: +(http:\/\/\S+)/.exec(output)![1]!;
    const token = /the emulator \(token: (\S+)\)/.exec(output)![1]!;
    const contacts = await hubspotContacts(emulatorUrl, token, ["hubspotscore", "hs_lead_status"]);
    const low = contacts.filter((c) => Number(c.hubspotscore) < 20);
    expect(low.length).toBeGreaterThan(0);
    // The warehouse may lag the emulator's changes by one sync, so nearly all, and at least what was sent.
    const marked = low.filter((c) => c.hs_lead_status === "UNQUALIFIED").length;
    expect(marked).toBeGreaterThanOrEqual(Math.min(sent, low.length) * 0.9);

    // Its slot comes (as a minute passing would): the process's own dispatcher runs it again.
    const db = new Database(join(dir.path, "switchyard.sqlite"));
    try {
      db.prepare("UPDATE retl_syncs SET next_run_at = ? WHERE id = ?").run(
        new Date(Date.now() - 1000).toISOString(),
        syncId,
      );
    } finally {
      db.close();
    }
    const second = await until("the scheduled second run", () => runs()[1], 60_000);
    expect(second[1]).toBe(syncId);
    expect(second[2]).not.toBe(first[2]);
    expect(second[3], output).toMatch(/^(succeeded|partial)$/);
  }, 540_000);
});

const pgUp = await postgresAvailable();

describe.skipIf(!pgUp)("scale-out (switchyard server + switchyard worker on Postgres)", () => {
  it("the server enqueues the due sync and a worker runs it", async () => {
    const database = await createTestDatabase();
    const world = await openScaleOutWorld(database.url);
    const emulator = await startEmulator(providerWithEmulator("hubspot"), {
      seed: 3,
      records: 5,
      unlimited: true,
    });
    try {
      const workspace = {
        dataDir: world.dataDir,
        store: world.store,
        vault: loadVault({ dataDir: world.dataDir }),
        warehousePath: join(world.dataDir, "warehouse.duckdb"),
        close: async () => undefined,
      };
      const connection = await upsertConnection(workspace, {
        environment: "dev",
        provider: "hubspot",
        endUserId: "retl-scheduled",
        credentials: emulator.credentials,
        config: { baseUrl: emulator.url },
      });
      // The model's table, in the data directory's DuckDB file that the server and the worker read.
      await onWarehouseFile(workspace.warehousePath, (duck) =>
        duck.run(
          `CREATE TABLE people AS SELECT i AS id, 'p' || i || '@scheduled.example' AS email,
           'Name' || i AS first_name, '${connection.id}' AS _connection_id FROM range(1, 41) t(i)`,
        ),
      );
      const deps = {
        db: world.store.db,
        vault: workspace.vault,
        providers,
        mappers: unifiedMappers,
        writers: unifiedWriters,
        warehouse: { path: workspace.warehousePath },
      };
      const env = connection.environment_id;
      const model = await createModel(deps, env, {
        name: "people",
        sql: "SELECT id, email, first_name FROM people",
        primary_key: "id",
      });
      const sync = await createReverseEtlSync(
        deps,
        env,
        syncInput.parse({
          model_id: model.id,
          connection_id: connection.id,
          target: { type: "actions", create: "create_contact", update: "update_contact" },
          mapping: [
            { column: "email", field: "properties.email" },
            { column: "first_name", field: "properties.firstname" },
          ],
          frequency: "1h",
        }),
      );
      const server = world.startCli(["server", "--port", "0"]);
      const worker = world.startWorker();
      await world.until("the server and the worker to start", async () =>
        server.output().includes("is listening") && worker.output().includes("is taking sync jobs")
          ? true
          : undefined,
      );
      const runsOfSync = () =>
        retlDb(world.store.db).selectFrom("retl_runs").selectAll().where("sync_id", "=", sync.id).execute();
      // Not due for an hour: nothing runs it.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(await runsOfSync()).toEqual([]);

      // Its slot comes: the server's dispatcher enqueues it, the worker runs it.
      await retlDb(world.store.db)
        .updateTable("retl_syncs")
        .set({ next_run_at: new Date(Date.now() - 1000).toISOString() })
        .where("id", "=", sync.id)
        .execute();
      const run = await world.until(
        "the scheduled run to finish",
        async () => (await runsOfSync()).find((r) => r.status !== "running"),
        60_000,
      );
      expect(run.status, `${run.error}\n${worker.output()}`).toBe("succeeded");
      expect(JSON.parse(run.stats)).toMatchObject({ added: 40, created: 40, failed: 0 });
      expect(worker.output()).toContain(`Reverse-ETL sync ${sync.id}: run ${run.id} succeeded`);
      // The next slot is an hour on.
      const after = await retlDb(world.store.db)
        .selectFrom("retl_syncs")
        .select("next_run_at")
        .where("id", "=", sync.id)
        .executeTakeFirstOrThrow();
      expect(Date.parse(after.next_run_at!)).toBeGreaterThan(Date.now() + 50 * 60_000);

      const written = [...(await emulator.truth("contacts")).live.values()].filter((c) =>
        String(c.email ?? "").endsWith("@scheduled.example"),
      );
      expect(written).toHaveLength(40);
      expect(written.find((c) => c.email === "p7@scheduled.example")?.firstname).toBe("Name7");

      // Embedded reverse ETL too: a push makes its syncs due, the server enqueues them, the worker runs them.
      await createSource(deps, env, { name: "product-users", kind: "api", primary_key: "id" });
      const embedded = await createEmbeddedSync(
        deps,
        env,
        embeddedSyncInput.parse({
          source: "product-users",
          model: "Contact",
          mapping: [
            { column: "name", field: "first_name" },
            { column: "email", field: "email_addresses.0.email_address" },
          ],
        }),
      );
      await pushRecords(deps, env, "product-users", {
        records: [1, 2, 3].map((i) => ({ id: i, name: `User${i}`, email: `u${i}@embedded.example` })),
        deletes: [],
      });
      await world.until(
        "the pushed records to reach HubSpot through the worker",
        async () => {
          const live = [...(await emulator.truth("contacts")).live.values()];
          return live.filter((c) => String(c.email ?? "").endsWith("@embedded.example")).length === 3
            ? true
            : undefined;
        },
        60_000,
      );
      // The worker logs the run once its bookkeeping is done, just after the writes.
      const line = await world.until("the worker to log the embedded run", async () =>
        worker
          .output()
          .split("\n")
          .find((l) => l.startsWith(`Embedded sync ${embedded.id}`)),
      );
      expect(line).toContain(`Embedded sync ${embedded.id} succeeded`);
    } finally {
      await world.close();
      await emulator.close();
      await database.drop();
    }
  }, 180_000);
});
