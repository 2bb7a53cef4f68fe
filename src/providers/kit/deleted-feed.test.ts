/**
 * A deleted-records endpoint that is a feed of every change (Pipedrive's `recents`): only the items the
 * rule's `where` names are deletions, each becomes a tombstone with its id from `idAt`, and the feed takes
 * its own cursor parameter in its own format.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../core/index.ts";
import { sendJson } from "../../http/test-server.ts";
import { defineStream } from "./define-stream.ts";
import { type LoopbackApi, queryOf, readPages, recordsOf, startApi } from "./test-helpers.ts";

const PEOPLE = [
  { id: 1, update_time: "2025-01-01T00:01:00Z" },
  { id: 3, update_time: "2025-01-01T00:05:00Z" },
];
const CHANGES = [
  { item: "person", id: 2, data: { id: 2, active_flag: false } },
  { item: "person", id: 3, data: { id: 3, active_flag: true } },
  { item: "person", id: 4, data: { id: 4, active_flag: false } },
];

let api: LoopbackApi;
beforeAll(async () => {
  api = await startApi((req, res) => {
    const url = new URL(req.url, "http://x");
    if (url.pathname === "/people") return sendJson(res, 200, { data: PEOPLE });
    if (url.pathname === "/recents") return sendJson(res, 200, { data: CHANGES });
    return sendJson(res, 404, { message: "no route" });
  });
});
afterAll(() => api.close());

const people = defineStream({
  name: "people",
  primaryKey: "id",
  request: { path: "/people" },
  records: "data",
  paginator: { type: "offset", offsetParam: "start", limitParam: "limit", limit: 10 },
  incremental: { cursorField: "update_time", param: "updated_since", format: "iso8601_seconds" },
  deleted: {
    type: "endpoint",
    request: { path: "/recents", query: { items: "person" } },
    since: { param: "since_timestamp", format: "datetime_space" },
    where: { field: "data.active_flag", equals: false },
    idAt: "data.id",
  },
  schema: { columns: { id: "integer", update_time: "timestamp" } },
});

describe("a deleted-records feed of every change", () => {
  it("is not read by a full pass, which marks deleted what it did not see anyway", async () => {
    const before = api.server.requests.length;
    const pages = await readPages(people, api.http, { fullRefresh: true });
    expect(recordsOf(pages).map((record) => record.id)).toEqual([1, 3]);
    expect(
      api.server.requests.slice(before).map((request) => new URL(request.url, "http://x").pathname),
    ).toEqual(["/people"]);
  });

  it("yields a tombstone for each deletion and skips the other changes", async () => {
    const pages = await readPages(people, api.http, { state: { highWater: "2025-01-01T00:00:00Z" } });
    expect(recordsOf(pages)).toEqual([
      { id: 1, update_time: "2025-01-01T00:01:00Z", _deleted: false },
      { id: 3, update_time: "2025-01-01T00:05:00Z", _deleted: false },
      { id: 2, _deleted: true },
      { id: 4, _deleted: true },
    ]);
  });

  it("sends the feed its own cursor parameter, in its own format, on an incremental read", async () => {
    const before = api.server.requests.length;
    await readPages(people, api.http, { state: { highWater: "2025-01-01T00:05:30.250Z" } });
    expect(queryOf(api.server, before).get("updated_since")).toBe("2025-01-01T00:05:30Z");
    const feed = queryOf(api.server, before + 1);
    expect(feed.get("since_timestamp")).toBe("2025-01-01 00:05:30");
    expect(feed.get("updated_since")).toBeNull();
    expect(feed.get("items")).toBe("person");
  });

  it("refuses an unknown cursor format for the feed when the stream is defined", () => {
    const bad = () =>
      defineStream({
        name: "bad",
        primaryKey: "id",
        request: { path: "/people" },
        records: "data",
        paginator: { type: "link_header" },
        incremental: { cursorField: "update_time", param: "updated_since", format: "iso8601" },
        deleted: {
          type: "endpoint",
          request: { path: "/recents" },
          since: { param: "since_timestamp", format: "yesterday" as "date" },
        },
        schema: { columns: { id: "integer" } },
      });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(/deleted\.since/);
  });
});
