/**
 * Association changes reach both stores in one incremental sync. HubSpot does not move a contact's or a
 * deal's modification time when its company is archived or when it is associated with another company, so
 * a search on `lastmodifieddate` never sees those changes. For a few seeds: a full sync, then rounds of a
 * random mix of creates, updates, archives and association changes, each followed by ONE incremental sync
 * after which the records cache and DuckDB must both equal the emulator's ground truth.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createDuckDbDestination, type DuckDbDestination } from "../../src/destinations/duckdb/index.ts";
import { runSync } from "../../src/engine/index.ts";
import {
  type HubSpotEmulator,
  type MutationRequest,
  type ObjectTypeName,
  startHubSpotEmulator,
} from "../../src/providers/hubspot/emulator/index.ts";
import { hubspot } from "../../src/providers/hubspot/index.ts";
import { cacheDigest, truthDigest, warehouseDigest } from "../../src/providers/hubspot/test-truth.ts";
import { createConnection, ensureEnvironment } from "../../src/store/index.ts";
import { openTempStore } from "../helpers/temp-store.ts";

const STREAMS = [
  ["contacts", "hubspot_contacts"],
  ["companies", "hubspot_companies"],
  ["deals", "hubspot_deals"],
] as const;

/** A small seeded generator (mulberry32), so each seed's mix of changes is the same on every run. */
function randomFrom(seed: number): (below: number) => number {
  let a = seed >>> 0;
  return (below) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4_294_967_296) * below);
  };
}

/** One round of changes: each kind of change is left out now and then, so rounds differ in shape. */
function randomChanges(random: (below: number) => number): MutationRequest[] {
  const some = (most: number) => (random(4) === 0 ? 0 : random(most + 1));
  const requests: MutationRequest[] = [
    { type: "companies", updates: some(4), archives: some(5), creates: some(3) },
    { type: "contacts", updates: some(15), archives: some(6), creates: some(8), reassociations: some(20) },
    { type: "deals", updates: some(10), archives: some(4), creates: some(6), reassociations: some(15) },
  ];
  // The order of object types matters (a contact may be moved to a company created in the same round).
  return random(2) === 0 ? requests : [requests[1]!, requests[0]!, requests[2]!];
}

const open: { emulator: HubSpotEmulator; warehouse: DuckDbDestination; cleanup: () => Promise<void> }[] = [];
afterEach(async () => {
  for (const { emulator, warehouse, cleanup } of open.splice(0)) {
    await warehouse.close();
    await cleanup();
    await emulator.close();
  }
});

async function world(seed: number) {
  const emulator = await startHubSpotEmulator({
    seed,
    counts: { contacts: 400, companies: 40, deals: 150 },
    rateLimit: { maxPerInterval: 1_000_000, searchPerSecond: 1_000_000, daily: 100_000_000 },
  });
  const { store, cleanup, dir } = await openTempStore();
  const warehouse = await createDuckDbDestination({ path: `${dir}/warehouse.duckdb` });
  open.push({ emulator, warehouse, cleanup });
  const env = await ensureEnvironment(store.db, "test");
  const { id: connectionId } = await createConnection(store.db, {
    environmentId: env.id,
    provider: "hubspot",
    sealedCredentials: "x",
  });
  const sync = async () => {
    const run = await runSync({
      store,
      provider: hubspot,
      connection: {
        id: connectionId,
        credentials: { type: "bearer", token: emulator.tokens[0]! },
        baseUrl: emulator.url,
        // The emulator listens on loopback.
        allowPrivateAddresses: true,
      },
      destinations: [warehouse],
      // The objects whose associations change (owners, read whole every time, would re-read something).
      streams: STREAMS.map(([stream]) => stream),
    });
    expect(run.error, JSON.stringify(run.error)).toBeNull();
    return run;
  };
  return { emulator, store, warehouse, connectionId, sync };
}

async function expectBothStoresEqualTruth(w: Awaited<ReturnType<typeof world>>, when: string) {
  for (const [stream, table] of STREAMS) {
    const truth = truthDigest(w.emulator, stream as ObjectTypeName);
    expect(await cacheDigest(w.store.db, w.connectionId, stream), `${when}: records cache ${stream}`).toEqual(
      truth,
    );
    expect(await warehouseDigest(w.warehouse, table, w.connectionId), `${when}: DuckDB ${stream}`).toEqual({
      ...truth,
      duplicateKeys: 0,
    });
  }
}

