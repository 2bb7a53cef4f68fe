/**
 * The official `pipedrive` client (API v1 and v2), pointed at the emulator, lists, gets, creates, updates
 * and deletes persons, organizations and deals, and reads users and field definitions.
 */
import * as v1 from "pipedrive/v1";
import * as v2 from "pipedrive/v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customKey, type PipedriveEmulator, startPipedriveEmulator } from "./index.ts";

let emulator: PipedriveEmulator;
let api: {
  persons: v2.PersonsApi;
  organizations: v2.OrganizationsApi;
  deals: v2.DealsApi;
  users: v1.UsersApi;
  personFields: v1.PersonFieldsApi;
};

beforeAll(async () => {
  emulator = await startPipedriveEmulator({ counts: { persons: 30, organizations: 10, deals: 12 } });
  const config2 = new v2.Configuration({ apiKey: emulator.tokens[0]!, basePath: `${emulator.url}/api/v2` });
  const config1 = new v1.Configuration({ apiKey: emulator.tokens[0]!, basePath: `${emulator.url}/v1` });
  api = {
    persons: new v2.PersonsApi(config2),
    organizations: new v2.OrganizationsApi(config2),
    deals: new v2.DealsApi(config2),
    users: new v1.UsersApi(config1),
    personFields: new v1.PersonFieldsApi(config1),
  };
});
afterAll(() => emulator.close());

describe("the official pipedrive client against the emulator", () => {
  it("pages through every person with v2 cursors", async () => {
    const ids: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await api.persons.getPersons({ limit: 7, ...(cursor ? { cursor } : {}) });
      expect(page.success).toBe(true);
      ids.push(...(page.data ?? []).map((person) => person.id!));
      cursor = page.additional_data?.next_cursor ?? undefined;
    } while (cursor);
    expect(ids).toEqual(emulator.groundTruth("persons").records.map((record) => record.id));
  });

  it("creates, gets, updates and deletes a person, an organization and a deal", async () => {
    const org = await api.organizations.addOrganization({ AddOrganizationRequest: { name: "Initech" } });
    const orgId = org.data!.id!;
    const person = await api.persons.addPerson({
      AddPersonRequest: {
        name: "Peter Gibbons",
        org_id: orgId,
        emails: [{ value: "peter@initech.test", primary: true, label: "work" }],
      },
    });
    const personId = person.data!.id!;
    const deal = await api.deals.addDeal({
      AddDealRequest: {
        title: "TPS reports",
        value: 1200,
        currency: "USD",
        person_id: personId,
        org_id: orgId,
      },
    });
    const dealId = deal.data!.id!;

    expect((await api.persons.getPerson({ id: personId })).data).toMatchObject({
      name: "Peter Gibbons",
      org_id: orgId,
      is_deleted: false,
    });
    await api.persons.updatePerson({ id: personId, UpdatePersonRequest: { name: "Pete Gibbons" } });
    await api.organizations.updateOrganization({
      id: orgId,
      UpdateOrganizationRequest: { name: "Initrode" },
    });
    const updated = await api.deals.updateDeal({ id: dealId, UpdateDealRequest: { status: "won" } });
    expect(updated.data).toMatchObject({ title: "TPS reports", status: "won", value: 1200 });
    expect((await api.persons.getPerson({ id: personId })).data?.name).toBe("Pete Gibbons");
    expect((await api.organizations.getOrganization({ id: orgId })).data?.name).toBe("Initrode");

    expect((await api.deals.deleteDeal({ id: dealId })).data).toEqual({ id: dealId });
    await api.persons.deletePerson({ id: personId });
    await api.organizations.deleteOrganization({ id: orgId });
    // Deleted records are gone from gets and lists; a deleted deal is listed under status=deleted.
    await expect(api.persons.getPerson({ id: personId })).rejects.toMatchObject({
      success: false,
      error: "Person not found",
      data: null,
    });
    const deleted = await api.deals.getDeals({ status: "deleted" });
    expect(deleted.data?.map((d) => [d.id, d.is_deleted])).toEqual([[dealId, true]]);
    expect(emulator.groundTruth("organizations").deletedIds).toEqual([orgId]);
  });

  it("filters v2 lists by updated_since", async () => {
    emulator.change({ entities: ["deals"], updates: 3 });
    const all = emulator.groundTruth("deals").records;
    const latest = all
      .map((d) => String(d.update_time))
      .sort()
      .at(-3)!;
    const page = await api.deals.getDeals({ updated_since: latest, limit: 500 });
    expect(page.data?.every((deal) => deal.update_time! >= latest)).toBe(true);
    expect(page.data?.length).toBe(all.filter((d) => String(d.update_time) >= latest).length);
  });

  it("lists recent changes since a time, deletions included (v1 recents)", async () => {
    const changed = emulator.change({ entities: ["persons"], updates: 2, deletes: 1 }).persons!;
    const since = new Date(Date.parse(String(emulator.state().clock)) - 3000).toISOString();
    const recents = new v1.RecentsApi(
      new v1.Configuration({ apiKey: emulator.tokens[0]!, basePath: `${emulator.url}/v1` }),
    );
    const page = await recents.getRecents({
      since_timestamp: since.slice(0, 19).replace("T", " "),
      items: "person",
    });
    const seen = page.data?.map((item) => [item.id, (item.data as { active_flag: boolean }).active_flag]);
    expect(seen).toEqual([...changed.updated.map((id) => [id, true]), [changed.archived[0], false]]);
    await expect(recents.getRecents({ since_timestamp: "yesterday" })).rejects.toMatchObject({
      success: false,
    });
  });

  it("reads the current user, the users and the person fields with their custom fields (v1)", async () => {
    const me = await api.users.getCurrentUser();
    expect(me.data).toMatchObject({ id: 1, is_you: true, company_domain: "emulated" });
    const users = await api.users.getUsers();
    expect(users.data?.length).toBe(6);
    const fields = await api.personFields.getPersonFields({ start: 0, limit: 500 });
    const channel = fields.data?.find((field) => field.key === customKey("persons", "Preferred channel"));
    expect(channel).toMatchObject({ name: "Preferred channel", field_type: "enum", edit_flag: true });
    expect(channel?.key).toMatch(/^[0-9a-f]{40}$/);
    const page = await api.personFields.getPersonFields({ start: 0, limit: 5 });
    // The client's model flattens it; Pipedrive sends it under `pagination`, as other v1 lists.
    expect((page.additional_data as { pagination?: unknown }).pagination).toMatchObject({
      start: 0,
      limit: 5,
      more_items_in_collection: true,
      next_start: 5,
    });
  });

  it("refuses a wrong token in Pipedrive's error body, with its rate-limit headers", async () => {
    const response = await fetch(`${emulator.url}/api/v2/persons?limit=1`, {
      headers: { "x-api-token": "nope" },
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      success: false,
      error: "unauthorized access",
      error_info: expect.any(String),
      data: null,
      additional_data: null,
    });
    const ok = await fetch(`${emulator.url}/v1/users/me?api_token=${emulator.tokens[0]}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("x-ratelimit-limit")).toBe("80");
    expect(Number(ok.headers.get("x-ratelimit-remaining"))).toBeLessThan(80);
    expect(ok.headers.get("x-ratelimit-reset")).toMatch(/^\d+$/);
  });
});
