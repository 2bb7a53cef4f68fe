import { describe, expect, it } from "vitest";
import { Account, Contact, Opportunity, Stage, User } from "../../../unified/crm/index.ts";
import { mapContextOf, unifiedId } from "../../../unified/mappers.ts";
import { salesforceMappers } from "./index.ts";

const ctx = mapContextOf("conn-1");
const map = (model: string, record: Record<string, unknown>) =>
  salesforceMappers.find((mapper) => mapper.model === model)!.fromRecord(record, ctx)[0]!;
const system = { CreatedDate: "2025-01-02T03:04:05.000Z", LastModifiedDate: "2025-02-02T03:04:05.000Z" };

describe("Salesforce Contact → Contact", () => {
  const mapped = map("Contact", {
    ...{ Id: "003000000000001AAA", FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com" },
    ...{ Phone: "+1 212 555 0101", MobilePhone: "+1 646 555 0101", AccountId: "001000000000009AAA" },
    ...{ OwnerId: "005000000000002AAA", MailingStreet: "12 Main Street\nSuite 4", MailingCity: "London" },
    ...{ MailingCountry: "United Kingdom", ...system },
  });

  it("maps names, account and owner lookups, email, phones and the mailing address, at the sObject path", () => {
    expect(mapped).toMatchObject({
      remoteId: "003000000000001AAA",
      remotePath: "/services/data/v62.0/sobjects/Contact/003000000000001AAA",
    });
    expect(mapped.fields).toMatchObject({
      first_name: "Ada",
      account: unifiedId("conn-1", "accounts", "001000000000009AAA"),
      owner: unifiedId("conn-1", "users", "005000000000002AAA"),
      email_addresses: [{ email_address: "ada@example.com", email_address_type: "Email" }],
      phone_numbers: [
        { phone_number: "+1 212 555 0101", phone_number_type: "Phone" },
        { phone_number: "+1 646 555 0101", phone_number_type: "Mobile" },
      ],
      addresses: [{ street_1: "12 Main Street", street_2: "Suite 4", city: "London", country: "GB" }],
      remote_created_at: "2025-01-02T03:04:05.000Z",
    });
    expect(Contact.safeParse({ id: "x", ...mapped.fields }).success).toBe(true);
  });

  it("leaves account null, and email and addresses empty, when the contact has none", () => {
    expect(map("Contact", { Id: "003B", LastName: "X", AccountId: null }).fields).toMatchObject({
      account: null,
      email_addresses: [],
      addresses: [],
    });
  });
});

describe("Salesforce Account → Account", () => {
  it("maps name, industry, website, employees, phone and the billing address as BILLING", () => {
    const mapped = map("Account", {
      ...{ Id: "001A", Name: "Acme Corp", Industry: "Technology", Website: "https://acme.example" },
      ...{ NumberOfEmployees: 120, Phone: "+1 415 555 0000", BillingCity: "Austin", BillingCountry: "USA" },
      ...system,
    });
    expect(mapped.fields).toMatchObject({
      name: "Acme Corp",
      industry: "Technology",
      number_of_employees: 120,
      phone_numbers: [{ phone_number: "+1 415 555 0000", phone_number_type: "Phone" }],
      addresses: [{ city: "Austin", country: "US", address_type: "BILLING" }],
      remote_updated_at: "2025-02-02T03:04:05.000Z",
    });
    expect(Account.safeParse(mapped.fields).success).toBe(true);
  });
});

describe("Salesforce Opportunity → Opportunity", () => {
  const opportunity = (extra: Record<string, unknown>) =>
    map("Opportunity", { Id: "006A", Name: "Big", Amount: 2500.4, StageName: "Closed Won", ...extra }).fields;

  it("is OPEN until closed, then WON or LOST by IsWon", () => {
    expect(opportunity({ IsClosed: false, IsWon: false }).status).toBe("OPEN");
    expect(opportunity({ IsClosed: true, IsWon: true }).status).toBe("WON");
    expect(opportunity({ IsClosed: true, IsWon: false }).status).toBe("LOST");
  });

  it("references the stage by its ApiName (StageName), and maps amount and close date", () => {
    const fields = opportunity({ IsClosed: true, IsWon: true, CloseDate: "2026-03-01T00:00:00.000Z" });
    expect(fields).toMatchObject({
      amount: 2500,
      stage: unifiedId("conn-1", "stages", "Closed Won"),
      close_date: "2026-03-01T00:00:00.000Z",
    });
    expect(Opportunity.safeParse(fields).success).toBe(true);
  });
});

describe("Salesforce User and OpportunityStage", () => {
  it("maps a user's name, email and IsActive", () => {
    const user = map("User", {
      Id: "005A",
      Name: "Integration User",
      Email: "i@example.com",
      IsActive: true,
    });
    expect(user.fields).toEqual({ name: "Integration User", email: "i@example.com", is_active: true });
    expect(User.safeParse(user.fields).success).toBe(true);
  });

  it("maps a stage with its ApiName as remote id and MasterLabel as name, at its record's path", () => {
    const stage = map("Stage", { Id: "01J000000000001AAA", ApiName: "Prospecting", MasterLabel: "Prospect" });
    expect(stage).toMatchObject({
      remoteId: "Prospecting",
      idStream: "stages",
      remotePath: "/services/data/v62.0/sobjects/OpportunityStage/01J000000000001AAA",
      fields: { name: "Prospect" },
    });
    expect(Stage.safeParse(stage.fields).success).toBe(true);
  });
});
