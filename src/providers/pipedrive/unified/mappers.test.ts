import { describe, expect, it } from "vitest";
import { Account, Contact, Opportunity, Stage, User } from "../../../unified/crm/index.ts";
import { mapContextOf, unifiedId } from "../../../unified/mappers.ts";
import { pipedriveMappers } from "./index.ts";

const ctx = mapContextOf("conn-1");
const mapperOf = (model: string) => pipedriveMappers.find((mapper) => mapper.model === model)!;
const map = (model: string, record: Record<string, unknown>) => mapperOf(model).fromRecord(record, ctx)[0]!;

describe("Pipedrive person → Contact", () => {
  const person = {
    ...{ id: 12, name: "Ada Lovelace", first_name: "Ada", last_name: "Lovelace", org_id: 4, owner_id: 2 },
    emails: [
      { value: "ada@home.example", primary: false, label: "home" },
      { value: "ada@work.example", primary: true, label: "work" },
    ],
    phones: [
      { value: "+372 555 0101", primary: true, label: "mobile" },
      { value: "", label: "work" },
    ],
    add_time: "2025-04-01T10:00:00Z",
  };
  const mapped = map("Contact", person);

  it("maps names, the organization as account, the owner, labelled emails (primary first) and phones", () => {
    expect(mapped).toMatchObject({ remoteId: "12", idStream: "persons", remotePath: "/api/v2/persons/12" });
    expect(mapped.fields).toMatchObject({
      first_name: "Ada",
      last_name: "Lovelace",
      account: unifiedId("conn-1", "organizations", "4"),
      owner: unifiedId("conn-1", "users", "2"),
      email_addresses: [
        { email_address: "ada@work.example", email_address_type: "work" },
        { email_address: "ada@home.example", email_address_type: "home" },
      ],
      phone_numbers: [{ phone_number: "+372 555 0101", phone_number_type: "mobile" }],
      remote_created_at: "2025-04-01T10:00:00.000Z",
    });
    expect(Contact.safeParse({ id: "x", ...mapped.fields }).success).toBe(true);
  });

  it("leaves account and owner null and the lists empty when the person has none", () => {
    expect(map("Contact", { id: 3, org_id: null, emails: null }).fields).toMatchObject({
      account: null,
      owner: null,
      email_addresses: [],
      phone_numbers: [],
    });
  });
});

describe("Pipedrive organization → Account", () => {
  it("maps the name, the owner and v2's address object (country as an ISO code)", () => {
    const mapped = map("Account", {
      ...{
        id: 4,
        name: "Acme 4",
        owner_id: 1,
        add_time: "2025-01-01T00:00:00Z",
        update_time: "2025-02-01T00:00:00Z",
      },
      address: { value: "Main Street 9", street_number: "9", route: "Main Street", locality: "Berlin" },
    });
    expect(mapped.fields).toMatchObject({
      name: "Acme 4",
      owner: unifiedId("conn-1", "users", "1"),
      addresses: [{ street_1: "9 Main Street", city: "Berlin", country: null, address_type: null }],
      remote_updated_at: "2025-02-01T00:00:00.000Z",
    });
    const withCountry = map("Account", { id: 5, address: { value: "Tallinn", country: "Estonia" } });
    expect(withCountry.fields.addresses).toEqual([
      expect.objectContaining({ street_1: "Tallinn", country: "EE" }),
    ]);
    expect(map("Account", { id: 6, address: null }).fields.addresses).toEqual([]);
    expect(Account.safeParse(mapped.fields).success).toBe(true);
  });
});

describe("Pipedrive deal → Opportunity", () => {
  const deal = (status: string) =>
    map("Opportunity", {
      id: 30,
      title: "Deal 30",
      value: 1234.5,
      status,
      stage_id: 3,
      org_id: 4,
      owner_id: 2,
    });

  it("maps status open/won/lost to OPEN/WON/LOST and a deleted deal's to null", () => {
    expect(["open", "won", "lost", "deleted"].map((status) => deal(status).fields.status)).toEqual([
      "OPEN",
      "WON",
      "LOST",
      null,
    ]);
  });

  it("maps title, value (whole units), stage, account and owner as references", () => {
    expect(deal("open").fields).toMatchObject({
      name: "Deal 30",
      amount: 1235,
      stage: unifiedId("conn-1", "stages", "3"),
      account: unifiedId("conn-1", "organizations", "4"),
      owner: unifiedId("conn-1", "users", "2"),
    });
    expect(Opportunity.safeParse(deal("won").fields).success).toBe(true);
  });
});

describe("Pipedrive users and stages", () => {
  it("maps a user's name, email and active flag, at the v1 path", () => {
    const user = map("User", { id: 2, name: "Mia User2", email: "user2@example.test", active_flag: false });
    expect(user).toMatchObject({ remoteId: "2", remotePath: "/v1/users/2" });
    expect(user.fields).toEqual({ name: "Mia User2", email: "user2@example.test", is_active: false });
    expect(User.safeParse(user.fields).success).toBe(true);
  });

  it("maps a stage by its id, which deals reference", () => {
    const stage = map("Stage", { id: 3, name: "Demo Scheduled", pipeline_id: 1 });
    expect(stage).toMatchObject({ remoteId: "3", idStream: "stages", fields: { name: "Demo Scheduled" } });
    expect(Stage.safeParse(stage.fields).success).toBe(true);
  });
});
