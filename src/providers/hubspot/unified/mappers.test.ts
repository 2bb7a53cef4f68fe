import { describe, expect, it } from "vitest";
import { Account, Contact, Opportunity, Stage, User } from "../../../unified/crm/index.ts";
import { mapContextOf, unifiedId } from "../../../unified/mappers.ts";
import { hubspotAccountMapper } from "./account.ts";
import { hubspotContactMapper } from "./contact.ts";
import { hubspotOpportunityMapper, hubspotStageMapper } from "./opportunity.ts";
import { hubspotUserMapper } from "./user.ts";

const ctx = mapContextOf("conn-1");

const contact = {
  id: "101",
  firstname: "Ada",
  lastname: "Lovelace",
  email: "ada@example.com",
  hs_additional_emails: "ada@work.example;ada@example.com",
  phone: "+49 30 1234",
  city: "Berlin",
  country: "Germany",
  hubspot_owner_id: "77",
  notes_last_updated: "1717243200000",
  createdAt: "2024-05-01T10:00:00.000Z",
  updatedAt: "2024-06-01T10:00:00.000Z",
  archived: false,
  companyIds: ["9", "12"],
};

describe("HubSpot contact → Contact", () => {
  const [mapped] = hubspotContactMapper.fromRecord(contact, ctx);

  it("maps names, the first company as account, the owner, emails, phones, the address and times", () => {
    expect(mapped?.remoteId).toBe("101");
    expect(mapped?.fields).toMatchObject({
      first_name: "Ada",
      last_name: "Lovelace",
      account: unifiedId("conn-1", "companies", "9"),
      owner: unifiedId("conn-1", "owners", "77"),
      email_addresses: [
        { email_address: "ada@example.com", email_address_type: "Primary" },
        { email_address: "ada@work.example", email_address_type: "Additional" },
      ],
      phone_numbers: [{ phone_number: "+49 30 1234", phone_number_type: "Phone" }],
      addresses: [{ city: "Berlin", country: "DE", street_1: null, address_type: null }],
      last_activity_at: "2024-06-01T12:00:00.000Z",
      remote_created_at: "2024-05-01T10:00:00.000Z",
    });
  });

  it("produces a valid Merge Contact", () => {
    expect(Contact.safeParse({ id: "x", ...mapped?.fields }).success).toBe(true);
  });

  it("leaves account, owner and lists empty when the record has none, and drops an unknown country", () => {
    const [bare] = hubspotContactMapper.fromRecord({ id: "5", country: "Atlantis", companyIds: [] }, ctx);
    expect(bare?.fields).toMatchObject({
      account: null,
      owner: null,
      email_addresses: [],
      phone_numbers: [],
      addresses: [{ country: null }],
    });
  });
});

describe("HubSpot company → Account", () => {
  it("maps name, industry, website (or domain), employees, phone and address", () => {
    const [mapped] = hubspotAccountMapper.fromRecord(
      {
        id: "9",
        name: "Blue Peak Inc",
        domain: "bluepeak.example",
        industry: "Software",
        numberofemployees: 120,
        phone: "+1 512 555",
        city: "Austin",
        country: "United States",
        createdAt: "2024-01-01T00:00:00.000Z",
        updatedAt: "2024-02-01T00:00:00.000Z",
      },
      ctx,
    );
    expect(mapped?.fields).toMatchObject({
      name: "Blue Peak Inc",
      website: "bluepeak.example",
      number_of_employees: 120,
      phone_numbers: [{ phone_number: "+1 512 555" }],
      addresses: [{ city: "Austin", country: "US" }],
      remote_updated_at: "2024-02-01T00:00:00.000Z",
    });
    expect(Account.safeParse(mapped?.fields).success).toBe(true);
  });
});

