/** HubSpot's writers: Merge's request fields as HubSpot properties and company ids, and back as the cached record. */
import { describe, expect, it } from "vitest";
import type { WriteContext } from "../../../unified/writers.ts";
import { hubspotMappers } from "./index.ts";
import { hubspotWriters } from "./writes.ts";

const writer = (model: string) => hubspotWriters.find((w) => w.model === model)!;
/** References resolve to `remote-<id>`, except `missing`. */
const ctx: WriteContext = {
  remoteIdOf: async (model, id, field) => {
    if (id === "missing") throw new Error(`${field}: no ${model} ${id}`);
    return `9${id.length}`;
  },
};

describe("HubSpot writers", () => {
  it("writes a contact's names, first email, phones by type, first address and company", async () => {
    const call = await writer("Contact").create(
      {
        first_name: "Ada",
        last_name: "Lovelace",
        email_addresses: [{ email_address: " ada@example.com " }, { email_address: "other@example.com" }],
        phone_numbers: [
          { phone_number: "+44 1", phone_number_type: "Mobile" },
          { phone_number: "+44 2", phone_number_type: "Work" },
        ],
        addresses: [{ street_1: "12 St James's Sq", city: "London", country: "GB", postal_code: "" }],
        account: "acc",
      },
      ctx,
    );
    expect(call).toEqual({
      action: "create_contact",
      input: {
        properties: {
          firstname: "Ada",
          lastname: "Lovelace",
          email: "ada@example.com",
          phone: "+44 2",
          mobilephone: "+44 1",
          address: "12 St James's Sq",
          city: "London",
          country: "GB",
        },
        company_id: "93",
      },
    });
  });

  it("updates only what the request sets; null clears a property", async () => {
    const call = await writer("Contact").update("101", { last_name: "King", first_name: null }, ctx);
    expect(call).toEqual({
      action: "update_contact",
      input: { id: "101", properties: { lastname: "King", firstname: null } },
    });
  });

  it("writes a deal's stage, or its status as the closed stages, with its close date in ISO 8601", async () => {
    const staged = await writer("Opportunity").create(
      { name: "D", stage: "st", close_date: "2030-01-15" },
      ctx,
    );
    expect(staged.input).toEqual({
      properties: { dealname: "D", dealstage: "92", closedate: "2030-01-15T00:00:00.000Z" },
    });
    const won = await writer("Opportunity").update("5", { status: "WON", amount: 10 }, ctx);
    expect(won.input).toEqual({ id: "5", properties: { amount: 10, dealstage: "closedwon" } });
  });

  it("refuses what HubSpot cannot take, naming the field", async () => {
    await expect(writer("Account").create({ description: "no name" }, ctx)).rejects.toMatchObject({
      field: "name",
    });
    await expect(writer("Contact").update("1", { account: null }, ctx)).rejects.toMatchObject({
      field: "account",
    });
    await expect(writer("Account").create({ name: "A", website: "http://" }, ctx)).rejects.toMatchObject({
      field: "website",
    });
    await expect(writer("Contact").create({ account: 7 }, ctx)).rejects.toMatchObject({ field: "account" });
  });

  it("turns a company's website into its domain", async () => {
    const call = await writer("Account").create(
      { name: "A", website: "https://www.engines.example/about" },
      ctx,
    );
    expect(call.input).toEqual({ properties: { name: "A", domain: "www.engines.example" } });
  });

  it("caches the record HubSpot answered on top of the record before, which the read mapper maps back", () => {
    const previous = {
      id: "7",
      firstname: "Ada",
      lastname: "Byron",
      createdAt: "2020-01-01T00:00:00.000Z",
      companyIds: ["3"],
    };
    const record = writer("Contact").toRecord({
      output: {
        id: "7",
        properties: { lastname: "King", lastmodifieddate: "2026-01-01T00:00:00.000Z" },
        createdAt: "2020-01-01T00:00:00.000Z",
        updatedAt: "2026-01-01T00:00:00.000Z",
        archived: false,
      },
      input: { id: "7", properties: { lastname: "King" }, company_id: "4" },
      previous,
    });
    expect(record).toMatchObject({
      id: "7",
      firstname: "Ada",
      lastname: "King",
      companyIds: ["4", "3"],
      archived: false,
    });
    const mapper = hubspotMappers.find((m) => m.model === "Contact")!;
    const [object] = mapper.fromRecord(record, { idOf: (stream, id) => `${stream}:${id}` });
    expect(object!.fields).toMatchObject({ first_name: "Ada", last_name: "King", account: "companies:4" });
  });
});
