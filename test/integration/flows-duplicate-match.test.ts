/**
 * A flow whose target creates by upsert on a natural key (HubSpot's contacts, by email) answers a create
 * with a record the flow has already linked when two source records share that key. One record links to
 * one: the second source record is failed with why and kept for a retry, the run goes on and the link table
 * stays whole (before, the link's unique key broke the whole run).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { runAction } from "../../src/app/actions/run-action.ts";
import { syncConnection } from "../../src/app/syncs/sync-connection.ts";
import type { EmulatorHandle } from "../../src/core/index.ts";
import { unifiedMappers } from "../../src/providers/unified-mappers.ts";
import { unifiedWriters } from "../../src/providers/unified-writers.ts";
import { type Harness, startHarness } from "../../src/server/test-harness.ts";
import { type ConnectionRow, getConnection } from "../../src/store/index.ts";
import { providerWithEmulator, startEmulator } from "../helpers/emulators.ts";

const hubspot = providerWithEmulator("hubspot");
const salesforce = providerWithEmulator("salesforce");

let h: Harness;
let hs: EmulatorHandle;
let sf: EmulatorHandle;
let hsConn: ConnectionRow;
let sfConn: ConnectionRow;

async function connect(emulator: EmulatorHandle, provider: string): Promise<ConnectionRow> {
  const created = await h.dev.post("/v1/connections", {
    body: {
      provider,
      credentials: emulator.credentials as never,
      end_user: { id: "customer-duplicates" },
      config: { base_url: emulator.url },
    },
  });
  return getConnection(h.store.db, created.id);
}

async function syncSalesforceContacts(): Promise<void> {
  const deps = { store: h.store, vault: h.deps.vault, providers: h.deps.providers };
  const run = await syncConnection(deps, sfConn.id, { streams: ["contacts"] });
  expect(run.status).toBe("succeeded");
}

async function createSalesforceContact(lastName: string, email: string): Promise<string> {
  const deps = { ...h.deps, mappers: unifiedMappers, writers: unifiedWriters };
  const output = (await runAction(deps, sfConn, "create_contact", { LastName: lastName, Email: email })) as {
    id: string;
  };
  return output.id;
}

beforeAll(async () => {
  hs = await startEmulator(hubspot, { seed: 71, records: 3, unlimited: true });
  sf = await startEmulator(salesforce, { seed: 72, records: 0, unlimited: true });
  h = await startHarness({ providers: { hubspot, salesforce }, rateLimit: false });
  hsConn = await connect(hs, "hubspot");
  sfConn = await connect(sf, "salesforce");
}, 120_000);

afterAll(async () => {
  await h?.close();
  await hs?.close();
  await sf?.close();
});

it("fails the second of two source records that match one target record, and runs on", async () => {
  const first = await createSalesforceContact("First", "same.person@example.test");
  await syncSalesforceContacts();
  const flow = await h.dev.post("/v1/flows", {
    body: {
      name: "salesforce-to-hubspot",
      from: { connection_id: sfConn.id, stream: "contacts" },
      to: {
        connection_id: hsConn.id,
        stream: "contacts",
        target: { type: "actions", create: "create_contact", update: "update_contact" },
      },
      mapping: [
        { from: "LastName", to: "properties.lastname" },
        { from: "Email", to: "properties.email" },
      ],
    } as never,
  });
  const one = await h.dev.post("/v1/flows/:id/run", { params: { id: flow.id } });
  expect(one).toMatchObject({ status: "succeeded", counts: { created: 1, failed: 0 } });

  const second = await createSalesforceContact("Second", "same.person@example.test");
  await syncSalesforceContacts();
  const two = await h.dev.post("/v1/flows/:id/run", { params: { id: flow.id } });
  expect(two).toMatchObject({ status: "partial", counts: { failed: 1 } });
  const rows = await h.dev.get("/v1/flows/:id/runs/:run_id/rows", {
    params: { id: flow.id, run_id: two.id },
    query: {},
  });
  const failed = rows.data.find((row) => row.status === "failed");
  expect(JSON.stringify(failed)).toContain(`already links to from record ${first}`);
  expect(JSON.stringify(failed)).toContain(second);

  const links = await h.store.db
    .withTables<{ flow_links: { flow_id: string; from_pk: string; to_pk: string } }>()
    .selectFrom("flow_links")
    .select(["from_pk", "to_pk"])
    .where("flow_id", "=", flow.id)
    .execute();
  expect(links.map((link) => link.from_pk)).toEqual([first]);
}, 180_000);