describe("HubSpot deal → Opportunity and Stage", () => {
  const deal = (dealstage: string, extra: Record<string, unknown> = {}) => ({
    id: "300",
    dealname: "Big one",
    amount: 1234.56,
    dealstage,
    pipeline: "default",
    closedate: "2024-09-30T00:00:00.000Z",
    companyIds: ["9"],
    ...extra,
  });

  it("maps status from the stage: closedwon WON, closedlost LOST, others OPEN", () => {
    const status = (stage: string, extra?: Record<string, unknown>) =>
      hubspotOpportunityMapper.fromRecord(deal(stage, extra), ctx)[0]?.fields.status;
    expect(status("closedwon")).toBe("WON");
    expect(status("closedlost")).toBe("LOST");
    expect(status("appointmentscheduled")).toBe("OPEN");
    expect(status("12345", { hs_is_closed: "true" })).toBe("LOST");
    expect(status("12345", { hs_is_closed_won: true, hs_is_closed: true })).toBe("WON");
  });

  it("maps amount (whole units), close date, account and stage", () => {
    const [mapped] = hubspotOpportunityMapper.fromRecord(deal("contractsent"), ctx);
    expect(mapped?.fields).toMatchObject({
      name: "Big one",
      amount: 1235,
      close_date: "2024-09-30T00:00:00.000Z",
      account: unifiedId("conn-1", "companies", "9"),
      stage: unifiedId("conn-1", "stages", "contractsent"),
    });
    expect(Opportunity.safeParse(mapped?.fields).success).toBe(true);
  });

  it("drops an amount that does not fit Merge's 32-bit integer", () => {
    expect(
      hubspotOpportunityMapper.fromRecord(deal("x", { amount: 5e12 }), ctx)[0]?.fields.amount,
    ).toBeNull();
  });

  it("maps a pipeline stage to a Stage named by its label, with the id the deal's opportunity references", () => {
    const stage = {
      id: "contractsent",
      label: "Contract Sent",
      displayOrder: 4,
      metadata: { isClosed: "false", probability: "0.9" },
      pipelineId: "default",
      pipelineLabel: "Sales Pipeline",
    };
    const [mapped] = hubspotStageMapper.fromRecord(stage, ctx);
    expect(mapped).toEqual({
      remoteId: "contractsent",
      idStream: "stages",
      remotePath: "/crm/v3/pipelines/deals/default/stages/contractsent",
      fields: { name: "Contract Sent" },
    });
    expect(Stage.safeParse(mapped?.fields).success).toBe(true);
    const opportunity = hubspotOpportunityMapper.fromRecord(deal("contractsent"), ctx)[0]!;
    expect(opportunity.fields.stage).toBe(unifiedId("conn-1", mapped!.idStream, mapped!.remoteId));
  });
});

describe("unifiedId", () => {
  it("is a stable UUID per connection, stream and provider id", () => {
    const id = unifiedId("c", "contacts", "1");
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(unifiedId("c", "contacts", "1")).toBe(id);
    expect(unifiedId("d", "contacts", "1")).not.toBe(id);
    expect(unifiedId("c", "companies", "1")).not.toBe(id);
  });
});

describe("HubSpot owner → User", () => {
  const owner = {
    id: "41000001",
    email: "ada.lovelace0@owners.example.com",
    type: "PERSON",
    firstName: "Ada",
    lastName: "Lovelace",
    userId: 9500001,
    archived: false,
    _deleted: false,
  };

  it("maps name, email and activity, with the id owner references on other records point at", () => {
    const [mapped] = hubspotUserMapper.fromRecord(owner, ctx);
    expect(mapped).toMatchObject({
      remoteId: "41000001",
      idStream: "owners",
      remotePath: "/crm/v3/owners/41000001",
      fields: { name: "Ada Lovelace", email: "ada.lovelace0@owners.example.com", is_active: true },
    });
    expect(ctx.idOf(mapped!.idStream, mapped!.remoteId)).toBe(
      hubspotContactMapper.fromRecord({ ...contact, hubspot_owner_id: "41000001" }, ctx)[0]?.fields.owner,
    );
    expect(User.safeParse({ id: "x", ...mapped?.fields }).success).toBe(true);
  });

  it("marks a deactivated (archived) owner inactive, and leaves a missing name null", () => {
    const [mapped] = hubspotUserMapper.fromRecord(
      { id: "7", archived: true, firstName: "", lastName: null },
      ctx,
    );
    expect(mapped?.fields).toEqual({ name: null, email: null, is_active: false });
  });
});
