/**
 * The official client's v4 association calls against the emulator: single and batch writes, reads per
 * record, and that every write shows in the emulator's ground truth and in v3 object reads.
 */
import type { Client } from "@hubspot/api-client";
import { AssociationSpecAssociationCategoryEnum } from "@hubspot/api-client/lib/codegen/crm/associations/v4/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HubSpotEmulator, startHubSpotEmulator } from "./index.ts";
import { officialClient } from "./testing.ts";

let emulator: HubSpotEmulator;
let client: Client;
const HUBSPOT_DEFINED = AssociationSpecAssociationCategoryEnum.HubspotDefined;

beforeAll(async () => {
  emulator = await startHubSpotEmulator({
    seed: 31,
    counts: { contacts: 80, companies: 12, deals: 40 },
    rateLimit: { maxPerInterval: 100_000, searchPerSecond: 1000 },
  });
  client = officialClient(emulator);
});
afterAll(() => emulator.close());

/** The company the emulator holds for a contact or deal, read from its ground truth. */
function companyOf(type: "contacts" | "deals", id: string): string | undefined {
  const record = emulator.groundTruth(type).records.find((candidate) => candidate.id === id);
  return record?.associations?.companies?.results[0]?.id;
}

/** A company other than `not`. */
function anotherCompany(not: string | undefined): string {
  return emulator.groundTruth("companies").records.find((company) => company.id !== not)!.id;
}

