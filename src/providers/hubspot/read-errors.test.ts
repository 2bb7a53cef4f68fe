/**
 * Bad provider responses and bad saved state fail with the right typed error and a clear message.
 * A stub HTTP client serves canned bodies, so each case is exactly one broken thing.
 */
import { describe, expect, it } from "vitest";
import {
  ConfigError,
  type HttpClient,
  type HttpRequest,
  type HttpResponse,
  ProviderResponseError,
  type ReadContext,
  RecordInvalidError,
  type StreamState,
} from "../../core/index.ts";
import { convertValue } from "../kit/index.ts";
import { streamNamed } from "./test-harness.ts";

// HubSpot's values are converted by the kit (value-types.ts); these pin the forms HubSpot sends.
const convertTimestamp = (raw: string) => convertValue(raw, "timestamp");

const PROPERTIES = {
  results: [
    { name: "dealname", type: "string" },
    { name: "amount", type: "number" },
    { name: "hs_lastmodifieddate", type: "datetime" },
  ],
};
const GOOD_DEAL = {
  id: "9000000001",
  properties: { dealname: "A", amount: "12.5", hs_lastmodifieddate: "2024-01-02T03:04:05.678Z" },
  createdAt: "2024-01-01T00:00:00.000Z",
  updatedAt: "2024-01-02T03:04:05.678Z",
  archived: false,
};

/** Answers by request kind: properties, search, the companies list (no companies), list, associations. */
function stubClient(bodies: { list?: unknown; search?: unknown; properties?: unknown }): HttpClient {
  return {
    async request<T>(request: HttpRequest): Promise<HttpResponse<T>> {
      const body = request.path.startsWith("/crm/v3/properties")
        ? (bodies.properties ?? PROPERTIES)
        : request.path === "/crm/v3/objects/companies"
          ? { results: [] }
          : request.path.endsWith("/search")
            ? (bodies.search ?? { total: 1, results: [GOOD_DEAL] })
            : request.path.includes("/associations/")
              ? { status: "COMPLETE", results: [] }
              : (bodies.list ?? { results: [GOOD_DEAL] });
      return {
        status: 200,
        headers: {},
        body: body as T,
        bytes: 0,
        url: `https://api.hubapi.com${request.path}`,
      };
    },
  };
}

async function readAll(http: HttpClient, options: { state?: StreamState; fullRefresh?: boolean } = {}) {
  const ctx: ReadContext = {
    http,
    state: options.state,
    fullRefresh: options.fullRefresh ?? true,
    signal: new AbortController().signal,
    log: { log: () => {} },
  };
  const records = [];
  for await (const page of streamNamed("deals").read(ctx)) records.push(...page.records);
  return records;
}

describe("provider responses at the boundary", () => {
  it("reads a well-formed response (the stub itself is sound)", async () => {
    const records = await readAll(stubClient({}));
    expect(records[0]).toMatchObject({
      id: "9000000001",
      dealname: "A",
      amount: 12.5,
      archived: false,
      companyIds: [],
    });
  });

  it("rejects a page whose results are not an array with ProviderResponseError", async () => {
    const failure = readAll(stubClient({ list: { results: { id: "1" } } }));
    await expect(failure).rejects.toBeInstanceOf(ProviderResponseError);
    await expect(failure).rejects.toThrow(/deals list page did not have the expected shape \(results:/);
  });

  it("rejects a property list of the wrong shape with ProviderResponseError", async () => {
    await expect(
      readAll(stubClient({ properties: { results: [{ label: "no name" }] } })),
    ).rejects.toBeInstanceOf(ProviderResponseError);
  });

  it("rejects a record without an id with RecordInvalidError", async () => {
    const { id: _id, ...withoutId } = GOOD_DEAL;
    const failure = readAll(stubClient({ list: { results: [GOOD_DEAL, withoutId] } }));
    await expect(failure).rejects.toBeInstanceOf(RecordInvalidError);
    await expect(failure).rejects.toThrow(/result #1 of the page has no id/);
  });

  it("rejects a value that is not of its property's type, naming record and property", async () => {
    const bad = { ...GOOD_DEAL, properties: { ...GOOD_DEAL.properties, amount: "twelve" } };
    await expect(readAll(stubClient({ list: { results: [bad] } }))).rejects.toThrow(
      /record 9000000001: property amount: "twelve" is not a number/,
    );
  });

  it("rejects a search record with a broken modification time", async () => {
    const bad = { ...GOOD_DEAL, properties: { ...GOOD_DEAL.properties, hs_lastmodifieddate: "yesterday" } };
    const failure = readAll(stubClient({ search: { total: 1, results: [bad] } }), {
      fullRefresh: false,
      state: { since: "2024-01-01T00:00:00.000Z" },
    });
    await expect(failure).rejects.toBeInstanceOf(RecordInvalidError);
  });

  it("rejects a saved state it did not write with ConfigError and a way out", async () => {
    const failure = readAll(stubClient({}), { fullRefresh: false, state: { cursor: 5 } });
    await expect(failure).rejects.toBeInstanceOf(ConfigError);
    await expect(failure).rejects.toMatchObject({ hint: expect.stringContaining("full refresh") });
  });
});

describe("value conversion", () => {
  it("reads HubSpot's time formats as ISO UTC", () => {
    expect(convertTimestamp("1700000000000")).toEqual({ ok: true, value: "2023-11-14T22:13:20.000Z" });
    expect(convertTimestamp("2024-02-29")).toEqual({ ok: true, value: "2024-02-29T00:00:00.000Z" });
    expect(convertTimestamp("2024-02-29T10:00:00+02:00")).toEqual({
      ok: true,
      value: "2024-02-29T08:00:00.000Z",
    });
    expect(convertTimestamp("soon").ok).toBe(false);
  });

  it("converts numbers, integers and booleans strictly, and empty values to null", () => {
    expect(convertValue("1500.5", "number")).toEqual({ ok: true, value: 1500.5 });
    expect(convertValue("12.5", "integer").ok).toBe(false);
    expect(convertValue("TRUE", "boolean")).toEqual({ ok: true, value: true });
    expect(convertValue("yes", "boolean").ok).toBe(false);
    expect(convertValue("", "number")).toEqual({ ok: true, value: null });
    expect(convertValue(null, "string")).toEqual({ ok: true, value: null });
  });
});
