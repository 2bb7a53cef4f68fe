/**
 * Fidelity bar: the official jsforce client, pointed at the emulator as its instance URL, queries (with
 * queryMore batches and autoFetch), queries deleted rows with queryAll, describes objects (custom fields
 * included), creates, retrieves, updates and deletes records, reads getDeleted / getUpdated and the API
 * usage, and raises Salesforce's errors with their codes.
 */
import jsforce from "jsforce";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SalesforceEmulator, startSalesforceEmulator } from "./index.ts";

const size = { accounts: 30, contacts: 450, opportunities: 40, users: 6 };
let emulator: SalesforceEmulator;
let conn: jsforce.Connection;

beforeAll(async () => {
  emulator = await startSalesforceEmulator({ seed: 3, size });
  conn = new jsforce.Connection({
    instanceUrl: emulator.url,
    accessToken: emulator.tokens[0]!,
    version: "62.0",
  });
});
afterAll(() => emulator.close());

describe("jsforce against the emulator", () => {
  it("runs a query and follows nextRecordsUrl with queryMore", async () => {
    const soql = "SELECT Id, FirstName, LastName, Email, Preferred_Channel__c FROM Contact ORDER BY Id";
    const first = await conn.query(soql, {
      autoFetch: false,
      headers: { "Sforce-Query-Options": "batchSize=200" },
    });
    expect(first.totalSize).toBe(size.contacts);
    expect(first.done).toBe(false);
    expect(first.records).toHaveLength(200);
    expect(first.nextRecordsUrl).toBe(
      `${emulator.url}/services/data/v62.0/query/${first.nextRecordsUrl!.split("/").pop()}`,
    );
    expect(first.nextRecordsUrl).toMatch(/\/query\/01g[0-9A-Za-z]{15}-200$/);
    const ids = first.records.map((record) => record.Id as string);
    let more = first;
    while (!more.done) {
      more = await conn.queryMore(more.nextRecordsUrl!);
      ids.push(...more.records.map((record) => record.Id as string));
    }
    expect(ids).toEqual(emulator.groundTruth("Contact").live.map((record) => record.Id));
    const record = first.records[0]!;
    expect(record.attributes).toEqual({
      type: "Contact",
      url: `/services/data/v62.0/sobjects/Contact/${record.Id}`,
    });
    expect(record.Id).toMatch(/^003[0-9A-Za-z]{15}$/);
    expect(Object.keys(record)).toEqual([
      "attributes",
      "Id",
      "FirstName",
      "LastName",
      "Email",
      "Preferred_Channel__c",
    ]);
  });

  it("fetches every batch with autoFetch, filtered on SystemModstamp and ordered", async () => {
    const since = "2025-06-01T00:00:00Z";
    const result = await conn.query(
      `SELECT Id, SystemModstamp FROM Contact WHERE SystemModstamp > ${since} ORDER BY SystemModstamp ASC`,
      { autoFetch: true, maxFetch: 10_000, headers: { "Sforce-Query-Options": "batchSize=200" } },
    );
    const expected = emulator
      .groundTruth("Contact")
      .live.filter((record) => Date.parse(String(record.SystemModstamp)) > Date.parse(since));
    expect(expected.length).toBeGreaterThan(0);
    expect(result.records.map((record) => record.Id).sort()).toEqual(
      expected.map((record) => record.Id).sort(),
    );
    const stamps = result.records.map((record) => Date.parse(record.SystemModstamp as string));
    expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
  });

  it("describes an object with its custom fields, types and compound address", async () => {
    const describe = await conn.sobject("Contact").describe();
    expect(describe.name).toBe("Contact");
    expect(describe.keyPrefix).toBe("003");
    const byName = new Map(describe.fields.map((field) => [field.name, field]));
    expect(byName.get("Preferred_Channel__c")).toMatchObject({ custom: true, type: "picklist" });
    expect(byName.get("SystemModstamp")).toMatchObject({ type: "datetime", createable: false });
    expect(byName.get("MailingAddress")).toMatchObject({ type: "address" });
    expect(byName.get("MailingCity")).toMatchObject({ compoundFieldName: "MailingAddress" });
    expect(byName.get("AccountId")).toMatchObject({ type: "reference", referenceTo: ["Account"] });
    const global = await conn.describeGlobal();
    expect(global.sobjects.map((object) => object.name).sort()).toEqual([
      "Account",
      "Contact",
      "Opportunity",
      "OpportunityStage",
      "User",
    ]);
  });

  it("creates, retrieves, updates and deletes a record; queryAll and getDeleted see the delete", async () => {
    const start = new Date(Date.parse(String(emulator.state().clock)) - 1000).toISOString();
    const created = await conn
      .sobject("Contact")
      .create({ LastName: "Hopper", FirstName: "Grace", Email: "grace@example.com" });
    expect(created.success).toBe(true);
    const id = created.id!;
    expect(id).toMatch(/^003[0-9A-Za-z]{15}$/);

    const fetched = await conn.sobject("Contact").retrieve(id);
    expect(fetched).toMatchObject({
      Id: id,
      Name: "Grace Hopper",
      Email: "grace@example.com",
      IsDeleted: false,
    });

    const updated = await conn
      .sobject("Contact")
      .update({ Id: id, Title: "Rear Admiral", Preferred_Channel__c: "Phone" });
    expect(updated).toMatchObject({ id, success: true });
    const [again] = (await conn.query(`SELECT Title, Preferred_Channel__c FROM Contact WHERE Id = '${id}'`))
      .records;
    expect(again).toMatchObject({ Title: "Rear Admiral", Preferred_Channel__c: "Phone" });

    const deleted = await conn.sobject("Contact").destroy(id);
    expect(deleted).toMatchObject({ id, success: true });
    const live = await conn.query(`SELECT Id FROM Contact WHERE Id = '${id}'`);
    expect(live.totalSize).toBe(0);
    const all = await conn.query(`SELECT Id, IsDeleted FROM Contact WHERE Id = '${id}'`, { scanAll: true });
    expect(all.records).toEqual([expect.objectContaining({ Id: id, IsDeleted: true })]);

    const end = new Date(Date.parse(String(emulator.state().clock)) + 1000).toISOString();
    const gone = await conn.sobject("Contact").deleted(start, end);
    expect(gone.deletedRecords.map((record) => record.id)).toEqual([id]);
    const changed = await conn.sobject("Contact").updated(start, end);
    expect(changed.ids).toEqual([]);
  });

  it("runs the SOQL jsforce's query builder writes: find with $in and $gt, sort, limit, and '*' from describe", async () => {
    const found = await conn
      .sobject("Opportunity")
      .find({ StageName: { $in: ["Closed Won", "Prospecting"] }, Amount: { $gt: 1000 } }, [
        "Id",
        "Amount",
        "StageName",
      ])
      .sort({ Amount: -1 })
      .limit(5);
    const expected = emulator
      .groundTruth("Opportunity")
      .live.filter(
        (record) =>
          ["Closed Won", "Prospecting"].includes(String(record.StageName)) && Number(record.Amount) > 1000,
      )
      .sort((a, b) => Number(b.Amount) - Number(a.Amount) || String(a.Id).localeCompare(String(b.Id)))
      .slice(0, 5);
    expect(found.map((record) => record.Amount)).toEqual(expected.map((record) => record.Amount));
    const everything = await conn.sobject("Account").find({}, "*").limit(1);
    expect(Object.keys(everything[0]!)).toEqual(
      expect.arrayContaining(["Customer_Tier__c", "BillingAddress", "SystemModstamp"]),
    );
    const limits = await conn.limits();
    expect(limits.DailyApiRequests?.Max).toBe(15_000);
  });

  it("counts with COUNT() and reports API usage from Sforce-Limit-Info", async () => {
    const count = await conn.sobject("Opportunity").count();
    expect(count).toBe(size.opportunities);
    expect(conn.limitInfo.apiUsage?.used).toBeGreaterThan(0);
    expect(conn.limitInfo.apiUsage?.limit).toBe(15_000);
  });

  it("raises Salesforce's error codes", async () => {
    await expect(conn.query("SELECT Id FROM Contact WHERE")).rejects.toMatchObject({
      errorCode: "MALFORMED_QUERY",
    });
    await expect(conn.query("SELECT Nope FROM Contact")).rejects.toMatchObject({
      errorCode: "INVALID_FIELD",
    });
    await expect(conn.query("SELECT Id FROM Widget__c")).rejects.toMatchObject({ errorCode: "INVALID_TYPE" });
    await expect(conn.sobject("Contact").create({ FirstName: "No last name" })).rejects.toMatchObject({
      errorCode: "REQUIRED_FIELD_MISSING",
    });
    await expect(conn.sobject("Account").retrieve("001000000000000AAA")).rejects.toMatchObject({
      errorCode: "NOT_FOUND",
    });
    // The opportunity stages are setup data: read, never written through the API.
    const stages = await conn.query<{ ApiName: string }>(
      "SELECT ApiName FROM OpportunityStage ORDER BY SortOrder",
    );
    expect(stages.records.map((stage) => stage.ApiName)).toContain("Closed Won");
    await expect(conn.sobject("OpportunityStage").create({ MasterLabel: "New" })).rejects.toMatchObject({
      errorCode: "INVALID_TYPE_FOR_OPERATION",
    });
    const stranger = new jsforce.Connection({
      instanceUrl: emulator.url,
      accessToken: "00Dnope!bad",
      version: "62.0",
    });
    await expect(stranger.query("SELECT Id FROM User")).rejects.toMatchObject({
      errorCode: "INVALID_SESSION_ID",
    });
  });
});
