/**
 * The Salesforce connector against its emulator, end to end through runSync: a full sync lands exactly
 * the org's live records (custom fields typed and included) in the records cache and DuckDB, riding out
 * Salesforce's 403 REQUEST_LIMIT_EXCEEDED (the rate-limit fault) like a 429; after the
 * org changes (updates, creations, deletes) an incremental run lands exactly the org again, deletes
 * flagged through queryAll's IsDeleted.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { recordsProcessed } from "../../src/core/index.ts";
import { type ObjectName, startSalesforceEmulator } from "../../src/providers/salesforce/emulator/index.ts";
import { SOBJECTS, salesforce } from "../../src/providers/salesforce/index.ts";
import { listRecords } from "../../src/store/index.ts";
import { emulatorSyncWorld } from "../helpers/emulator-sync.ts";

const size = { accounts: 80, contacts: 700, opportunities: 150, users: 9 };
const world = emulatorSyncWorld({
  provider: salesforce,
  start: () =>
    startSalesforceEmulator({ seed: 5, size, faults: { rate429: 0.05, rate5xx: 0.05, dropRate: 0.01 } }),
  http: { maxAttempts: 10, retryDelay: { baseMs: 10, maxMs: 200 } },
});
const sync = world.sync;

/** One line per record: id, modification time, name and the object's custom field. */
const CUSTOM: Record<ObjectName, string | undefined> = {
  Account: "Customer_Tier__c",
  Contact: "Preferred_Channel__c",
  Opportunity: "Renewal__c",
  User: undefined,
  OpportunityStage: undefined,
};
/** The field that names a record (stages have no Name: their label is MasterLabel). */
const nameOf = (object: ObjectName) => (object === "OpportunityStage" ? "MasterLabel" : "Name");
function line(object: ObjectName, record: Record<string, unknown>): string {
  const custom = CUSTOM[object];
  return [
    record.Id,
    Date.parse(String(record.SystemModstamp)),
    record[nameOf(object)],
    custom ? String(record[custom]) : "",
  ].join("|");
}
function digest(lines: string[]) {
  lines.sort();
  return { count: lines.length, checksum: createHash("sha256").update(lines.join("\n")).digest("hex") };
}

async function expectExactlyTheOrg() {
  for (const spec of SOBJECTS) {
    const object = spec.object as ObjectName;
    const truth = digest(world.emulator.groundTruth(object).live.map((record) => line(object, record)));
    const cached = (
      await listRecords(world.store.db, world.connectionId, spec.stream, { limit: 100_000 })
    ).map((row) => line(object, JSON.parse(row.payload) as Record<string, unknown>));
    expect(digest(cached), `records cache: ${spec.stream}`).toEqual(truth);
    const custom = CUSTOM[object];
    const rows = await world.warehouse.query(
      `SELECT "Id", epoch_ms("SystemModstamp") AS ms, "${nameOf(object)}" AS "Name", ${custom ? `CAST("${custom}" AS VARCHAR)` : "''"} AS custom
         FROM salesforce_${spec.stream} WHERE _connection_id = $1 AND NOT _deleted`,
      [world.connectionId],
    );
    const warehoused = rows.map((row) =>
      [row.Id, Number(row.ms), row.Name, custom ? String(row.custom ?? null) : ""].join("|"),
    );
    expect(digest(warehoused), `DuckDB: ${spec.stream}`).toEqual(truth);
  }
}

describe("Salesforce sync against the emulator", () => {
  it("lands exactly the org's records, custom fields typed, despite REQUEST_LIMIT_EXCEEDED refusals, 5xx and dropped connections", async () => {
    const run = await sync();
    expect(run.error, JSON.stringify(run.error)).toBeNull();
    expect(run.status).toBe("succeeded");
    // …and Salesforce's 7 default opportunity stages.
    expect(run.stats.recordsAdded).toBe(size.accounts + size.contacts + size.opportunities + size.users + 7);
    expect(run.stats.retries).toBeGreaterThan(0);
    await expectExactlyTheOrg();
    const [row] = await world.warehouse.query(
      `SELECT typeof("Renewal__c") AS renewal, typeof("Amount") AS amount, typeof("CloseDate") AS close FROM salesforce_opportunities LIMIT 1`,
    );
    expect(row).toEqual({ renewal: "BOOLEAN", amount: "DOUBLE", close: expect.stringMatching(/TIMESTAMP/) });
  });

  it("picks up the org's updates, creations and deletes incrementally, deletes through IsDeleted", async () => {
    world.emulator.setFaults({ rate429: 0, rate5xx: 0, dropRate: 0 });
    const contacts = world.emulator.change({ object: "Contact", updates: 30, creates: 9, deletes: 6 });
    const accounts = world.emulator.change({ object: "Account", updates: 4, deletes: 2 });
    const users = world.emulator.change({ object: "User", updates: 2 });
    const run = await sync();
    expect(run.error, JSON.stringify(run.error)).toBeNull();
    expect(run.stats).toMatchObject({
      recordsAdded: contacts.created.length,
      recordsDeleted: contacts.deleted.length + accounts.deleted.length,
    });
    expect(run.stats.recordsUpdated).toBeGreaterThanOrEqual(
      contacts.updated.length + accounts.updated.length + users.updated.length,
    );
    await expectExactlyTheOrg();
    const deleted = await world.warehouse.query(
      `SELECT count(*)::INTEGER AS n FROM salesforce_contacts WHERE _deleted AND "IsDeleted" AND "Id" IN (${contacts.deleted.map((id) => `'${id}'`).join(",")})`,
    );
    expect(deleted[0]?.n).toBe(6);
  });

  it("reads only what changed: the incremental query asks queryAll for SystemModstamp since the mark", async () => {
    const before = world.emulator.state().requests as Record<string, number>;
    world.emulator.change({ object: "Opportunity", updates: 3 });
    const run = await sync();
    expect(run.status).toBe("succeeded");
    const after = world.emulator.state().requests as Record<string, number>;
    const queryAll = "GET /services/data/:version/queryAll";
    expect((after[queryAll] ?? 0) - (before[queryAll] ?? 0)).toBe(3);
    // The call count alone would pass for a full re-read too (each object fits one page): count the records,
    // the 3 updates and what the lookback re-reads of the previous test's changes, far from a full read.
    expect(recordsProcessed(run.stats)).toBeGreaterThanOrEqual(3);
    expect(recordsProcessed(run.stats)).toBeLessThan(size.accounts + size.contacts + size.opportunities);
    await expectExactlyTheOrg();
  });
});
