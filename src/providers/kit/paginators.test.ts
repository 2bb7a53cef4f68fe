import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProviderResponseError, RecordInvalidError } from "../../core/index.ts";
import type { PaginationSpec } from "../../http/index.ts";
import { sendJson } from "../../http/test-server.ts";
import { defineStream } from "./define-stream.ts";
import { type LoopbackApi, readPages, recordsOf, startApi } from "./test-helpers.ts";

/** Seven records, ids 1..7, served in every paging style below. */
const ITEMS = Array.from({ length: 7 }, (_, i) => ({ id: i + 1, name: `item ${i + 1}` }));

let api: LoopbackApi;

beforeAll(async () => {
  api = await startApi((req, res) => {
    const url = new URL(req.url, "http://x");
    const num = (name: string, fallback: number) => Number(url.searchParams.get(name) ?? fallback);
    switch (url.pathname) {
      case "/cursor": {
        const start = Number((url.searchParams.get("after") ?? "c0").slice(1));
        const end = start + num("limit", 3);
        const more = end < ITEMS.length;
        return sendJson(res, 200, {
          results: ITEMS.slice(start, end),
          paging: more ? { after: `c${end}` } : {},
        });
      }
      case "/search": {
        const { cursor = 0 } = JSON.parse(req.body) as { cursor?: number };
        const end = cursor + 3;
        return sendJson(res, 200, {
          results: ITEMS.slice(cursor, end),
          next: end < ITEMS.length ? end : null,
        });
      }
      case "/next-url": {
        const start = num("start", 0);
        const next = start + 3 < ITEMS.length ? `/next-url?start=${start + 3}` : null;
        return sendJson(res, 200, { data: { items: ITEMS.slice(start, start + 3) }, links: { next } });
      }
      case "/link": {
        const page = num("page", 1);
        const headers: Record<string, string> =
          page * 3 < ITEMS.length ? { link: `</link?page=${page + 1}>; rel="next"` } : {};
        return sendJson(res, 200, ITEMS.slice((page - 1) * 3, page * 3), headers);
      }
      case "/offset":
        return sendJson(res, 200, {
          data: ITEMS.slice(num("start", 0), num("start", 0) + num("limit", 100)),
        });
      case "/pages": {
        const size = num("per_page", 3);
        const page = num("page", 1);
        return sendJson(res, 200, { data: ITEMS.slice((page - 1) * size, page * size) });
      }
      case "/not-objects":
        return sendJson(res, 200, { data: [{ id: 1 }, "oops"] });
      case "/not-array":
        return sendJson(res, 200, { data: { id: 1 } });
      default:
        return sendJson(res, 404, { message: "no route" });
    }
  });
});

afterAll(() => api.close());

function streamOver(path: string, records: string, paginator: PaginationSpec, method?: "POST") {
  return defineStream({
    name: "items",
    primaryKey: "id",
    request: { path, ...(method ? { method } : {}) },
    records,
    paginator,
    schema: { columns: { id: "integer", name: "string" } },
  });
}

const ids = (pages: Awaited<ReturnType<typeof readPages>>) => recordsOf(pages).map((record) => record.id);
/** The paginator token each page's checkpoint resumes from. */
const nexts = (pages: Awaited<ReturnType<typeof readPages>>) =>
  pages.map((page) => (page.state.pass as { next?: unknown } | undefined)?.next);

describe("declared paginators", () => {
  it("cursor: follows the body's cursor and checkpoints it per page", async () => {
    const stream = streamOver("/cursor", "results", {
      type: "cursor",
      cursorPath: "paging.after",
      param: "after",
    });
    const pages = await readPages(stream, api.http);
    expect(ids(pages)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(nexts(pages)).toEqual(["c3", "c6", undefined]);
    expect(pages.at(-1)?.state).toEqual({});
  });

  it("cursor in the body of a POST search", async () => {
    const stream = streamOver(
      "/search",
      "results",
      { type: "cursor", cursorPath: "next", param: "cursor", in: "body" },
      "POST",
    );
    const before = api.server.requests.length;
    const pages = await readPages(stream, api.http);
    expect(ids(pages)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(api.server.requests.slice(before).map((r) => [r.method, r.body])).toEqual([
      ["POST", "{}"],
      ["POST", '{"cursor":3}'],
      ["POST", '{"cursor":6}'],
    ]);
  });

  it("next_url: follows the next link and selects records at a nested path", async () => {
    const pages = await readPages(
      streamOver("/next-url", "data.items", { type: "next_url", nextPath: "links.next" }),
      api.http,
    );
    expect(ids(pages)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(nexts(pages)[0]).toBe(`${api.server.url}/next-url?start=3`);
  });

  it("link_header: follows rel=next when the body itself is the array", async () => {
    const pages = await readPages(streamOver("/link", "", { type: "link_header" }), api.http);
    expect(ids(pages)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(pages).toHaveLength(3);
  });

  it("offset: stops at the first short page", async () => {
    const stream = streamOver("/offset", "data", {
      type: "offset",
      offsetParam: "start",
      limitParam: "limit",
      limit: 4,
    });
    const pages = await readPages(stream, api.http);
    expect(ids(pages)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(nexts(pages)).toEqual([4, undefined]);
  });

  it("page_number: counts pages from firstPage with a page size", async () => {
    const stream = streamOver("/pages", "data", {
      type: "page_number",
      pageParam: "page",
      sizeParam: "per_page",
      size: 2,
    });
    const pages = await readPages(stream, api.http);
    expect(ids(pages)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(nexts(pages)).toEqual([2, 3, 4, undefined]);
  });
});

describe("resuming and stopping", () => {
  const nextUrl = () => streamOver("/next-url", "data.items", { type: "next_url", nextPath: "links.next" });

  it("resumes from a page's checkpoint with the next page, whatever the token (here a URL)", async () => {
    const [first] = await readPages(nextUrl(), api.http, { maxPages: 1 });
    const before = api.server.requests.length;
    const rest = await readPages(nextUrl(), api.http, { state: first!.state });
    expect(api.server.requests[before]?.url).toBe("/next-url?start=3");
    expect(ids(rest)).toEqual([4, 5, 6, 7]);
  });

  it("stops with the signal: no request after it is aborted", async () => {
    const controller = new AbortController();
    const before = api.server.requests.length;
    const ctx = {
      http: api.http,
      state: undefined,
      fullRefresh: true,
      signal: controller.signal,
      log: { log: () => {} },
    };
    const seen: unknown[] = [];
    const reading = (async () => {
      for await (const page of nextUrl().read(ctx)) {
        seen.push(page);
        controller.abort();
      }
    })();
    await expect(reading).rejects.toThrow(/abort/i);
    expect(seen).toHaveLength(1);
    expect(api.server.requests.length - before).toBe(1);
  });
});

describe("record selection", () => {
  const paginator: PaginationSpec = { type: "offset", offsetParam: "start", limitParam: "limit", limit: 10 };

  it("rejects an item that is not an object, naming it", async () => {
    const error = await readPages(streamOver("/not-objects", "data", paginator), api.http).catch((e) => e);
    expect(error).toBeInstanceOf(RecordInvalidError);
    expect(error.message).toContain('item #1 of /not-objects at "data" is not an object');
  });

  it("rejects a body whose records path is not an array", async () => {
    const error = await readPages(streamOver("/not-array", "data", paginator), api.http).catch((e) => e);
    expect(error).toBeInstanceOf(ProviderResponseError);
    expect(error.message).toContain('expected an array of records at "data" but found an object');
  });
});
