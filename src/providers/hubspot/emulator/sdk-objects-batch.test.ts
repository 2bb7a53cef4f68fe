/**
 * The official client's batch object calls and `idProperty`, against the emulator: what each call
 * returns is checked against the emulator's ground truth, and every write is read back.
 */
import type { Client } from "@hubspot/api-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HubSpotEmulator, startHubSpotEmulator } from "./index.ts";
import { failureOf, officialClient } from "./testing.ts";

let emulator: HubSpotEmulator;
let client: Client;

beforeAll(async () => {
  emulator = await startHubSpotEmulator({
    seed: 23,
    counts: { contacts: 60, companies: 10, deals: 30 },
    rateLimit: { maxPerInterval: 100_000, searchPerSecond: 1000 },
  });
  client = officialClient(emulator);
});
afterAll(() => emulator.close());

describe("batch object calls through the official client", () => {
  it("batch-reads contacts by id with the chosen properties", async () => {
    const truth = emulator.groundTruth("contacts").records.slice(0, 5);
    const response = await client.crm.contacts.batchApi.read({
      inputs: truth.map((record) => ({ id: record.id })),
      properties: ["email", "city"],
      propertiesWithHistory: [],
    });
    expect(response.status).toBe("COMPLETE");
    expect(response.startedAt).toBeInstanceOf(Date);
    expect(response.completedAt.getTime()).toBeGreaterThanOrEqual(response.startedAt.getTime());
    expect(response.results.map((contact) => contact.id)).toEqual(truth.map((record) => record.id));
    for (const [index, contact] of response.results.entries()) {
      expect(contact.properties.email).toBe(truth[index]!.properties.email);
      expect(contact.properties.city).toBe(truth[index]!.properties.city);
      expect(contact.updatedAt.toISOString()).toBe(truth[index]!.updatedAt);
    }
  });

  it("answers 207 with an OBJECT_NOT_FOUND error naming the ids it could not read", async () => {
    const [known] = emulator.groundTruth("companies").records;
    const response = await client.crm.companies.batchApi.read({
      inputs: [{ id: known!.id }, { id: "404404" }],
      properties: ["name"],
      propertiesWithHistory: [],
    });
    expect(response.results.map((company) => company.properties.name)).toEqual([known!.properties.name]);
    expect("errors" in response && response.errors).toEqual([
      expect.objectContaining({
        status: "error",
        category: "OBJECT_NOT_FOUND",
        context: { ids: ["404404"] },
      }),
    ]);
    expect("numErrors" in response && response.numErrors).toBe(1);
  });

  it("batch-reads contacts by email with idProperty", async () => {
    const truth = emulator.groundTruth("contacts").records.slice(10, 13);
    const response = await client.crm.contacts.batchApi.read({
      inputs: truth.map((record) => ({ id: record.properties.email!.toUpperCase() })),
      idProperty: "email",
      properties: ["firstname"],
      propertiesWithHistory: [],
    });
    expect(response.results.map((contact) => contact.id)).toEqual(truth.map((record) => record.id));
    expect(response.results.map((contact) => contact.properties.firstname)).toEqual(
      truth.map((record) => record.properties.firstname),
    );
  });

  it("batch-creates deals with a company association, visible to reads", async () => {
    const company = emulator.groundTruth("companies").records[3]!;
    const response = await client.crm.deals.batchApi.create({
      inputs: [
        {
          properties: { dealname: "Batch one", amount: "100" },
          associations: [
            {
              to: { id: company.id },
              types: [{ associationCategory: "HUBSPOT_DEFINED" as never, associationTypeId: 5 }],
            },
          ],
        },
        { properties: { dealname: "Batch two", amount: "200" }, associations: [] },
      ],
    });
    expect(response.status).toBe("COMPLETE");
    expect(response.results.map((deal) => deal.properties.dealname)).toEqual(["Batch one", "Batch two"]);
    const truth = emulator.groundTruth("deals").records;
    const [first, second] = response.results.map((deal) => truth.find((record) => record.id === deal.id));
    expect(first?.properties.amount).toBe("100");
    expect(first?.associations?.companies?.results[0]?.id).toBe(company.id);
    expect(second?.properties.dealname).toBe("Batch two");
    expect(second?.associations).toBeUndefined();
  });

  it("refuses a whole batch create when one input is invalid, and writes nothing", async () => {
    const before = emulator.state().objects.contacts.live;
    const existing = emulator.groundTruth("contacts").records[0]!.properties.email!;
    const conflict = await failureOf(
      client.crm.contacts.batchApi.create({
        inputs: [
          { properties: { email: "fresh.one@example.com" }, associations: [] },
          { properties: { email: existing }, associations: [] },
        ],
      }),
    );
    expect(conflict.code).toBe(409);
    expect(conflict.body).toMatchObject({ category: "CONFLICT" });
    const invalid = await failureOf(
      client.crm.contacts.batchApi.create({
        inputs: [{ properties: { no_such_property: "x" }, associations: [] }],
      }),
    );
    expect(invalid.code).toBe(400);
    expect(invalid.body).toMatchObject({ category: "VALIDATION_ERROR" });
    expect(emulator.state().objects.contacts.live).toBe(before);
  });

  it("batch-updates by id and by email; missing ids come back as errors (207)", async () => {
    const [a, b] = emulator.groundTruth("contacts").records.slice(20, 22);
    const response = await client.crm.contacts.batchApi.update({
      inputs: [
        { id: a!.id, properties: { city: "Ghent" } },
        { id: b!.properties.email!, idProperty: "email", properties: { city: "Leuven" } },
        { id: "999999", properties: { city: "Nowhere" } },
      ],
    });
    expect(response.results.map((contact) => [contact.id, contact.properties.city])).toEqual([
      [a!.id, "Ghent"],
      [b!.id, "Leuven"],
    ]);
    expect("errors" in response && response.errors?.[0]).toMatchObject({
      category: "OBJECT_NOT_FOUND",
      context: { ids: ["999999"] },
    });
    const truth = emulator.groundTruth("contacts").records;
    expect(truth.find((record) => record.id === a!.id)?.properties.city).toBe("Ghent");
    const bAfter = truth.find((record) => record.id === b!.id)!;
    expect(bAfter.properties.city).toBe("Leuven");
    expect(Date.parse(bAfter.updatedAt)).toBeGreaterThan(Date.parse(b!.updatedAt));
  });

  it("upserts contacts by email: updates the one that exists, creates the other", async () => {
    const existing = emulator.groundTruth("contacts").records[30]!;
    const response = await client.crm.contacts.batchApi.upsert({
      inputs: [
        { id: existing.properties.email!, idProperty: "email", properties: { jobtitle: "Upserted" } },
        { id: "brand.new@example.com", idProperty: "email", properties: { firstname: "Brand" } },
      ],
    });
    expect(response.status).toBe("COMPLETE");
    const [updated, created] = response.results;
    expect(updated).toMatchObject({ id: existing.id, _new: false });
    expect(created?._new).toBe(true);
    const read = await client.crm.contacts.basicApi.getById(
      "brand.new@example.com",
      ["firstname", "email"],
      undefined,
      undefined,
      false,
      "email",
    );
    expect(read.id).toBe(created!.id);
    expect(read.properties).toMatchObject({ firstname: "Brand", email: "brand.new@example.com" });
    const truth = emulator.groundTruth("contacts").records.find((record) => record.id === existing.id);
    expect(truth?.properties.jobtitle).toBe("Upserted");
  });

  it("batch-archives companies (204), after which reads see them archived", async () => {
    const ids = emulator
      .groundTruth("companies")
      .records.slice(7, 9)
      .map((record) => record.id);
    await client.crm.companies.batchApi.archive({ inputs: [...ids.map((id) => ({ id })), { id: "123" }] });
    expect(emulator.groundTruth("companies").archivedIds).toEqual(expect.arrayContaining(ids));
    const archived = await client.crm.companies.batchApi.read(
      { inputs: ids.map((id) => ({ id })), properties: [], propertiesWithHistory: [] },
      true,
    );
    expect(archived.results.map((company) => [company.id, company.archived])).toEqual(
      ids.map((id) => [id, true]),
    );
  });

  it("gets and updates a contact by email with idProperty, and refuses a non-unique idProperty", async () => {
    const contact = emulator.groundTruth("contacts").records[40]!;
    const read = await client.crm.contacts.basicApi.getById(
      contact.properties.email!,
      ["lastname"],
      undefined,
      undefined,
      false,
      "email",
    );
    expect(read).toMatchObject({ id: contact.id, properties: { lastname: contact.properties.lastname } });
    const updated = await client.crm.contacts.basicApi.update(
      contact.properties.email!,
      { properties: { lastname: "ByEmail" } },
      "email",
    );
    expect(updated.id).toBe(contact.id);
    expect(
      emulator.groundTruth("contacts").records.find((record) => record.id === contact.id)?.properties
        .lastname,
    ).toBe("ByEmail");
    const refused = await failureOf(
      client.crm.contacts.basicApi.getById("Ghent", undefined, undefined, undefined, false, "city"),
    );
    expect(refused.code).toBe(400);
    expect(refused.body).toMatchObject({ category: "VALIDATION_ERROR" });
    expect(String(refused.body.message)).toMatch(/idProperty must be one of: hs_object_id, email/);
  });

  it("refuses more than 100 inputs in a batch", async () => {
    const inputs = Array.from({ length: 101 }, (_, index) => ({ id: String(101 + index) }));
    const refused = await failureOf(
      client.crm.contacts.batchApi.read({ inputs, properties: [], propertiesWithHistory: [] }),
    );
    expect(refused.code).toBe(400);
    expect(String(refused.body.message)).toMatch(/at most 100 inputs/);
  });

  it("serves the generic crm.objects client (object type as a parameter) on the same routes", async () => {
    const truth = emulator.groundTruth("deals").records.slice(0, 3);
    const batch = await client.crm.objects.batchApi.read("0-3", {
      inputs: truth.map((record) => ({ id: record.id })),
      properties: ["dealname"],
      propertiesWithHistory: [],
    });
    expect(batch.results.map((deal) => deal.properties.dealname)).toEqual(
      truth.map((record) => record.properties.dealname),
    );
    const one = await client.crm.objects.basicApi.getById("deal", truth[0]!.id, ["amount"]);
    expect(one.properties.amount).toBe(truth[0]!.properties.amount);
  });

  it("refuses a batch update that gives a contact another contact's email, and writes none of it", async () => {
    const [a, b] = emulator.groundTruth("contacts").records.slice(50, 52);
    const conflict = await failureOf(
      client.crm.contacts.batchApi.update({
        inputs: [
          { id: a!.id, properties: { city: "Should not stick" } },
          { id: b!.id, properties: { email: a!.properties.email!.toUpperCase() } },
        ],
      }),
    );
    expect(conflict.code).toBe(409);
    expect(conflict.body).toMatchObject({
      category: "CONFLICT",
      message: `Contact already exists. Existing ID: ${a!.id}`,
    });
    const truth = emulator.groundTruth("contacts").records;
    expect(truth.find((record) => record.id === a!.id)?.properties.city).toBe(a!.properties.city);
    expect(truth.find((record) => record.id === b!.id)?.properties.email).toBe(b!.properties.email);
  });

  it("refuses an upsert batch naming the same record twice, instead of creating it twice", async () => {
    const before = emulator.state().objects.contacts.live;
    const refused = await failureOf(
      client.crm.contacts.batchApi.upsert({
        inputs: [
          { id: "twice@example.com", idProperty: "email", properties: { firstname: "One" } },
          { id: "TWICE@example.com", idProperty: "email", properties: { firstname: "Two" } },
        ],
      }),
    );
    expect(refused).toMatchObject({ code: 400, body: { category: "VALIDATION_ERROR" } });
    expect(emulator.state().objects.contacts.live).toBe(before);
  });
});
