/**
 * sObject Collections through jsforce, which sends arrays to `/composite/sobjects` (create, update, delete
 * from API 42.0, upsert from 46.0): SaveResults per record in order, one refused record not blocking the
 * rest, allOrNone rolling every record back, the 200-record limit, and upsert by Id or an External ID field
 * creating or updating.
 */
import jsforce from "jsforce";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SalesforceEmulator, startSalesforceEmulator } from "./index.ts";

let emulator: SalesforceEmulator;
let conn: jsforce.Connection;

beforeAll(async () => {
  emulator = await startSalesforceEmulator({
    seed: 5,
    size: { accounts: 5, contacts: 5, opportunities: 5, users: 2 },
  });
  conn = new jsforce.Connection({
    instanceUrl: emulator.url,
    accessToken: emulator.tokens[0]!,
    version: "62.0",
  });
});
afterAll(() => emulator.close());

const liveContacts = () => emulator.groundTruth("Contact").live;
const byId = (id: string) => liveContacts().find((record) => record.Id === id);

describe("sObject Collections", () => {
  it("creates many in one request; a refused record gets Salesforce's error and the rest are written", async () => {
    const before = liveContacts().length;
    const results = await conn
      .sobject("Contact")
      .create([
        { LastName: "Lovelace", Email: "ada@example.com" },
        { FirstName: "No last name" },
        { LastName: "x".repeat(81) },
        { LastName: "Babbage" },
      ]);
    expect(results).toHaveLength(4);
    expect(results[0]).toMatchObject({ success: true, errors: [] });
    expect(results[1]).toEqual({
      success: false,
      errors: [
        {
          statusCode: "REQUIRED_FIELD_MISSING",
          message: "Required fields are missing: [LastName]",
          fields: ["LastName"],
        },
      ],
    });
    expect(results[2]).toMatchObject({ success: false, errors: [{ statusCode: "STRING_TOO_LONG" }] });
    expect(results[3]).toMatchObject({ success: true });
    expect(liveContacts()).toHaveLength(before + 2);
    expect(byId(results[0]!.id!)).toMatchObject({ LastName: "Lovelace", Email: "ada@example.com" });
    expect(byId(results[3]!.id!)).toMatchObject({ LastName: "Babbage" });
  });

  it("with allOrNone, one refused record rolls every record back", async () => {
    const before = liveContacts().length;
    const results = await conn
      .sobject("Contact")
      .create([{ LastName: "Kept?" }, { Email: "no-last-name@example.com" }], { allOrNone: true });
    expect(results[0]).toMatchObject({
      success: false,
      errors: [{ statusCode: "ALL_OR_NONE_OPERATION_ROLLED_BACK" }],
    });
    expect(results[1]).toMatchObject({ success: false, errors: [{ statusCode: "REQUIRED_FIELD_MISSING" }] });
    expect(liveContacts()).toHaveLength(before);
  });

  it("updates and deletes many, each record answered by its id", async () => {
    const [a, b] = await conn.sobject("Contact").create([{ LastName: "A" }, { LastName: "B" }]);
    const updated = await conn.sobject("Contact").update([
      { Id: a!.id!, Title: "First" },
      { Id: b!.id!, Email: "not an email", LastName: null },
      { Id: "003000000000000AAA", Title: "Nobody" },
    ]);
    expect(updated[0]).toEqual({ id: a!.id, success: true, errors: [] });
    expect(updated[1]).toMatchObject({
      id: b!.id,
      success: false,
      errors: [{ statusCode: "REQUIRED_FIELD_MISSING" }],
    });
    expect(updated[2]).toMatchObject({ success: false, errors: [{ statusCode: "NOT_FOUND" }] });
    expect(byId(a!.id!)).toMatchObject({ Title: "First" });
    expect(byId(b!.id!)).toMatchObject({ LastName: "B" });

    const deleted = await conn.sobject("Contact").destroy([a!.id!, b!.id!]);
    expect(deleted).toEqual([
      { id: a!.id, success: true, errors: [] },
      { id: b!.id, success: true, errors: [] },
    ]);
    const again = await conn.sobject("Contact").destroy([a!.id!, b!.id!]);
    expect(again[0]).toMatchObject({ success: false, errors: [{ statusCode: "ENTITY_IS_DELETED" }] });
    expect(byId(a!.id!)).toBeUndefined();
  });

  it("upserts by Id: a live id is updated, and a field that is no external id is refused", async () => {
    const [made] = await conn.sobject("Contact").create([{ LastName: "Upsert" }]);
    const results = await conn.sobject("Contact").upsert([{ Id: made!.id!, Title: "Updated" }], "Id");
    expect(results).toEqual([{ id: made!.id, success: true, errors: [], created: false }]);
    expect(byId(made!.id!)).toMatchObject({ LastName: "Upsert", Title: "Updated" });
    await expect(
      conn.sobject("Contact").upsert([{ Email: "e@example.com", LastName: "E" }], "Email"),
    ).rejects.toMatchObject({ errorCode: "INVALID_FIELD" });
  });

  it("upserts by an External ID field: created, then updated (case-insensitively); a repeated or ambiguous key refused per record", async () => {
    const contacts = conn.sobject("Contact");
    const first = await contacts.upsert(
      [
        { Customer_Key__c: "K-1", LastName: "One" },
        { Customer_Key__c: "K-2", LastName: "Two" },
      ],
      "Customer_Key__c",
    );
    expect(first.map((r) => [r.success, r.created])).toEqual([
      [true, true],
      [true, true],
    ]);
    const again = await contacts.upsert(
      [
        { Customer_Key__c: "k-1", LastName: "One again" },
        { Customer_Key__c: "K-3", LastName: "Three" },
        { Customer_Key__c: "K-3", LastName: "Three twice" },
      ],
      "Customer_Key__c",
    );
    expect(again[0]).toEqual({ id: first[0]!.id, success: true, errors: [], created: false });
    expect(byId(first[0]!.id!)).toMatchObject({ LastName: "One again", Customer_Key__c: "k-1" });
    for (const refused of again.slice(1))
      expect(refused).toMatchObject({ success: false, errors: [{ statusCode: "DUPLICATE_EXTERNAL_ID" }] });
    expect(liveContacts().filter((c) => String(c.Customer_Key__c).toLowerCase() === "k-3")).toEqual([]);
    // Two records holding a key (an update gave the second one K-2 too): an upsert on it matches neither.
    const [other] = await contacts.create([{ LastName: "Other" }]);
    await contacts.update([{ Id: other!.id!, Customer_Key__c: "K-2" }]);
    const [ambiguous] = await contacts.upsert([{ Customer_Key__c: "K-2", LastName: "?" }], "Customer_Key__c");
    expect(ambiguous).toMatchObject({ success: false, errors: [{ statusCode: "DUPLICATE_EXTERNAL_ID" }] });
    expect(byId(first[1]!.id!)).toMatchObject({ LastName: "Two" });
  });

  it("refuses more than 200 records as a whole", async () => {
    const records = Array.from({ length: 201 }, (_, i) => ({ LastName: `N${i}` }));
    const before = liveContacts().length;
    await expect(conn.sobject("Contact").create(records)).rejects.toMatchObject({
      errorCode: "EXCEEDED_ID_LIMIT",
    });
    expect(liveContacts()).toHaveLength(before);
  });
});
