/**
 * Flow triggers in a scale-out deployment (real `switchyard server` and `switchyard worker` processes on a
 * Postgres the test owns): a scheduled flow, HubSpot contacts into Salesforce contacts, is not run before its
 * slot; when its slot comes the server enqueues it and the worker runs it, checked on Salesforce's emulator.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { upsertConnection } from "../../src/app/connections/connections.ts";
import { createFlow } from "../../src/app/flows/flows.ts";
import { syncConnection } from "../../src/app/syncs/sync-connection.ts";
import { flowInput } from "../../src/flows/app-to-app/definitions.ts";
import { flowDb } from "../../src/flows/app-to-app/store.ts";
import { providers } from "../../src/providers/registry.ts";
import { unifiedMappers } from "../../src/providers/unified-mappers.ts";
import { unifiedWriters } from "../../src/providers/unified-writers.ts";
import { loadVault } from "../../src/vault/index.ts";
import { liveRows } from "../helpers/emulator-counts.ts";
import { providerWithEmulator, startEmulator } from "../helpers/emulators.ts";
import { createTestDatabase, postgresAvailable } from "../helpers/postgres.ts";
import { openScaleOutWorld } from "../helpers/scale-out-world.ts";

const pgUp = await postgresAvailable();

describe.skipIf(!pgUp)("flows in scale-out (switchyard server + switchyard worker on Postgres)", () => {
  it("the server enqueues the due flow and a worker runs it", async () => {
    const database = await createTestDatabase();
    const world = await openScaleOutWorld(database.url);
    const hs = await startEmulator(providerWithEmulator("hubspot"), {
      seed: 71,
      records: 12,
      unlimited: true,
    });
    const sf = await startEmulator(providerWithEmulator("salesforce"), {
      seed: 72,
      records: 3,
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
      const connect = (emulator: typeof hs, provider: string) =>
        upsertConnection(workspace, {
          environment: "dev",
          provider,
          endUserId: "flows-scale-out",
          credentials: emulator.credentials,
          config: { baseUrl: emulator.url },
        });
      const from = await connect(hs, "hubspot");
      const to = await connect(sf, "salesforce");
      const synced = await syncConnection(
        { store: world.store, vault: workspace.vault, providers },
        from.id,
        {
          streams: ["contacts"],
        },
      );
      expect(synced.status).toBe("succeeded");
      const deps = {
        db: world.store.db,
        vault: workspace.vault,
        providers,
        mappers: unifiedMappers,
        writers: unifiedWriters,
      };
      const flow = await createFlow(
        deps,
        from.environment_id,
        flowInput.parse({
          name: "scheduled-into-salesforce",
          from: { connection_id: from.id, stream: "contacts" },
          to: {
            connection_id: to.id,
            stream: "contacts",
            target: { type: "actions", create: "create_contact", update: "update_contact", id_field: "Id" },
          },
          mapping: [
            { from: "lastname", to: "LastName", transforms: [{ op: "default", value: "(unknown)" }] },
            { from: "email", to: "Email" },
          ],
          schedule: "1h",
        }),
      );
      const server = world.startCli(["server", "--port", "0"]);
      const worker = world.startWorker();
      await world.until("the server and the worker to start", async () =>
        server.output().includes("is listening") && worker.output().includes("is taking sync jobs")
          ? true
          : undefined,
      );
      const db = flowDb(world.store.db);
      const runsOfFlow = () =>
        db.selectFrom("flow_runs").selectAll().where("flow_id", "=", flow.id).execute();
      // Not due for an hour: nothing runs it.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect(await runsOfFlow()).toEqual([]);

      // Its slot comes: the server enqueues a flow.run job, the worker runs it.
      await db
        .updateTable("flows")
        .set({ next_run_at: new Date(Date.now() - 1000).toISOString() })
        .where("id", "=", flow.id)
        .execute();
      const run = await world.until(
        "the scheduled flow run to finish",
        async () => (await runsOfFlow()).find((r) => r.status !== "running"),
        90_000,
      );
      expect(run.status, `${run.error}\n${worker.output()}\n${server.output()}`).toBe("succeeded");
      expect(run.trigger).toBe("schedule");
      const contacts = (await hs.truth("contacts")).live;
      expect(JSON.parse(run.counts)).toMatchObject({ created: contacts.size, failed: 0 });
      const emails = new Set((await liveRows(sf.url, "Contact")).map((c) => c.Email));
      for (const contact of contacts.values())
        if (contact.email) expect(emails.has(contact.email)).toBe(true);
      const after = await db
        .selectFrom("flows")
        .select("next_run_at")
        .where("id", "=", flow.id)
        .executeTakeFirstOrThrow();
      expect(Date.parse(after.next_run_at!)).toBeGreaterThan(Date.now() + 50 * 60_000);
    } finally {
      await world.close();
      await hs.close();
      await sf.close();
      await database.drop();
    }
  }, 240_000);
});
