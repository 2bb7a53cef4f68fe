/**
 * The official client's properties calls against the emulator: property groups (groupsApi) and custom
 * property definitions (coreApi create, update, archive), each write read back through the API.
 */
import type { Client } from "@hubspot/api-client";
import {
  PropertyCreateFieldTypeEnum,
  PropertyCreateTypeEnum,
} from "@hubspot/api-client/lib/codegen/crm/properties/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HubSpotEmulator, startHubSpotEmulator } from "./index.ts";
import { failureOf, officialClient } from "./testing.ts";

let emulator: HubSpotEmulator;
let client: Client;

beforeAll(async () => {
  emulator = await startHubSpotEmulator({
    seed: 9,
    counts: { contacts: 20, companies: 5, deals: 5 },
    rateLimit: { maxPerInterval: 100_000 },
  });
  client = officialClient(emulator);
});
afterAll(() => emulator.close());

describe("property groups and custom properties through the official client", () => {
  it("lists the default groups, and every property's group is one of them", async () => {
    const groups = await client.crm.properties.groupsApi.getAll("deals");
    const names = groups.results.map((group) => group.name);
    expect(names).toContain("dealinformation");
    expect(
      groups.results.every((group) => group.archived === false && typeof group.displayOrder === "number"),
    ).toBe(true);
    const properties = await client.crm.properties.coreApi.getAll("deals");
    expect(properties.results.every((property) => names.includes(property.groupName))).toBe(true);
    const one = await client.crm.properties.groupsApi.getByName("deals", "dealinformation");
    expect(one).toMatchObject({ name: "dealinformation", label: "Deal information", archived: false });
  });

  it("creates, updates and archives a group; the list follows", async () => {
    const created = await client.crm.properties.groupsApi.create("companies", {
      name: "partner_data",
      label: "Partner data",
    });
    expect(created).toMatchObject({ name: "partner_data", label: "Partner data", archived: false });
    const duplicate = await failureOf(
      client.crm.properties.groupsApi.create("companies", { name: "partner_data", label: "Again" }),
    );
    expect(duplicate.code).toBe(409);
    const updated = await client.crm.properties.groupsApi.update("companies", "partner_data", {
      label: "Partner details",
      displayOrder: 7,
    });
    expect(updated).toMatchObject({ label: "Partner details", displayOrder: 7 });
    expect((await client.crm.properties.groupsApi.getByName("companies", "partner_data")).label).toBe(
      "Partner details",
    );
    await client.crm.properties.groupsApi.archive("companies", "partner_data");
    const after = await client.crm.properties.groupsApi.getAll("companies");
    expect(after.results.map((group) => group.name)).not.toContain("partner_data");
    const gone = await failureOf(client.crm.properties.groupsApi.getByName("companies", "partner_data"));
    expect(gone).toMatchObject({ code: 404, body: { category: "OBJECT_NOT_FOUND" } });
    const builtIn = await failureOf(
      client.crm.properties.groupsApi.archive("companies", "companyinformation"),
    );
    expect(builtIn.code).toBe(400);
  });

  it("creates a unique custom property in a new group, updates it, upserts by it, then archives it", async () => {
    await client.crm.properties.groupsApi.create("contacts", { name: "erp", label: "ERP" });
    const created = await client.crm.properties.coreApi.create("contacts", {
      name: "erp_id",
      label: "ERP id",
      type: PropertyCreateTypeEnum.String,
      fieldType: PropertyCreateFieldTypeEnum.Text,
      groupName: "erp",
      hasUniqueValue: true,
    });
    expect(created).toMatchObject({
      name: "erp_id",
      groupName: "erp",
      hasUniqueValue: true,
      hubspotDefined: false,
    });
    const missingGroup = await failureOf(
      client.crm.properties.coreApi.create("contacts", {
        name: "other_id",
        label: "Other",
        type: PropertyCreateTypeEnum.String,
        fieldType: PropertyCreateFieldTypeEnum.Text,
        groupName: "no_such_group",
      }),
    );
    expect(missingGroup).toMatchObject({ code: 400, body: { category: "VALIDATION_ERROR" } });
    const groupInUse = await failureOf(client.crm.properties.groupsApi.archive("contacts", "erp"));
    expect(String(groupInUse.body.message)).toMatch(/erp_id/);

    const updated = await client.crm.properties.coreApi.update("contacts", "erp_id", { label: "ERP number" });
    expect(updated.label).toBe("ERP number");
    expect((await client.crm.properties.coreApi.getByName("contacts", "erp_id")).label).toBe("ERP number");
    const readOnly = await failureOf(
      client.crm.properties.coreApi.update("contacts", "email", { label: "Mail" }),
    );
    expect(readOnly.code).toBe(400);

    const upserted = await client.crm.contacts.batchApi.upsert({
      inputs: [{ id: "ERP-1", idProperty: "erp_id", properties: { firstname: "Erp" } }],
    });
    expect(upserted.results[0]?._new).toBe(true);
    const again = await client.crm.contacts.batchApi.upsert({
      inputs: [{ id: "ERP-1", idProperty: "erp_id", properties: { lastname: "Again" } }],
    });
    expect(again.results[0]).toMatchObject({ id: upserted.results[0]!.id, _new: false });
    const truth = emulator
      .groundTruth("contacts")
      .records.find((record) => record.id === upserted.results[0]!.id);
    expect(truth?.properties).toMatchObject({ erp_id: "ERP-1", firstname: "Erp", lastname: "Again" });

    await client.crm.properties.coreApi.archive("contacts", "erp_id");
    const names = (await client.crm.properties.coreApi.getAll("contacts")).results.map(
      (property) => property.name,
    );
    expect(names).not.toContain("erp_id");
    await client.crm.properties.groupsApi.archive("contacts", "erp");
  });

  it("batch-creates, batch-reads and batch-archives properties with batchApi", async () => {
    const created = await client.crm.properties.batchApi.create("companies", {
      inputs: [
        {
          name: "tier",
          label: "Tier",
          type: PropertyCreateTypeEnum.Enumeration,
          fieldType: PropertyCreateFieldTypeEnum.Select,
          groupName: "companyinformation",
          options: [
            { label: "Gold", value: "gold", hidden: false, displayOrder: 0 },
            { label: "Silver", value: "silver", hidden: false, displayOrder: 1 },
          ],
        },
        {
          name: "name",
          label: "Taken",
          type: PropertyCreateTypeEnum.String,
          fieldType: PropertyCreateFieldTypeEnum.Text,
          groupName: "companyinformation",
        },
      ],
    });
    expect(created.results.map((property) => property.name)).toEqual(["tier"]);
    expect(created.results[0]?.options.map((option) => option.value)).toEqual(["gold", "silver"]);
    expect("errors" in created && created.errors?.[0]).toMatchObject({
      category: "OBJECT_ALREADY_EXISTS",
      context: { properties: ["name"] },
    });
    const read = await client.crm.properties.batchApi.read("companies", {
      archived: false,
      inputs: [{ name: "tier" }, { name: "domain" }, { name: "nope" }],
    });
    expect(read.results.map((property) => property.name)).toEqual(["tier", "domain"]);
    expect("errors" in read && read.errors?.[0]?.context).toEqual({ properties: ["nope"] });
    await client.crm.properties.batchApi.archive("companies", { inputs: [{ name: "tier" }] });
    const names = (await client.crm.properties.coreApi.getAll("companies")).results.map(
      (property) => property.name,
    );
    expect(names).not.toContain("tier");
    expect(names).toContain("domain");
  });
});
