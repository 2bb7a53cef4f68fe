/** Salesforce's writers: Merge's request fields as sObject fields, and the cached record (Salesforce answers only the Id). */
import { describe, expect, it } from "vitest";
import type { WriteContext } from "../../../unified/writers.ts";
import { salesforceWriters } from "./writes.ts";

const writer = (model: string) => salesforceWriters.find((w) => w.model === model)!;
const ctx: WriteContext = { remoteIdOf: async (model, id) => `${model}:${id}` };

describe("Salesforce writers", () => {
  it("writes a contact's names, email, phone, mailing address and references", async () => {
    const call = await writer("Contact").create(
      {
        first_name: "Ada",
        last_name: "Lovelace",
        email_addresses: [{ email_address: "ada@example.com" }],
        addresses: [{ street_1: "12 St James's Sq", street_2: "Flat 1", city: "London", country: "GB" }],
        account: "a",
      },
      ctx,
    );
    expect(call).toEqual({
      action: "create_contact",
      input: {
        FirstName: "Ada",
        LastName: "Lovelace",
        Email: "ada@example.com",
        MailingStreet: "12 St James's Sq\nFlat 1",
        MailingCity: "London",
        MailingState: null,
        MailingPostalCode: null,
        MailingCountry: "GB",
        AccountId: "Account:a",
      },
    });
  });

  it("needs an opportunity's name, stage and close date; a status names a closed stage on update", async () => {
    await expect(
      writer("Opportunity").create({ name: "D", close_date: "2030-01-15" }, ctx),
    ).rejects.toMatchObject({
      field: "stage",
    });
    const created = await writer("Opportunity").create(
      { name: "D", stage: "s", close_date: "2030-01-15T00:00:00Z" },
      ctx,
    );
    expect(created.input).toEqual({ Name: "D", CloseDate: "2030-01-15", StageName: "Stage:s" });
    const won = await writer("Opportunity").update("006A", { status: "WON" }, ctx);
    expect(won).toEqual({ action: "update_opportunity", input: { Id: "006A", StageName: "Closed Won" } });
  });

  it("caches the written fields on top of the record before, under the Id Salesforce answered", () => {
    const record = writer("Account").toRecord({
      output: { id: "001000000000001AAA", success: true, errors: [] },
      input: { Id: "001000000000001AAA", Name: "New" },
      previous: { Id: "001000000000001AAA", Name: "Old", Industry: "Energy", IsDeleted: false },
    });
    expect(record).toEqual({ Id: "001000000000001AAA", Name: "New", Industry: "Energy", IsDeleted: false });
  });
});
