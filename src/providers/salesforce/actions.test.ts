/**
 * Salesforce's typed actions against the emulator: create, update and delete through the sObject rows
 * resource, inputs checked before any request, and Salesforce's own refusal surfaced with its message.
 */
import { describe, expect, it } from "vitest";
import type { ActionDefinition } from "../../core/index.ts";
import { salesforceActions } from "./index.ts";
import { salesforceTestWorld } from "./test-world.test-helper.ts";

const world = salesforceTestWorld();

const action = (name: string) => salesforceActions.find((a) => a.name === name) as ActionDefinition;
const run = async (name: string, input: unknown) => {
  const definition = action(name);
  return definition.output.parse(await definition.run(world.http, definition.input.parse(input)));
};
const live = (object: "Account" | "Contact" | "Opportunity", id: string) =>
  world.emulator.groundTruth(object).live.find((record) => record.Id === id);

describe("Salesforce actions", () => {
  it("creates an account and a contact on it, custom fields included, then updates and deletes the contact", async () => {
    const account = (await run("create_account", {
      Name: "Initech",
      Industry: "Technology",
      Customer_Tier__c: "Gold",
    })) as { id: string };
    expect(live("Account", account.id)).toMatchObject({
      Name: "Initech",
      Customer_Tier__c: "Gold",
      IsDeleted: false,
    });

    const contact = (await run("create_contact", {
      LastName: "Waddams",
      FirstName: "Milton",
      AccountId: account.id,
    })) as { id: string };
    expect(live("Contact", contact.id)).toMatchObject({ Name: "Milton Waddams", AccountId: account.id });

    expect(
      await run("update_contact", { Id: contact.id, Title: "Collator", Preferred_Channel__c: "Phone" }),
    ).toEqual({
      id: contact.id,
      success: true,
      errors: [],
    });
    expect(live("Contact", contact.id)).toMatchObject({ Title: "Collator", Preferred_Channel__c: "Phone" });

    await run("delete_record", { object: "Contact", id: contact.id });
    expect(live("Contact", contact.id)).toBeUndefined();
    expect(world.emulator.groundTruth("Contact").deletedIds).toContain(contact.id);
  });

  it("creates and updates an opportunity", async () => {
    const created = (await run("create_opportunity", {
      Name: "Stapler deal",
      StageName: "Prospecting",
      CloseDate: "2026-03-01",
      Amount: 1200,
    })) as { id: string };
    await run("update_opportunity", { Id: created.id, StageName: "Closed Won" });
    expect(live("Opportunity", created.id)).toMatchObject({
      StageName: "Closed Won",
      IsWon: true,
      IsClosed: true,
      Amount: 1200,
    });
  });

  it("refuses bad input before any request: a missing required field, an unknown field, a malformed id", () => {
    expect(() => action("create_contact").input.parse({ FirstName: "No last name" })).toThrow(/LastName/);
    expect(() => action("create_account").input.parse({ Name: "X", Colour: "red" })).toThrow(
      /custom fields end in __c/,
    );
    expect(() => action("update_account").input.parse({ Id: "nope", Name: "X" })).toThrow(/Salesforce id/);
  });

  it("surfaces Salesforce's refusal with its message", async () => {
    await expect(
      run("create_contact", { LastName: "Lumbergh", AccountId: "001000000000000AAA" }),
    ).rejects.toMatchObject({
      code: "provider_request_rejected",
      message: expect.stringContaining("Account ID"),
    });
    await expect(run("delete_record", { object: "Account", id: "0015g00000000zzAAA" })).rejects.toMatchObject(
      {
        message: expect.stringContaining("The requested resource does not exist"),
      },
    );
  });
});
