/**
 * Fidelity bar: the official @hubspot/api-client, pointed at the emulator, reads and searches like it
 * would against HubSpot, deserialises dates, follows paging, and raises typed errors.
 */
import { Client } from "@hubspot/api-client";
import { FilterOperatorEnum } from "@hubspot/api-client/lib/codegen/crm/deals/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HubSpotEmulator, startHubSpotEmulator } from "./index.ts";
import { officialClient } from "./testing.ts";

const counts = { contacts: 250, companies: 40, deals: 120 };
let emulator: HubSpotEmulator;
let client: Client;

beforeAll(async () => {
  emulator = await startHubSpotEmulator({
    seed: 11,
    counts,
    rateLimit: { maxPerInterval: 100_000, searchPerSecond: 1000 },
  });
  client = officialClient(emulator);
});
afterAll(() => emulator.close());

describe("official client against the emulator", () => {
  it("pages through contacts with basicApi.getPage until paging runs out", async () => {
    const ids: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await client.crm.contacts.basicApi.getPage(100, after, ["email", "phone"], undefined, [
        "companies",
      ]);
      pages++;
      for (const contact of page.results) {
        ids.push(contact.id);
        expect(contact.createdAt).toBeInstanceOf(Date);
        expect(Number.isNaN(contact.updatedAt.getTime())).toBe(false);
        expect(contact.properties.email).toMatch(/@/);
        expect(Object.keys(contact.properties).sort()).toEqual([
          "createdate",
          "email",
          "hs_object_id",
          "lastmodifieddate",
          "phone",
        ]);
      }
      after = page.paging?.next?.after;
    } while (after);
    expect(pages).toBe(3);
    expect(new Set(ids).size).toBe(counts.contacts);
    expect(ids).toEqual(emulator.groundTruth("contacts").records.map((record) => record.id));
  });

  it("returns company associations with the primary and unlabeled types", async () => {
    const page = await client.crm.deals.basicApi.getPage(5, undefined, undefined, undefined, ["companies"]);
    const first = page.results[0]!;
    const truth = emulator.groundTruth("deals").records[0]!;
    const companyId = truth.associations?.companies?.results[0]?.id;
    expect(companyId).toBeDefined();
    expect(first.associations?.companies?.results.map((result) => result.type)).toEqual([
      "deal_to_company",
      "deal_to_company_unlabeled",
    ]);
    expect(first.associations?.companies?.results[0]?.id).toBe(companyId);
    // Default properties when none are requested.
    expect(Object.keys(first.properties).sort()).toEqual([
      "amount",
      "closedate",
      "createdate",
      "dealname",
      "dealstage",
      "hs_lastmodifieddate",
      "hs_object_id",
      "pipeline",
    ]);
  });

  it("reads every company with getAll", async () => {
    const companies = await client.crm.companies.getAll();
    expect(companies.map((company) => company.id)).toEqual(
      emulator.groundTruth("companies").records.map((record) => record.id),
    );
  });

  it("searches deals by hs_lastmodifieddate with searchApi.doSearch", async () => {
    const truth = emulator.groundTruth("deals").records;
    const sorted = truth.map((deal) => Date.parse(deal.updatedAt)).sort((a, b) => a - b);
    const cut = sorted[60]!;
    const expected = truth.filter((deal) => Date.parse(deal.updatedAt) >= cut).length;
    const response = await client.crm.deals.searchApi.doSearch({
      filterGroups: [
        {
          filters: [
            { propertyName: "hs_lastmodifieddate", operator: FilterOperatorEnum.Gte, value: String(cut) },
          ],
        },
      ],
      sorts: ["hs_lastmodifieddate"],
      properties: ["dealname", "amount"],
      limit: 25,
      after: "0",
    });
    expect(response.total).toBe(expected);
    expect(response.results).toHaveLength(25);
    expect(response.paging?.next?.after).toBe("25");
    const times = response.results.map((deal) => deal.updatedAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times[0]).toBeGreaterThanOrEqual(cut);
  });

  it("reads property definitions and association batches", async () => {
    const properties = await client.crm.properties.coreApi.getAll("contacts");
    const email = properties.results.find((property) => property.name === "email");
    expect(email).toMatchObject({ type: "string", fieldType: "text", groupName: "contactinformation" });
    const contactIds = emulator
      .groundTruth("contacts")
      .records.slice(0, 20)
      .map((record) => record.id);
    const batch = await client.crm.associations.v4.batchApi.getPage("contacts", "companies", {
      inputs: contactIds.map((id) => ({ id })),
    });
    const withCompany = emulator
      .groundTruth("contacts")
      .records.slice(0, 20)
      .filter((record) => record.associations?.companies);
    expect(batch.results).toHaveLength(withCompany.length);
    expect(batch.results[0]?.to[0]?.associationTypes.map((type) => type.typeId)).toEqual([1, 279]);
  });

  it("raises a typed 401 error for a bad token", async () => {
    const bad = new Client({ accessToken: "not-a-token", basePath: emulator.url });
    const failure = await bad.crm.contacts.basicApi.getPage(10).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({
      code: 401,
      body: { status: "error", category: "INVALID_AUTHENTICATION" },
    });
    expect((failure as { body: { correlationId: string } }).body.correlationId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
  });

  it("creates, updates and archives a contact through basicApi", async () => {
    const created = await client.crm.contacts.basicApi.create({
      properties: { email: "new.person@example.com", firstname: "New" },
      associations: [],
    });
    expect(created.id).toBeDefined();
    const updated = await client.crm.contacts.basicApi.update(created.id, {
      properties: { lastname: "Person" },
    });
    expect(updated.properties.lastname).toBe("Person");
    expect(updated.updatedAt.getTime()).toBeGreaterThan(created.updatedAt.getTime());
    const conflict = await client.crm.contacts.basicApi
      .create({ properties: { email: "new.person@example.com" }, associations: [] })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(conflict).toMatchObject({ code: 409, body: { category: "CONFLICT" } });
    await client.crm.contacts.basicApi.archive(created.id);
    expect(emulator.groundTruth("contacts").archivedIds).toContain(created.id);
    const gone = await client.crm.contacts.basicApi.getById(created.id).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(gone).toMatchObject({ code: 404, body: { category: "OBJECT_NOT_FOUND" } });
  });
});