describe("HubSpot association changes", () => {
  it("takes the full sync's baseline from what it listed: with nothing changed, the next sync re-reads nothing", async () => {
    const w = await world(4);
    // Archived records and companies before the full sync: their associations are gone on both sides.
    w.emulator.mutate({ type: "companies", archives: 4 });
    w.emulator.mutate({ type: "contacts", archives: 10, reassociations: 10 });
    await w.sync();
    const next = await w.sync();
    expect(next.stats).toMatchObject({
      recordsAdded: 0,
      recordsUpdated: 0,
      recordsUnchanged: 0,
      recordsDeleted: 0,
    });
    await expectBothStoresEqualTruth(w, "after a sync with nothing changed");
  });

  it("reaches both stores when companies are archived, in one incremental sync", async () => {
    const w = await world(5);
    await w.sync();
    const archived = w.emulator.mutate({ type: "companies", archives: 6 });
    expect(archived.archived).toHaveLength(6);
    await w.sync();
    await expectBothStoresEqualTruth(w, "after archiving companies");
  });

  it("reaches both stores when records move to another company or to none, in one incremental sync", async () => {
    const w = await world(6);
    await w.sync();
    const before = w.emulator.groundTruth("contacts").records.map((record) => record.updatedAt);
    const moved = w.emulator.mutate({ type: "contacts", reassociations: 25 });
    w.emulator.mutate({ type: "deals", reassociations: 10 });
    // As in HubSpot: associating records leaves their modification time alone.
    expect(w.emulator.groundTruth("contacts").records.map((record) => record.updatedAt)).toEqual(before);
    expect(moved.reassociated).toHaveLength(25);
    await w.sync();
    await expectBothStoresEqualTruth(w, "after reassociating");
  });

  it("reaches both stores when associations are written through HubSpot's v4 API, from either side", async () => {
    const w = await world(7);
    await w.sync();
    const api = async (method: "PUT" | "DELETE", path: string) => {
      const response = await fetch(`${w.emulator.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${w.emulator.tokens[0]}` },
      });
      expect(response.status, `${method} ${path}`).toBeLessThan(300);
    };
    const contacts = w.emulator.groundTruth("contacts").records;
    const deals = w.emulator.groundTruth("deals").records;
    const [company, other] = w.emulator.groundTruth("companies").records;
    const companyOf = (record: (typeof contacts)[number]) => record.associations?.companies?.results[0]?.id;
    // A contact joins a company; a company takes a deal (written from the company's side).
    await api(
      "PUT",
      `/crm/v4/objects/contacts/${contacts[3]!.id}/associations/default/companies/${other!.id}`,
    );
    await api("PUT", `/crm/v4/objects/companies/${company!.id}/associations/default/deals/${deals[5]!.id}`);
    // A contact and a deal leave their companies.
    const leaving = contacts.find((record) => companyOf(record) !== undefined)!;
    await api(
      "DELETE",
      `/crm/v4/objects/contacts/${leaving.id}/associations/companies/${companyOf(leaving)}`,
    );
    const dealLeaving = deals[9]!;
    await api(
      "DELETE",
      `/crm/v4/objects/deals/${dealLeaving.id}/associations/companies/${companyOf(dealLeaving)}`,
    );
    expect(w.emulator.groundTruth("contacts").records.map((record) => record.updatedAt)).toEqual(
      contacts.map((record) => record.updatedAt),
    );
    await w.sync();
    await expectBothStoresEqualTruth(w, "after association writes through the API");
  });

  for (const seed of [21, 22, 23]) {
    it(`leaves both stores equal to the truth after each round of random changes (seed ${seed})`, async () => {
      const w = await world(seed);
      await w.sync();
      await expectBothStoresEqualTruth(w, "after the first sync");
      const random = randomFrom(seed);
      for (let round = 1; round <= 3; round++) {
        for (const request of randomChanges(random)) w.emulator.mutate(request);
        await w.sync();
        await expectBothStoresEqualTruth(w, `round ${round}`);
      }
    });
  }
});
