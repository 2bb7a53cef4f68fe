import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProviderResponseError } from "../core/index.ts";
import { type ClosableHttpClient, createHttpClient } from "./client.ts";
import {
  createPaginator,
  cursorPaginator,
  linkHeaderPaginator,
  nextUrlPaginator,
  offsetPaginator,
  type Page,
  type PageToken,
  pageNumberPaginator,
  paginate,
  parseLinkHeader,
} from "./pagination.ts";
import { sendJson, startTestServer, type TestServer } from "./test-server.ts";

/** Seven records, ids 1..7, served by every strategy below. */
const ITEMS = Array.from({ length: 7 }, (_, i) => ({ id: i + 1 }));
const ALL_IDS = ITEMS.map((item) => item.id);

let server: TestServer;
let http: ClosableHttpClient;

beforeAll(async () => {
  server = await startTestServer((req, res) => {
    const url = new URL(req.url, "http://localhost");
    const q = url.searchParams;
    const num = (name: string, fallback: number) => Number(q.get(name) ?? fallback);
    switch (url.pathname) {
      case "/api/cursor": {
        // HubSpot style: paging.next.after, absent on the last page.
        const start = num("after", 0);
        const limit = num("limit", 2);
        const end = start + limit;
        const body = {
          results: ITEMS.slice(start, end),
          ...(end < ITEMS.length ? { paging: { next: { after: String(end) } } } : {}),
        };
        return sendJson(res, 200, body);
      }
      case "/api/search": {
        const { after = 0, limit } = JSON.parse(req.body) as { after?: string | number; limit: number };
        const end = Number(after) + limit;
        return sendJson(res, 200, {
          results: ITEMS.slice(Number(after), end),
          next: end < ITEMS.length ? end : null,
        });
      }
      case "/api/next-url": {
        const start = num("start", 0);
        const next = start + 3 < ITEMS.length ? `/api/next-url?start=${start + 3}` : null;
        return sendJson(res, 200, { data: ITEMS.slice(start, start + 3), links: { next } });
      }
      case "/api/link": {
        const page = num("page", 1);
        const last = Math.ceil(ITEMS.length / 3);
        const links = [
          `<${server.url}/api/link?page=1>; rel="first"`,
          `<${server.url}/api/link?page=${last}>; rel="last"`,
        ];
        if (page < last) links.push(`<${server.url}/api/link?page=${page + 1}>; rel="next"`);
        return sendJson(res, 200, ITEMS.slice((page - 1) * 3, page * 3), { link: links.join(", ") });
      }
      case "/api/offset":
        return sendJson(res, 200, {
          items: ITEMS.slice(num("offset", 0), num("offset", 0) + num("limit", 100)),
        });
      case "/api/pages": {
        const size = num("per_page", 3);
        const page = num("page", 1);
        return sendJson(res, 200, { items: ITEMS.slice((page - 1) * size, page * size) });
      }
      case "/api/stuck":
        return sendJson(res, 200, { results: [{ id: 1 }], paging: { next: { after: "same" } } });
      default:
        return sendJson(res, 404, { message: "no route" });
    }
  });
  http = createHttpClient({
    provider: "acme",
    baseUrl: `${server.url}/api`,
    auth: { type: "bearer" },
    credentials: { type: "bearer", token: "t0ken" },
    retryDelay: { baseMs: 1, maxMs: 5 },
    allowPrivateAddresses: true,
  });
});

afterAll(async () => {
  await http.close();
  await server.close();
});

