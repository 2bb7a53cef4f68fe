import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../core/index.ts";
import { sendJson } from "../../http/test-server.ts";
import { discoverFields } from "./field-catalog.ts";
import { defineDiscovery, defineEndpoint } from "./pieces.ts";
import { type LoopbackApi, queryOf, startApi } from "./test-helpers.ts";

const PEOPLE = Array.from({ length: 5 }, (_, i) => ({ id: String(i + 1) }));

/** People two at a time, `after` the id of the next one; and a fields endpoint. */
async function api(): Promise<LoopbackApi> {
  return startApi((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/v1/fields") {
      return sendJson(res, 200, {
        fields: [
          { name: "score", type: "number" },
          { name: "note", type: "text" },
        ],
      });
    }
    const from = Number(url.searchParams.get("after") ?? 1) - 1;
    const results = PEOPLE.slice(from, from + 2);
    const next = PEOPLE[from + 2];
    return sendJson(res, 200, { results, ...(next ? { paging: { next: { after: next.id } } } : {}) });
  });
}

const people = defineEndpoint(
  {
    request: { path: "/v1/people", query: { limit: 2 } },
    records: "results",
    paginator: { type: "cursor", cursorPath: "paging.next.after", param: "after" },
  },
  "The people list",
);

describe("defineEndpoint", () => {
  let server: LoopbackApi;
  beforeAll(async () => {
    server = await api();
  });
  afterAll(() => server.close());

  it("builds the request of any page, with the read's own parameters", () => {
    expect(people.requestFor({ archived: "true" }, "3")).toEqual({
      method: "GET",
      path: "/v1/people",
      query: { limit: 2, archived: "true", after: "3" },
    });
  });

  it("finds the next page's token in a response, and none after the last page", async () => {
    const first = await server.http.request(people.requestFor());
    expect(people.nextToken(first, [])).toBe("3");
    const last = await server.http.request(people.requestFor({}, "5"));
    expect(people.nextToken(last, [])).toBeUndefined();
  });

  it("reads every page from a resume token on, with the read's parameters", async () => {
    const ctx = { http: server.http, signal: new AbortController().signal };
    const pages = [];
    for await (const page of people.pages(ctx, { params: { archived: "false" }, resumeFrom: "3" })) {
      pages.push({ ids: page.records.map((r) => (r as { id: string }).id), next: page.next });
    }
    expect(pages).toEqual([
      { ids: ["3", "4"], next: "5" },
      { ids: ["5"], next: undefined },
    ]);
    expect(queryOf(server.server, server.server.requests.length - 1).get("archived")).toBe("false");
  });

  it("is checked when it is defined, naming what is wrong", () => {
    expect(() =>
      defineEndpoint(
        { request: { path: "v1/people" }, records: "results", paginator: { type: "link_header" } },
        "The people list",
      ),
    ).toThrow(/^The people list is not a valid declaration: request\.path: must start with \//);
    expect(() =>
      defineEndpoint({ request: { path: "/v1/people" }, records: "results", paginator: {} as never }, "x"),
    ).toThrow(ConfigError);
  });
});

describe("defineDiscovery", () => {
  it("fills the defaults, and a hand-written stream reads its catalog with discoverFields", async () => {
    const spec = defineDiscovery(
      { request: { path: "/v1/fields" }, records: "fields", key: "name", types: { number: "number" } },
      "The people fields",
    );
    expect(spec).toMatchObject({ key: "name", name: "name", type: "type" });
    const server = await api();
    try {
      const catalog = await discoverFields(
        spec,
        { id: "string" },
        { http: server.http, signal: new AbortController().signal },
      );
      expect([...catalog.types]).toEqual([
        ["score", "number"],
        ["note", "string"],
        ["id", "string"],
      ]);
    } finally {
      await server.close();
    }
  });

  it("is checked when it is defined", () => {
    expect(() => defineDiscovery({ request: { path: "/v1/fields" } } as never, "The people fields")).toThrow(
      /^The people fields is not a valid declaration: records: /,
    );
  });
});
