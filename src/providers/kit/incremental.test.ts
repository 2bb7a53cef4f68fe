import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { RecordInvalidError } from "../../core/index.ts";
import { sendJson } from "../../http/test-server.ts";
import type { CursorFormat } from "./cursor-format.ts";
import { defineStream } from "./define-stream.ts";
import { type LoopbackApi, queryOf, readPages, recordsOf, startApi } from "./test-helpers.ts";

interface Deal {
  id: number;
  updated_at: string;
}

/** Deals updated one minute apart from 2025-01-01 00:01 (Pipedrive v1 style times: UTC, space). */
let deals: Deal[];
const minute = (n: number) => `2025-01-01 00:${String(n).padStart(2, "0")}:00`;
const iso = (n: number) => `2025-01-01T00:${String(n).padStart(2, "0")}:00.000Z`;

let api: LoopbackApi;

beforeAll(async () => {
  api = await startApi((req, res) => {
    const url = new URL(req.url, "http://x");
    const since = url.searchParams.get("updated_since");
    const sinceMs =
      since === null ? -Infinity : /^\d+$/.test(since) ? Number(since) * 1000 : Date.parse(since);
    const matching = deals
      .filter((deal) => since === null || Date.parse(`${deal.updated_at.replace(" ", "T")}Z`) >= sinceMs)
      .sort((a, b) => a.updated_at.localeCompare(b.updated_at) || a.id - b.id);
    const start = Number(url.searchParams.get("start") ?? 0);
    return sendJson(res, 200, { data: matching.slice(start, start + 2) });
  });
});
beforeEach(() => {
  deals = Array.from({ length: 5 }, (_, i) => ({ id: i + 1, updated_at: minute(i + 1) }));
});
afterAll(() => api.close());

function dealsStream(options: { lookbackSeconds?: number; format?: CursorFormat; now?: () => Date } = {}) {
  return defineStream(
    {
      name: "deals",
      primaryKey: "id",
      request: { path: "/deals" },
      records: "data",
      paginator: { type: "offset", offsetParam: "start", limitParam: "limit", limit: 2 },
      incremental: {
        cursorField: "updated_at",
        param: "updated_since",
        format: options.format ?? "iso8601_seconds",
        lookbackSeconds: options.lookbackSeconds ?? 0,
      },
      schema: { columns: { id: "integer", updated_at: "timestamp" } },
    },
    options.now ? { now: options.now } : {},
  );
}

const ids = (pages: Awaited<ReturnType<typeof readPages>>) => recordsOf(pages).map((record) => record.id);

describe("incremental reads", () => {
  it("a full read sends no cursor and ends at the latest cursor seen; mid-pass states keep the old mark", async () => {
    const before = api.server.requests.length;
    const pages = await readPages(dealsStream(), api.http, { fullRefresh: true });
    expect(ids(pages)).toEqual([1, 2, 3, 4, 5]);
    expect(queryOf(api.server, before).has("updated_since")).toBe(false);
    expect(pages[0]?.state).toMatchObject({ pass: { phase: "records", next: 2, latest: iso(2) } });
    expect(pages[0]?.state).not.toHaveProperty("highWater");
    expect(pages.at(-1)?.state).toEqual({ highWater: iso(5) });
  });

  it("reads changes from the high-water mark minus the lookback, in the declared format", async () => {
    deals.push({ id: 6, updated_at: minute(7) });
    const before = api.server.requests.length;
    const pages = await readPages(dealsStream({ lookbackSeconds: 120 }), api.http, {
      state: { highWater: iso(5) },
    });
    // The lookback re-reads deals 3..5 (00:03 to 00:05) as well as the new one.
    expect(queryOf(api.server, before).get("updated_since")).toBe("2025-01-01T00:03:00Z");
    expect(ids(pages)).toEqual([3, 4, 5, 6]);
    expect(pages[0]?.state).toMatchObject({ highWater: iso(5), pass: { since: iso(3) } });
    expect(pages.at(-1)?.state).toEqual({ highWater: iso(7) });
  });

  it("sends unix seconds when the parameter takes them", async () => {
    const before = api.server.requests.length;
    const pages = await readPages(dealsStream({ format: "unix_seconds" }), api.http, {
      state: { highWater: iso(4) },
    });
    expect(queryOf(api.server, before).get("updated_since")).toBe(String(Date.parse(iso(4)) / 1000));
    expect(ids(pages)).toEqual([4, 5]);
  });

  it("never moves the mark past the pass's start, nor backwards", async () => {
    const startedAt = new Date(iso(3));
    const capped = await readPages(dealsStream({ now: () => startedAt }), api.http, { fullRefresh: true });
    expect(capped.at(-1)?.state).toEqual({ highWater: iso(3) });

    deals = deals.filter((deal) => deal.id < 3);
    const none = await readPages(dealsStream({ lookbackSeconds: 600 }), api.http, {
      state: { highWater: iso(5) },
    });
    expect(ids(none)).toEqual([1, 2]);
    expect(none.at(-1)?.state).toEqual({ highWater: iso(5) });
  });

  it("resumes from a mid-stream checkpoint: same since, next page, latest carried over", async () => {
    const stream = dealsStream();
    const first = await readPages(stream, api.http, { state: { highWater: iso(1) }, maxPages: 1 });
    expect(ids(first)).toEqual([1, 2]);
    const checkpoint = first[0]!.state;
    expect(checkpoint).toMatchObject({ highWater: iso(1), pass: { since: iso(1), next: 2, latest: iso(2) } });

    // The crash happened here; a deal not yet read changes before the run is retried.
    deals[4] = { id: 5, updated_at: minute(9) };
    const before = api.server.requests.length;
    const rest = await readPages(stream, api.http, { state: checkpoint });
    expect(queryOf(api.server, before).get("updated_since")).toBe("2025-01-01T00:01:00Z");
    expect(queryOf(api.server, before).get("start")).toBe("2");
    expect(ids(rest)).toEqual([3, 4, 5]);
    expect(rest[0]?.state).toMatchObject({
      highWater: iso(1),
      pass: { since: iso(1), next: 4, latest: iso(4) },
    });
    expect(rest.at(-1)?.state).toEqual({ highWater: iso(9) });
  });

  it("a full refresh does not resume an incremental pass", async () => {
    const before = api.server.requests.length;
    const pages = await readPages(dealsStream(), api.http, {
      fullRefresh: true,
      state: { pass: { phase: "records", since: iso(4), next: 2, startedAt: iso(30) } },
    });
    expect(ids(pages)).toEqual([1, 2, 3, 4, 5]);
    expect(queryOf(api.server, before).has("updated_since")).toBe(false);
  });

  it("fails with a RecordInvalidError when a cursor value is not a time", async () => {
    deals[1] = { id: 2, updated_at: "yesterday" };
    const error = await readPages(dealsStream(), api.http, { fullRefresh: true }).catch((e) => e);
    expect(error).toBeInstanceOf(RecordInvalidError);
    expect(error.message).toContain('"updated_at" holds "yesterday"');
  });
});