describe("v4 associations through the official client", () => {
  it("creates a labeled association with basicApi.create, without moving the record's updatedAt", async () => {
    const contact = emulator.groundTruth("contacts").records[5]!;
    const target = anotherCompany(companyOf("contacts", contact.id));
    const pair = await client.crm.associations.v4.basicApi.create(
      "contacts",
      contact.id,
      "companies",
      target,
      [{ associationCategory: HUBSPOT_DEFINED, associationTypeId: 1 }],
    );
    expect(pair).toMatchObject({
      fromObjectTypeId: "0-1",
      fromObjectId: Number(contact.id),
      toObjectTypeId: "0-2",
      toObjectId: Number(target),
      labels: ["Primary"],
    });
    expect(companyOf("contacts", contact.id)).toBe(target);
    const after = emulator.groundTruth("contacts").records.find((record) => record.id === contact.id)!;
    expect(after.updatedAt).toBe(contact.updatedAt);
    const read = await client.crm.contacts.basicApi.getById(contact.id, undefined, undefined, ["companies"]);
    expect(read.associations?.companies?.results.map((result) => result.id)).toEqual([target, target]);
  });

  it("lists a company's contacts with basicApi.getPage, paged by limit", async () => {
    const contacts = emulator.groundTruth("contacts").records;
    const counts = new Map<string, string[]>();
    for (const contact of contacts) {
      const company = contact.associations?.companies?.results[0]?.id;
      if (company) counts.set(company, [...(counts.get(company) ?? []), contact.id]);
    }
    const [companyId, expected] = [...counts].sort((a, b) => b[1].length - a[1].length)[0]!;
    expect(expected.length).toBeGreaterThan(2);
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await client.crm.associations.v4.basicApi.getPage(
        "companies",
        companyId,
        "contacts",
        after,
        2,
      );
      pages++;
      for (const result of page.results) {
        seen.push(String(result.toObjectId));
        expect(result.associationTypes.map((type) => type.typeId)).toEqual([2, 280]);
      }
      after = page.paging?.next?.after;
    } while (after);
    expect(pages).toBe(Math.ceil(expected.length / 2));
    expect(seen).toEqual(expected);
  });

  it("archives an association with basicApi.archive (204); the record then has no company", async () => {
    const deal = emulator.groundTruth("deals").records.find((record) => record.associations?.companies)!;
    const companyId = companyOf("deals", deal.id)!;
    await client.crm.associations.v4.basicApi.archive("deals", deal.id, "companies", companyId);
    expect(companyOf("deals", deal.id)).toBeUndefined();
    const page = await client.crm.associations.v4.basicApi.getPage("deals", deal.id, "companies");
    expect(page.results).toEqual([]);
  });

  it("creates the default association with basicApi.createDefault, from the company's side", async () => {
    const deal = emulator.groundTruth("deals").records[7]!;
    const target = anotherCompany(companyOf("deals", deal.id));
    const response = await client.crm.associations.v4.basicApi.createDefault(
      "companies",
      target,
      "deals",
      deal.id,
    );
    expect(response.status).toBe("COMPLETE");
    expect(response.results).toEqual([
      {
        _from: { id: target },
        to: { id: deal.id },
        associationSpec: { associationCategory: HUBSPOT_DEFINED, associationTypeId: 342 },
      },
    ]);
    expect(companyOf("deals", deal.id)).toBe(target);
  });

  it("batch-creates and batch-archives associations, reporting unknown records under errors (207)", async () => {
    const [a, b] = emulator.groundTruth("contacts").records.slice(20, 22);
    const company = anotherCompany(undefined);
    const created = await client.crm.associations.v4.batchApi.create("contacts", "companies", {
      inputs: [
        {
          _from: { id: a!.id },
          to: { id: company },
          types: [{ associationCategory: HUBSPOT_DEFINED, associationTypeId: 279 }],
        },
        {
          _from: { id: b!.id },
          to: { id: company },
          types: [{ associationCategory: HUBSPOT_DEFINED, associationTypeId: 1 }],
        },
        {
          _from: { id: "999999" },
          to: { id: company },
          types: [{ associationCategory: HUBSPOT_DEFINED, associationTypeId: 1 }],
        },
      ],
    });
    expect(created.results.map((pair) => [String(pair.fromObjectId), pair.labels])).toEqual([
      [a!.id, []],
      [b!.id, ["Primary"]],
    ]);
    expect("errors" in created && created.errors?.[0]).toMatchObject({
      category: "OBJECT_NOT_FOUND",
      context: { fromObjectId: ["999999"] },
    });
    expect([companyOf("contacts", a!.id), companyOf("contacts", b!.id)]).toEqual([company, company]);
    const batchRead = await client.crm.associations.v4.batchApi.getPage("contacts", "companies", {
      inputs: [{ id: a!.id }],
    });
    expect(batchRead.results[0]?.to.map((to) => String(to.toObjectId))).toEqual([company]);

    await client.crm.associations.v4.batchApi.archive("companies", "contacts", {
      inputs: [{ _from: { id: company }, to: [{ id: a!.id }, { id: b!.id }] }],
    });
    expect([companyOf("contacts", a!.id), companyOf("contacts", b!.id)]).toEqual([undefined, undefined]);
  });

  it("batch-creates default associations with batchApi.createDefault", async () => {
    const deal = emulator.groundTruth("deals").records[12]!;
    const target = anotherCompany(companyOf("deals", deal.id));
    const response = await client.crm.associations.v4.batchApi.createDefault("deals", "companies", {
      inputs: [{ _from: { id: deal.id }, to: { id: target } }],
    });
    expect(response.results[0]?.associationSpec).toEqual({
      associationCategory: HUBSPOT_DEFINED,
      associationTypeId: 341,
    });
    expect(companyOf("deals", deal.id)).toBe(target);
  });

  it("refuses association types that do not exist between the two objects, and unknown records", async () => {
    const contact = emulator.groundTruth("contacts").records[3]!;
    const company = anotherCompany(undefined);
    const wrongType = await client.crm.associations.v4.basicApi
      .create("contacts", contact.id, "companies", company, [
        { associationCategory: HUBSPOT_DEFINED, associationTypeId: 5 },
      ])
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(wrongType).toMatchObject({ code: 400, body: { category: "VALIDATION_ERROR" } });
    const missing = await client.crm.associations.v4.basicApi
      .create("contacts", "999999", "companies", company, [
        { associationCategory: HUBSPOT_DEFINED, associationTypeId: 1 },
      ])
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(missing).toMatchObject({ code: 404, body: { category: "OBJECT_NOT_FOUND" } });
    const noPair = await client.crm.associations.v4.basicApi.getPage("contacts", contact.id, "deals").then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(noPair).toMatchObject({ code: 400, body: { category: "VALIDATION_ERROR" } });
  });

  it("lists the association types between two objects with schema.definitionsApi.getAll", async () => {
    const labels = await client.crm.associations.v4.schema.definitionsApi.getAll("deals", "companies");
    expect(labels.results).toEqual([
      { category: "HUBSPOT_DEFINED", typeId: 5, label: "Primary" },
      { category: "HUBSPOT_DEFINED", typeId: 341, label: null },
    ]);
  });

  it("creates, lists types of and archives associations through the v3 batch API", async () => {
    const types = await client.crm.associations.schema.typesApi.getAll("contacts", "companies");
    expect(types.results).toEqual([
      { id: "1", name: "contact_to_company" },
      { id: "279", name: "contact_to_company_unlabeled" },
    ]);
    const contact = emulator.groundTruth("contacts").records[44]!;
    const target = anotherCompany(companyOf("contacts", contact.id));
    const created = await client.crm.associations.batchApi.create("contacts", "companies", {
      inputs: [{ _from: { id: contact.id }, to: { id: target }, type: "contact_to_company" }],
    });
    expect(created.results).toEqual([
      { _from: { id: contact.id }, to: { id: target }, type: "contact_to_company" },
    ]);
    expect(companyOf("contacts", contact.id)).toBe(target);
    await client.crm.associations.batchApi.archive("companies", "contacts", {
      inputs: [{ _from: { id: target }, to: { id: contact.id }, type: "company_to_contact" }],
    });
    expect(companyOf("contacts", contact.id)).toBeUndefined();
  });
});