async function collect<T>(pages: AsyncIterable<Page<T>>): Promise<Page<T>[]> {
  const out: Page<T>[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

const ids = (pages: Page[]) => pages.flatMap((page) => page.records.map((r) => (r as { id: number }).id));
const nexts = (pages: Page[]) => pages.map((page) => page.next);

describe("paginate", () => {
  it("follows a cursor in the body, sent back as a query parameter", async () => {
    const pages = await collect(
      paginate(
        http,
        { path: "/cursor", query: { limit: 2 } },
        cursorPaginator({ cursorPath: "paging.next.after", param: "after" }),
        { records: "results" },
      ),
    );
    expect(ids(pages)).toEqual(ALL_IDS);
    expect(nexts(pages)).toEqual(["2", "4", "6", undefined]);
    expect(server.requests.at(-1)?.url).toBe("/api/cursor?limit=2&after=6");
  });

  it("sends the cursor in the JSON body for POST searches", async () => {
    const before = server.requests.length;
    const pages = await collect(
      paginate(
        http,
        { method: "POST", path: "/search", body: { limit: 3, filters: [] } },
        cursorPaginator({ cursorPath: "next", param: "after", in: "body" }),
        { records: "results" },
      ),
    );
    expect(ids(pages)).toEqual(ALL_IDS);
    expect(nexts(pages)).toEqual([3, 6, undefined]);
    const bodies = server.requests.slice(before).map((r) => JSON.parse(r.body));
    expect(bodies).toEqual([
      { limit: 3, filters: [] },
      { limit: 3, filters: [], after: 3 },
      { limit: 3, filters: [], after: 6 },
    ]);
  });

  it("follows a next URL in the body, resolving relative links to absolute tokens", async () => {
    const pages = await collect(
      paginate(http, { path: "/next-url" }, nextUrlPaginator({ nextPath: "links.next" }), {
        records: "data",
      }),
    );
    expect(ids(pages)).toEqual(ALL_IDS);
    expect(nexts(pages)).toEqual([
      `${server.url}/api/next-url?start=3`,
      `${server.url}/api/next-url?start=6`,
      undefined,
    ]);
  });

  it('follows the Link header rel="next", with records at the top level', async () => {
    const pages = await collect(paginate(http, { path: "/link" }, linkHeaderPaginator(), { records: "" }));
    expect(ids(pages)).toEqual(ALL_IDS);
    expect(nexts(pages)).toEqual([
      `${server.url}/api/link?page=2`,
      `${server.url}/api/link?page=3`,
      undefined,
    ]);
  });

  it("walks offset and limit until a short page", async () => {
    const pages = await collect(
      paginate(
        http,
        { path: "/offset" },
        offsetPaginator({ offsetParam: "offset", limitParam: "limit", limit: 3 }),
        {
          records: "items",
        },
      ),
    );
    expect(ids(pages)).toEqual(ALL_IDS);
    expect(nexts(pages)).toEqual([3, 6, undefined]);
    expect(server.requests.at(-1)?.url).toBe("/api/offset?offset=6&limit=3");
  });

  it("walks page numbers until a short page when the size is known", async () => {
    const pages = await collect(
      paginate(
        http,
        { path: "/pages" },
        pageNumberPaginator({ pageParam: "page", sizeParam: "per_page", size: 3 }),
        { records: "items" },
      ),
    );
    expect(ids(pages)).toEqual(ALL_IDS);
    expect(nexts(pages)).toEqual([2, 3, undefined]);
  });

  it("walks page numbers until an empty page when the size is unknown", async () => {
    const pages = await collect(
      paginate(http, { path: "/pages" }, createPaginator({ type: "page_number", pageParam: "page" }), {
        records: "items",
      }),
    );
    expect(ids(pages)).toEqual(ALL_IDS);
    expect(nexts(pages)).toEqual([2, 3, 4, undefined]);
    expect(pages.at(-1)?.records).toEqual([]);
  });

  it("resumes from a saved token of every strategy (JSON round trip) without re-reading earlier pages", async () => {
    const cases = [
      {
        request: { path: "/cursor", query: { limit: 2 } },
        spec: { type: "cursor", cursorPath: "paging.next.after", param: "after" },
        records: "results",
      },
      { request: { path: "/next-url" }, spec: { type: "next_url", nextPath: "links.next" }, records: "data" },
      { request: { path: "/link" }, spec: { type: "link_header" }, records: "" },
      {
        request: { path: "/offset" },
        spec: { type: "offset", offsetParam: "offset", limitParam: "limit", limit: 3 },
        records: "items",
      },
      {
        request: { path: "/pages" },
        spec: { type: "page_number", pageParam: "page", sizeParam: "per_page", size: 3 },
        records: "items",
      },
    ] as const;
    for (const { request, spec, records } of cases) {
      const paginator = createPaginator(spec);
      const full = await collect(paginate(http, request, paginator, { records }));
      // As a stream would: save `next` of the first page as state, crash, and start again from it.
      const saved = JSON.parse(JSON.stringify({ next: full[0]!.next })) as { next: PageToken };
      const resumed = await collect(paginate(http, request, paginator, { records, resumeFrom: saved.next }));
      expect(ids(resumed), spec.type).toEqual(ids(full.slice(1)));
    }
  });

  it("fails clearly when the records are not where the path says", async () => {
    const pages = paginate(http, { path: "/cursor" }, cursorPaginator({ cursorPath: "x", param: "after" }), {
      records: "items",
    });
    const error = await collect(pages).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderResponseError);
    expect((error as Error).message).toContain('expected an array of records at "items" but found nothing');
  });

  it("stops instead of looping when the cursor does not advance", async () => {
    const seen: Page[] = [];
    const error = await (async () => {
      for await (const page of paginate(
        http,
        { path: "/stuck" },
        cursorPaginator({ cursorPath: "paging.next.after", param: "after" }),
        { records: "results" },
      )) {
        seen.push(page);
      }
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderResponseError);
    expect((error as Error).message).toContain("did not advance");
    expect(seen).toHaveLength(1);
  });

  it("stops between pages when the signal aborts", async () => {
    const controller = new AbortController();
    const seen: Page[] = [];
    const error = await (async () => {
      for await (const page of paginate(
        http,
        { path: "/offset" },
        offsetPaginator({ offsetParam: "offset", limitParam: "limit", limit: 2 }),
        { records: "items", signal: controller.signal },
      )) {
        seen.push(page);
        controller.abort(new Error("cancelled"));
      }
    })().catch((e: unknown) => e);
    expect((error as Error).message).toBe("cancelled");
    expect(seen).toHaveLength(1);
  });
});

describe("parseLinkHeader", () => {
  it("maps rel names to URLs, with quoted, unquoted and multiple rels", () => {
    expect(
      parseLinkHeader(
        '<https://a.test/?p=2>; rel="next", <https://a.test/?p=9>; rel=last, <https://a.test/?p=1>; rel="first prev"',
      ),
    ).toEqual({
      next: "https://a.test/?p=2",
      last: "https://a.test/?p=9",
      first: "https://a.test/?p=1",
      prev: "https://a.test/?p=1",
    });
    expect(parseLinkHeader("")).toEqual({});
  });
});
