/**
 * HubSpot behaviours the emulator must reproduce: validation errors, the search window, rate limits,
 * changes over time, schema evolution and determinism.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { call } from "../../../emulator/testing.ts";
import { type ApiObject, type HubSpotEmulator, startHubSpotEmulator } from "./index.ts";

type Page = { results: ApiObject[]; paging?: { next: { after: string; link?: string } } };
type SearchPage = Page & { total: number };
type ErrorBody = { status: string; message: string; correlationId: string; category: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const open: HubSpotEmulator[] = [];

async function emulatorWith(options: Parameters<typeof startHubSpotEmulator>[0]): Promise<HubSpotEmulator> {
  const emulator = await startHubSpotEmulator({
    rateLimit: { maxPerInterval: 1_000_000, searchPerSecond: 1_000_000 },
    ...options,
  });
  open.push(emulator);
  return emulator;
}
afterAll(async () => {
  await Promise.all(open.map((emulator) => emulator.close()));
});

describe("list endpoint", () => {
  let emulator: HubSpotEmulator;
  beforeAll(async () => {
    emulator = await emulatorWith({ seed: 3, counts: { contacts: 120, companies: 10, deals: 30 } });
  });

  it("rejects limit over 100 with HubSpot's VALIDATION_ERROR body", async () => {
    const response = await call<ErrorBody>(emulator, "GET", "/crm/v3/objects/contacts?limit=101");
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ status: "error", category: "VALIDATION_ERROR" });
    expect(response.json.message).toContain("100");
    expect(response.json.correlationId).toMatch(UUID);
    expect(response.headers.get("x-hubspot-correlation-id")).toBe(response.json.correlationId);
  });

  it("answers a refused archived flag or owners limit (the kit's parameter errors) in HubSpot's shape", async () => {
    const archived = await call<ErrorBody>(emulator, "GET", "/crm/v3/objects/contacts?archived=maybe");
    expect(archived.status).toBe(400);
    expect(archived.json).toMatchObject({
      status: "error",
      category: "VALIDATION_ERROR",
      message: 'archived must be true or false, but was "maybe".',
    });
    expect(archived.headers.get("x-hubspot-correlation-id")).toBe(archived.json.correlationId);
    const owners = await call<ErrorBody>(emulator, "GET", "/crm/v3/owners/?limit=501");
    expect(owners.json).toMatchObject({ category: "VALIDATION_ERROR" });
    expect(owners.json.message).toContain("limit must be an integer between 1 and 500");
  });

  it("defaults to 10 records and accepts repeated or comma-separated properties", async () => {
    const page = await call<Page>(
      emulator,
      "GET",
      "/crm/v3/objects/contacts?properties=email,phone&properties=jobtitle&properties=nosuchproperty",
    );
    expect(page.json.results).toHaveLength(10);
    expect(Object.keys(page.json.results[0]!.properties).sort()).toEqual([
      "createdate",
      "email",
      "hs_object_id",
      "jobtitle",
      "lastmodifieddate",
      "phone",
    ]);
    const next = await call<Page>(
      emulator,
      "GET",
      `/crm/v3/objects/contacts?after=${page.json.paging!.next.after}`,
    );
    expect(Number(next.json.results[0]!.id)).toBe(Number(page.json.results[9]!.id) + 1);
    expect(page.json.paging!.next.link).toContain(`after=${page.json.paging!.next.after}`);
  });

  it("returns a record by id, 404 with OBJECT_NOT_FOUND otherwise, and 400 for unknown object types", async () => {
    const id = emulator.groundTruth("deals").records[3]!.id;
    const found = await call<ApiObject>(emulator, "GET", `/crm/v3/objects/deals/${id}?properties=amount`);
    expect(found.json.properties.amount).toBe(emulator.groundTruth("deals").records[3]!.properties.amount);
    const missing = await call<ErrorBody>(emulator, "GET", "/crm/v3/objects/deals/1");
    expect(missing.status).toBe(404);
    expect(missing.json.category).toBe("OBJECT_NOT_FOUND");
    const unknown = await call<ErrorBody>(emulator, "GET", "/crm/v3/objects/widgets");
    expect(unknown.status).toBe(400);
  });

  it("rejects writes to unknown or read-only properties", async () => {
    const response = await call<ErrorBody & { errors: { code: string }[] }>(
      emulator,
      "POST",
      "/crm/v3/objects/companies",
      {
        body: { properties: { name: "X", nosuch: "1", hs_object_id: "5" } },
      },
    );
    expect(response.status).toBe(400);
    expect(response.json.errors.map((error) => error.code).sort()).toEqual([
      "PROPERTY_DOESNT_EXIST",
      "READ_ONLY_VALUE",
    ]);
  });
});

describe("search endpoint", () => {
  it("enforces the 10,000-result window", async () => {
    const emulator = await emulatorWith({ seed: 5, counts: { contacts: 10_050, companies: 5, deals: 5 } });
    const body = { sorts: ["hs_object_id"], limit: 200, properties: ["email"] };
    const last = await call<SearchPage>(emulator, "POST", "/crm/v3/objects/contacts/search", {
      body: { ...body, after: "9800" },
    });
    expect(last.status).toBe(200);
    expect(last.json.total).toBe(10_050);
    expect(last.json.results).toHaveLength(200);
    expect(last.json.paging?.next.after).toBe("10000");
    const beyond = await call<ErrorBody>(emulator, "POST", "/crm/v3/objects/contacts/search", {
      body: { ...body, after: last.json.paging!.next.after },
    });
    expect(beyond.status).toBe(400);
    expect(beyond.json).toMatchObject({ status: "error", category: "VALIDATION_ERROR" });
    const tooLarge = await call<ErrorBody>(emulator, "POST", "/crm/v3/objects/contacts/search", {
      body: { limit: 201 },
    });
    expect(tooLarge.status).toBe(400);
  });

  it("filters, sorts and excludes archived records", async () => {
    const emulator = await emulatorWith({ seed: 8, counts: { contacts: 300, companies: 20, deals: 50 } });
    const truth = emulator.groundTruth("contacts").records;
    const withPhone = truth.filter((record) => record.properties.phone !== null).length;
    const has = await call<SearchPage>(emulator, "POST", "/crm/v3/objects/contacts/search", {
      body: { filterGroups: [{ filters: [{ propertyName: "phone", operator: "HAS_PROPERTY" }] }] },
    });
    expect(has.json.total).toBe(withPhone);
    const customers = truth.filter((record) => record.properties.lifecyclestage === "customer").length;
    const leads = truth.filter((record) => record.properties.lifecyclestage === "lead").length;
    const either = await call<SearchPage>(emulator, "POST", "/crm/v3/objects/contacts/search", {
      body: {
        filterGroups: [
          { filters: [{ propertyName: "lifecyclestage", operator: "EQ", value: "customer" }] },
          { filters: [{ propertyName: "lifecyclestage", operator: "IN", values: ["lead"] }] },
        ],
      },
    });
    expect(either.json.total).toBe(customers + leads);
    const byScore = await call<SearchPage>(emulator, "POST", "/crm/v3/objects/contacts/search", {
      body: {
        sorts: [{ propertyName: "hubspotscore", direction: "DESCENDING" }],
        properties: ["hubspotscore"],
        limit: 50,
      },
    });
    const scores = byScore.json.results.map((record) => Number(record.properties.hubspotscore));
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(byScore.json.results.every((record) => record.associations === undefined)).toBe(true);
    const unknown = await call<ErrorBody>(emulator, "POST", "/crm/v3/objects/contacts/search", {
      body: { filterGroups: [{ filters: [{ propertyName: "nope", operator: "EQ", value: "x" }] }] },
    });
    expect(unknown.status).toBe(400);
  });

  it("finds changed records by last-modified time given as epoch millis or ISO", async () => {
    const emulator = await emulatorWith({ seed: 9, counts: { contacts: 500, companies: 30, deals: 80 } });
    const before = Date.parse(emulator.state().clock);
    const change = emulator.mutate({ type: "contacts", updates: 7, creates: 3, archives: 4 });
    const search = (value: string) =>
      call<SearchPage>(emulator, "POST", "/crm/v3/objects/contacts/search", {
        body: {
          filterGroups: [{ filters: [{ propertyName: "lastmodifieddate", operator: "GT", value }] }],
          sorts: [{ propertyName: "lastmodifieddate", direction: "ASCENDING" }],
          properties: ["lastmodifieddate", "jobtitle"],
          limit: 100,
        },
      });
    const byMillis = await search(String(before));
    const byIso = await search(new Date(before).toISOString());
    const expected = [...change.updated, ...change.created];
    expect(byMillis.json.results.map((record) => record.id)).toEqual(expected);
    expect(byIso.json.results.map((record) => record.id)).toEqual(expected);
    expect(byMillis.json.total).toBe(10);
    const archived = await call<Page>(emulator, "GET", "/crm/v3/objects/contacts?archived=true&limit=100");
    expect(archived.json.results.map((record) => record.id).sort()).toEqual([...change.archived].sort());
    expect(
      archived.json.results.every((record) => record.archived && Date.parse(record.archivedAt!) > before),
    ).toBe(true);
    const companies = await call<SearchPage>(emulator, "POST", "/crm/v3/objects/companies/search", {
      body: {
        filterGroups: [
          { filters: [{ propertyName: "hs_lastmodifieddate", operator: "GTE", value: String(before) }] },
        ],
      },
    });
    expect(companies.json.total).toBe(0);
  });

  it("gives many changes the same timestamp when asked to", async () => {
    const emulator = await emulatorWith({ seed: 10, counts: { contacts: 400, companies: 5, deals: 5 } });
    const change = emulator.mutate({ type: "contacts", updates: 250, stepMs: 0 });
    const times = new Set(
      emulator
        .groundTruth("contacts")
        .records.filter((record) => change.updated.includes(record.id))
        .map((record) => record.updatedAt),
    );
    expect(times.size).toBe(1);
  });
});

describe("rate limits", () => {
  it("sends X-HubSpot-RateLimit-* headers and answers 429 with HubSpot's body once the window is spent", async () => {
    const emulator = await emulatorWith({
      seed: 1,
      counts: { contacts: 20, companies: 2, deals: 2 },
      rateLimit: { maxPerInterval: 3, intervalMs: 60_000, daily: 1000, searchPerSecond: 100 },
    });
    const remaining: (string | null)[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await call(emulator, "GET", "/crm/v3/objects/contacts?limit=1");
      expect(response.status).toBe(200);
      expect(response.headers.get("x-hubspot-ratelimit-max")).toBe("3");
      expect(response.headers.get("x-hubspot-ratelimit-interval-milliseconds")).toBe("60000");
      expect(response.headers.get("x-hubspot-ratelimit-daily")).toBe("1000");
      remaining.push(response.headers.get("x-hubspot-ratelimit-remaining"));
    }
    expect(remaining).toEqual(["2", "1", "0"]);
    const limited = await call<Record<string, string>>(emulator, "GET", "/crm/v3/objects/contacts?limit=1");
    expect(limited.status).toBe(429);
    expect(limited.json).toMatchObject({
      status: "error",
      errorType: "RATE_LIMIT",
      policyName: "TEN_SECONDLY_ROLLING",
      message: "You have reached your ten_secondly_rolling limit.",
    });
    expect(limited.json.correlationId).toMatch(UUID);
    expect(limited.headers.get("x-hubspot-ratelimit-remaining")).toBe("0");
    // Limits can be raised at runtime (benchmarks do); the same window then has room again.
    emulator.setRateLimit({ maxPerInterval: 1000 });
    expect((await call(emulator, "GET", "/crm/v3/objects/contacts?limit=1")).status).toBe(200);
  });

  it("limits search per second and sends no rate-limit headers on search, like HubSpot", async () => {
    const emulator = await emulatorWith({
      seed: 1,
      counts: { contacts: 20, companies: 2, deals: 2 },
      rateLimit: { maxPerInterval: 1000, searchPerSecond: 2 },
    });
    const responses = [];
    for (let i = 0; i < 3; i++) {
      responses.push(await call(emulator, "POST", "/crm/v3/objects/contacts/search", { body: {} }));
    }
    // The per-second window opens with the first request, so the third one within it is refused.
    expect(responses.map((response) => response.status)).toEqual([200, 200, 429]);
    expect(responses[0]!.headers.get("x-hubspot-ratelimit-remaining")).toBeNull();
    expect(responses[0]!.headers.get("x-hubspot-correlation-id")).toMatch(UUID);
    expect(responses[2]!.json).toMatchObject({
      policyName: "SECONDLY",
      message: "You have reached your secondly limit.",
    });
    emulator.setRateLimit({ searchPerSecond: 1, searchHeaders: true });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const first = await call(emulator, "POST", "/crm/v3/objects/contacts/search", { body: {} });
    const second = await call(emulator, "POST", "/crm/v3/objects/contacts/search", { body: {} });
    expect(first.headers.get("x-hubspot-ratelimit-max")).toBe("1000");
    expect([first.status, second.status]).toContain(429);
  });

  it("answers 429 DAILY once the daily budget is spent", async () => {
    const emulator = await emulatorWith({
      seed: 1,
      counts: { contacts: 5, companies: 1, deals: 1 },
      rateLimit: { maxPerInterval: 100, daily: 2 },
    });
    await call(emulator, "GET", "/crm/v3/objects/contacts");
    const last = await call(emulator, "GET", "/crm/v3/objects/contacts");
    expect(last.headers.get("x-hubspot-ratelimit-daily-remaining")).toBe("0");
    const over = await call(emulator, "GET", "/crm/v3/objects/contacts");
    expect(over.status).toBe(429);
    expect(over.json).toMatchObject({ policyName: "DAILY", errorType: "RATE_LIMIT" });
  });
});

describe("determinism, schema evolution and controls", () => {
  it("yields the same data and the same changes for the same seed, and different data for another", async () => {
    const options = { counts: { contacts: 200, companies: 15, deals: 40 } };
    const a = await emulatorWith({ seed: 77, ...options });
    const b = await emulatorWith({ seed: 77, ...options });
    const c = await emulatorWith({ seed: 78, ...options });
    for (const type of ["contacts", "companies", "deals"] as const) {
      expect(JSON.stringify(a.groundTruth(type))).toBe(JSON.stringify(b.groundTruth(type)));
    }
    expect(JSON.stringify(a.groundTruth("contacts"))).not.toBe(JSON.stringify(c.groundTruth("contacts")));
    const seeded = JSON.stringify(a.groundTruth("deals"));
    const changeA = a.mutate({ type: "deals", updates: 5, archives: 2, creates: 2 });
    const changeB = b.mutate({ type: "deals", updates: 5, archives: 2, creates: 2 });
    expect(changeA).toEqual(changeB);
    expect(JSON.stringify(a.groundTruth("deals"))).toBe(JSON.stringify(b.groundTruth("deals")));
    expect(JSON.stringify(a.groundTruth("deals"))).not.toBe(seeded);
    a.reset();
    expect(JSON.stringify(a.groundTruth("deals"))).toBe(seeded);
  });

  it("adds a property that the properties API lists and later changes fill", async () => {
    const emulator = await emulatorWith({ seed: 4, counts: { contacts: 50, companies: 5, deals: 5 } });
    const added = await call(emulator, "POST", "/_emulator/add-property", {
      token: null,
      body: {
        objectType: "contacts",
        name: "favourite_colour",
        label: "Favourite colour",
        type: "string",
        fieldType: "text",
      },
    });
    expect(added.status).toBe(201);
    const properties = await call<{ results: { name: string; hubspotDefined: boolean }[] }>(
      emulator,
      "GET",
      "/crm/v3/properties/contacts",
    );
    expect(properties.json.results.find((property) => property.name === "favourite_colour")).toMatchObject({
      hubspotDefined: false,
    });
    const untouched = emulator.groundTruth("contacts").records[0]!;
    expect(untouched.properties.favourite_colour).toBeNull();
    const change = emulator.mutate({ type: "contacts", updates: 3, creates: 1 });
    const changed = emulator
      .groundTruth("contacts")
      .records.filter((record) => [...change.updated, ...change.created].includes(record.id));
    expect(changed).toHaveLength(4);
    expect(changed.every((record) => typeof record.properties.favourite_colour === "string")).toBe(true);
    const duplicate = await call(emulator, "POST", "/_emulator/add-property", {
      token: null,
      body: {
        objectType: "contacts",
        name: "favourite_colour",
        label: "Again",
        type: "string",
        fieldType: "text",
      },
    });
    expect(duplicate.status).toBe(409);
  });

  it("serves state, mutate and reset over HTTP without a token", async () => {
    const emulator = await emulatorWith({ seed: 6, counts: { contacts: 40, companies: 4, deals: 4 } });
    const mutated = await call<{ created: string[] }>(emulator, "POST", "/_emulator/mutate", {
      token: null,
      body: { type: "contacts", creates: 2, archives: 1 },
    });
    expect(mutated.json.created).toHaveLength(2);
    const state = await call<{ objects: { contacts: { live: number; archived: number } } }>(
      emulator,
      "GET",
      "/_emulator/state",
      { token: null },
    );
    expect(state.json.objects.contacts).toMatchObject({ live: 41, archived: 1 });
    const truth = await call<{ records: unknown[]; archivedIds: string[] }>(
      emulator,
      "GET",
      "/_emulator/ground-truth/contacts",
      { token: null },
    );
    expect(truth.json.records).toHaveLength(41);
    await call(emulator, "POST", "/_emulator/reset", { token: null });
    expect(emulator.state().objects.contacts).toMatchObject({ live: 40, archived: 0 });
  });

  it("moves contacts to another company or none without moving their modification time", async () => {
    const emulator = await emulatorWith({ seed: 8, counts: { contacts: 60, companies: 6, deals: 4 } });
    const companiesOf = () =>
      new Map(
        emulator
          .groundTruth("contacts")
          .records.map((record) => [record.id, record.associations?.companies?.results.map((r) => r.id)]),
      );
    const before = emulator.groundTruth("contacts").records;
    const companiesBefore = companiesOf();
    const mutated = await call<{ reassociated: string[] }>(emulator, "POST", "/_emulator/mutate", {
      token: null,
      body: { type: "contacts", reassociations: 12 },
    });
    const moved = mutated.json.reassociated;
    expect(moved).toHaveLength(12);
    const companiesAfter = companiesOf();
    for (const id of moved) expect(companiesAfter.get(id)).not.toEqual(companiesBefore.get(id));
    // Everything else is as it was, modification times included.
    const after = emulator.groundTruth("contacts").records;
    expect(after.map((record) => record.updatedAt)).toEqual(before.map((record) => record.updatedAt));
    expect(after.filter((record) => !moved.includes(record.id))).toEqual(
      before.filter((record) => !moved.includes(record.id)),
    );
    const refused = await call<{ message: string }>(emulator, "POST", "/_emulator/mutate", {
      token: null,
      body: { type: "companies", reassociations: 1 },
    });
    expect(refused.status).toBe(400);
    expect(refused.json.message).toMatch(/contacts or deals/);
  });
});

describe("associations", () => {
  let emulator: HubSpotEmulator;
  beforeAll(async () => {
    emulator = await emulatorWith({ seed: 12, counts: { contacts: 100, companies: 8, deals: 20 } });
  });
  afterEach(() => emulator.reset());

  it("reads contact→company in batch (v4 and v3), with 207 errors for ids without associations", async () => {
    const truth = emulator.groundTruth("contacts").records;
    const withCompany = truth.find((record) => record.associations?.companies)!;
    const without = truth.find((record) => !record.associations)!;
    const v4 = await call<{
      results: { from: { id: string }; to: { toObjectId: number }[] }[];
      numErrors: number;
    }>(emulator, "POST", "/crm/v4/associations/contacts/companies/batch/read", {
      body: { inputs: [{ id: withCompany.id }, { id: without.id }] },
    });
    expect(v4.status).toBe(207);
    expect(v4.json.numErrors).toBe(1);
    expect(v4.json.results[0]!.to.map((to) => String(to.toObjectId))).toEqual([
      withCompany.associations!.companies!.results[0]!.id,
    ]);
    const v3 = await call<{ results: { to: { id: string; type: string }[] }[] }>(
      emulator,
      "POST",
      "/crm/v3/associations/contact/company/batch/read",
      { body: { inputs: [{ id: withCompany.id }] } },
    );
    expect(v3.status).toBe(200);
    expect(v3.json.results[0]!.to[0]).toEqual({
      id: withCompany.associations!.companies!.results[0]!.id,
      type: "contact_to_company",
    });
  });

  it("lists a company's contacts in the reverse direction, minus archived ones", async () => {
    const truth = emulator.groundTruth("contacts").records;
    const companyId = truth.find((record) => record.associations?.companies)!.associations!.companies!
      .results[0]!.id;
    const expected = truth
      .filter((record) => record.associations?.companies?.results[0]?.id === companyId)
      .map((record) => Number(record.id));
    const response = await call<{ results: { to: { toObjectId: number }[] }[] }>(
      emulator,
      "POST",
      "/crm/v4/associations/companies/contacts/batch/read",
      { body: { inputs: [{ id: companyId }] } },
    );
    expect(response.json.results[0]!.to.map((to) => to.toObjectId)).toEqual(expected);
    const tooMany = await call(emulator, "POST", "/crm/v4/associations/contacts/companies/batch/read", {
      body: { inputs: Array.from({ length: 1001 }, (_, i) => ({ id: String(i + 1) })) },
    });
    expect(tooMany.status).toBe(400);
  });
});
