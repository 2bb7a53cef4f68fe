import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../core/index.ts";
import { sendJson } from "../../http/test-server.ts";
import { defineStream } from "./define-stream.ts";
import type { DeleteRule } from "./delete-rule.ts";
import { type LoopbackApi, queryOf, readPages, recordsOf, startApi } from "./test-helpers.ts";

const PEOPLE = [
  { id: 1, archived: false, active_flag: true, deleted_at: null, updated_at: "2025-01-01T00:01:00Z" },
  {
    id: 2,
    archived: true,
    active_flag: false,
    deleted_at: "2025-01-02T00:00:00Z",
    updated_at: "2025-01-01T00:02:00Z",
  },
  { id: 3, updated_at: "2025-01-01T00:03:00Z" },
];
const DELETED_DEALS = [{ id: 10 }, { id: 11 }, { id: 12 }];

let api: LoopbackApi;

beforeAll(async () => {
  api = await startApi((req, res) => {
    const url = new URL(req.url, "http://x");
    const start = Number(url.searchParams.get("start") ?? 0);
    const page = <T>(rows: T[]) => ({ data: rows.slice(start, start + 2) });
    if (url.pathname === "/people") return sendJson(res, 200, page(PEOPLE));
    if (url.pathname === "/deals" && url.searchParams.get("status") === "deleted")
      return sendJson(res, 200, page(DELETED_DEALS));
    if (url.pathname === "/deals") return sendJson(res, 200, page([{ id: 1 }, { id: 2 }]));
    return sendJson(res, 404, { message: "no route" });
  });
});
afterAll(() => api.close());

const paginator = { type: "offset", offsetParam: "start", limitParam: "limit", limit: 2 } as const;

function peopleWith(deleted: DeleteRule) {
  return defineStream({
    name: "people",
    primaryKey: "id",
    request: { path: "/people" },
    records: "data",
    paginator,
    deleted,
    schema: { columns: { id: "integer" } },
  });
}

/** Which ids the engine will see as deleted: those whose `deletedField` is truthy. */
async function deletedIds(stream: ReturnType<typeof defineStream>, state?: Record<string, never>) {
  const records = recordsOf(
    await readPages(stream, api.http, { fullRefresh: true, ...(state ? { state } : {}) }),
  );
  return records.filter((record) => Boolean(record[stream.deletedField!])).map((record) => record.id);
}

describe("delete rules on a field", () => {
  it("archived equals true: the provider's field is the deleted flag, records are untouched", async () => {
    const stream = peopleWith({ type: "field", field: "archived", equals: true });
    expect(stream.deletedField).toBe("archived");
    expect(await deletedIds(stream)).toEqual([2]);
  });

  it("active_flag equals false: a _deleted flag is added (the field itself is truthy when alive)", async () => {
    const stream = peopleWith({ type: "field", field: "active_flag", equals: false });
    expect(stream.deletedField).toBe("_deleted");
    // Not a declared column: `_deleted` is the destinations' own metadata column, which they fill from it.
    expect(stream.schema.columns._deleted).toBeUndefined();
    const records = recordsOf(await readPages(stream, api.http, { fullRefresh: true }));
    expect(records.map((record) => [record.id, record._deleted])).toEqual([
      [1, false],
      [2, true],
      [3, false],
    ]);
  });

  it("deleted_at not equal to null: only records with a value are deleted, a missing field is not", async () => {
    const stream = peopleWith({ type: "field", field: "deleted_at", notEquals: null });
    expect(await deletedIds(stream)).toEqual([2]);
  });

  it("needs exactly one of equals and notEquals", () => {
    expect(() => peopleWith({ type: "field", field: "deleted_at" })).toThrow(ConfigError);
    expect(() => peopleWith({ type: "field", field: "deleted_at" })).toThrow(
      "deleted: give exactly one of equals or notEquals",
    );
  });
});

describe("a deleted-records endpoint", () => {
  const deals = defineStream({
    name: "deals",
    primaryKey: "id",
    request: { path: "/deals" },
    records: "data",
    paginator,
    deleted: { type: "endpoint", request: { path: "/deals", query: { status: "deleted" } } },
    schema: { columns: { id: "integer" } },
  });

  it("is read after the main endpoint, and its records come out deleted", async () => {
    const pages = await readPages(deals, api.http, { fullRefresh: true });
    expect(recordsOf(pages).map((record) => [record.id, record._deleted])).toEqual([
      [1, false],
      [2, false],
      [10, true],
      [11, true],
      [12, true],
    ]);
    // Main endpoint: a full page, then an empty one that hands over to the deleted phase; only the very
    // last state has no pass.
    expect(pages.map((page) => (page.state.pass as { phase?: string } | undefined)?.phase)).toEqual([
      "records",
      "deleted",
      "deleted",
      undefined,
    ]);
  });

  it("resumes inside the deleted phase from its checkpoint", async () => {
    const before = api.server.requests.length;
    const pages = await readPages(deals, api.http, {
      fullRefresh: true,
      state: { pass: { phase: "deleted", next: 2, startedAt: "2025-01-01T00:00:00Z" } },
    });
    expect(recordsOf(pages).map((record) => record.id)).toEqual([12]);
    expect(queryOf(api.server, before).get("status")).toBe("deleted");
    expect(queryOf(api.server, before).get("start")).toBe("2");
  });

  it("takes the incremental cursor too when declared with since, and leaves the mark to the main records", async () => {
    const incremental = defineStream({
      name: "deals",
      primaryKey: "id",
      request: { path: "/deals" },
      records: "data",
      paginator,
      incremental: { cursorField: "updated", param: "updated_since", format: "date" },
      deleted: {
        type: "endpoint",
        request: { path: "/deals", query: { status: "deleted" } },
        since: true,
      },
      schema: { columns: { id: "integer" } },
    });
    const before = api.server.requests.length;
    const pages = await readPages(incremental, api.http, {
      state: { highWater: "2025-03-04T05:06:07.000Z" },
    });
    const sent = api.server.requests.slice(before).map((_, i) => queryOf(api.server, before + i));
    expect(sent.map((query) => [query.get("status"), query.get("updated_since")])).toEqual([
      [null, "2025-03-04"],
      [null, "2025-03-04"],
      ["deleted", "2025-03-04"],
      ["deleted", "2025-03-04"],
    ]);
    // The main records carry no cursor value, so the mark stays where it was.
    expect(pages.at(-1)?.state).toEqual({ highWater: "2025-03-04T05:06:07.000Z" });
  });
});
