import { describe, expect, it } from "vitest";
import { startHubSpotEmulator } from "../../src/providers/hubspot/emulator/index.ts";
import { dealPipelines } from "../../src/providers/hubspot/emulator/pipelines.ts";
import { hubspot } from "../../src/providers/hubspot/index.ts";
import { cacheDigest, truthDigest, warehouseDigest } from "../../src/providers/hubspot/test-truth.ts";
import { emulatorSyncWorld } from "../helpers/emulator-sync.ts";

const STREAMS = [
  ["contacts", "hubspot_contacts"],
  ["companies", "hubspot_companies"],
  ["deals", "hubspot_deals"],
] as const;

const world = emulatorSyncWorld({
  provider: hubspot,
  start: () =>
    startHubSpotEmulator({
      seed: 11,
      counts: { contacts: 1_500, companies: 300, deals: 400 },
      rateLimit: { maxPerInterval: 100_000 },
      faults: { rate429: 0.1, rate5xx: 0.05, dropRate: 0.01 },
    }),
  // Short waits keep the test fast; long enough to ride out the search API's per-second limit.
  http: { maxAttempts: 10, retryDelay: { baseMs: 20, maxMs: 1_000 } },
});
const sync = world.sync;

async function expectExactlyTheEmulatorsData() {
  for (const [stream, table] of STREAMS) {
    const truth = truthDigest(world.emulator, stream);
    expect(await cacheDigest(world.store.db, world.connectionId, stream), `records cache: ${stream}`).toEqual(
      truth,
    );
    expect(await warehouseDigest(world.warehouse, table, world.connectionId), `DuckDB: ${stream}`).toEqual({
      ...truth,
      duplicateKeys: 0,
    });
  }
}

/** The stages of the emulator's deal pipelines: the deal_stages stream's records. */
const dealStages = dealPipelines().reduce((count, pipeline) => count + pipeline.stages.length, 0);

describe("HubSpot sync against the emulator", () => {
  it("lands exactly the emulator's dataset despite 429s, 5xx and dropped connections", async () => {
    const run = await sync();
    expect(run.error, JSON.stringify(run.error)).toBeNull();
    expect(run.status).toBe("succeeded");
    // The CRM objects, the account's active owners (deactivated ones land as deleted) and its deal stages.
    const activeOwners = world.emulator.owners().filter((owner) => !owner.archived).length;
    expect(run.stats.recordsAdded).toBe(1_500 + 300 + 400 + activeOwners + dealStages);
    // The faults really happened and were retried.
    expect(run.stats.retries).toBeGreaterThan(0);
    await expectExactlyTheEmulatorsData();
  });

  it("picks up exactly the changes and archives made since, incrementally", async () => {
    world.emulator.setFaults({ rate429: 0, rate5xx: 0, dropRate: 0 });
    const contacts = world.emulator.mutate({ type: "contacts", updates: 40, archives: 7, creates: 12 });
    const companies = world.emulator.mutate({ type: "companies", updates: 5 });
    const deals = world.emulator.mutate({ type: "deals", archives: 3 });

    const run = await sync();
    expect(run.status).toBe("succeeded");
    expect(run.stats).toMatchObject({
      recordsAdded: contacts.created.length,
      recordsUpdated: contacts.updated.length + companies.updated.length,
      recordsDeleted: contacts.archived.length + deals.archived.length,
    });
    await expectExactlyTheEmulatorsData();
    const [archived] = await world.warehouse.query(
      `SELECT count(*)::INTEGER AS n FROM hubspot_contacts WHERE _deleted AND id IN (${contacts.archived.map((id) => `'${id}'`).join(",")})`,
    );
    expect(archived?.n).toBe(7);
  });

  it("adds a column when the provider adds a property, and a full refresh finds nothing else changed", async () => {
    world.emulator.addProperty("contacts", {
      name: "favorite_color",
      label: "Favorite color",
      type: "string",
      fieldType: "text",
    });
    // Someone fills the new property in on one contact, through HubSpot's own API.
    const [someone] = world.emulator.groundTruth("contacts").records;
    const patched = await fetch(`${world.emulator.url}/crm/v3/objects/contacts/${someone!.id}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${world.emulator.tokens[0]}`, "content-type": "application/json" },
      body: JSON.stringify({ properties: { favorite_color: "teal" } }),
    });
    expect(patched.status).toBe(200);
    const run = await sync({ fullRefresh: true });
    expect(run.error, JSON.stringify(run.error)).toBeNull();
    // Every contact gained the (empty) property, archived ones included; companies, deals, owners and deal
    // stages did not change; nothing was deleted by the diff.
    expect(run.stats).toMatchObject({
      recordsAdded: 0,
      recordsDeleted: 0,
      recordsUpdated: 1_505 + 7,
      recordsUnchanged: 300 + 400 + world.emulator.owners().length + dealStages,
    });
    const columns = await world.warehouse.query(
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'hubspot_contacts'",
    );
    expect(columns.map((c) => c.column_name)).toContain("favorite_color");
    const [teal] = await world.warehouse.query(
      `SELECT favorite_color FROM hubspot_contacts WHERE id = '${someone!.id}'`,
    );
    expect(teal?.favorite_color).toBe("teal");
    await expectExactlyTheEmulatorsData();
  });
});
