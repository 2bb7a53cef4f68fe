import { beforeAll, describe, expect } from "vitest";
import { itOnSqliteAndPostgres, postgresAvailable } from "../../../test/helpers/postgres.ts";
import { patchConnection } from "../../store/index.ts";
import { openApiWorld } from "./api-world.test-helper.ts";

const HOUR = 3_600_000;

// itOnSqliteAndPostgres checks for Postgres as the tests are collected; let those checks finish before the
// SQLite scenarios keep the event loop busy (their 2 s connect timeout trips on a loaded machine otherwise).
beforeAll(() => postgresAvailable());

describe("GET /v1/overview", () => {
  describe("counts connections, the last day's runs and the records series of the caller's environment", () => {
    itOnSqliteAndPostgres(async (store) => {
      const world = await openApiWorld(store);
      try {
        const a = await world.connection({ provider: "hubspot" });
        const b = await world.connection({ provider: "hubspot" });
        const c = await world.connection({ provider: "pipedrive" });
        const elsewhere = await world.connection({ provider: "hubspot", env: "prod" });
        await patchConnection(store.db, b, { status: "needs_reauth" });
        await world.finishedRun(a, {
          status: "succeeded",
          agoMs: 3 * HOUR,
          stats: { recordsAdded: 100, recordsUpdated: 5, recordsDeleted: 1 },
        });
        await world.finishedRun(a, {
          status: "succeeded",
          agoMs: 3 * HOUR + 1_000,
          stats: { recordsAdded: 20, recordsUpdated: 2 },
        });
        await world.finishedRun(c, { status: "succeeded", agoMs: 2 * HOUR, stats: { recordsUpdated: 7 } });
        await world.finishedRun(c, {
          status: "failed",
          agoMs: 1 * HOUR,
          error: { code: "provider_unavailable", message: "Pipedrive kept failing (last: HTTP 502)." },
        });
        // Older than 24 h: in the daily series, not in the hourly one or the runs of the last day.
        await world.finishedRun(a, { status: "succeeded", agoMs: 50 * HOUR, stats: { recordsAdded: 1_000 } });
        await world.finishedRun(elsewhere, {
          status: "succeeded",
          agoMs: HOUR,
          stats: { recordsAdded: 9_999 },
        });

        const overview = await world.dev.get("/v1/overview");
        expect(overview.connections).toEqual({
          total: 3,
          by_status: { active: 2, needs_reauth: 1 },
          by_provider: [
            { provider: "hubspot", total: 2, by_status: { active: 1, needs_reauth: 1 } },
            { provider: "pipedrive", total: 1, by_status: { active: 1 } },
          ],
        });
        expect(overview.runs).toMatchObject({ succeeded: 3, failed: 1, running: 0 });
        expect(overview.issues).toEqual({ open: 2, muted: 0 });
        expect(overview.records.bucket).toBe("hour");
        expect(overview.records.series).toHaveLength(25);
        const series = overview.records.series;
        const total = (key: "added" | "updated" | "deleted") => series.reduce((sum, b) => sum + b[key], 0);
        expect([total("added"), total("updated"), total("deleted")]).toEqual([120, 14, 1]);
        // Each run counts in the hour it finished: the two of three hours ago together.
        const threeHoursAgo = new Date(Date.now() - 3 * HOUR - 500).toISOString().slice(0, 13);
        expect(series.find((b) => b.at.startsWith(threeHoursAgo))).toMatchObject({ runs: 2, added: 120 });
        expect(series.reduce((sum, b) => sum + b.runs, 0)).toBe(4);
        expect(series.filter((b) => b.runs > 0).every((b) => b.at.endsWith(":00:00.000Z"))).toBe(true);

        const daily = await world.dev.get("/v1/overview", { query: { bucket: "day" } });
        expect(daily.records.series).toHaveLength(31);
        expect(daily.records.series.reduce((sum, b) => sum + b.added, 0)).toBe(1_120);
        expect(daily.records.series.every((b) => b.at.endsWith("T00:00:00.000Z"))).toBe(true);

        const since = new Date(Date.now() - 6 * HOUR).toISOString();
        const recent = await world.dev.get("/v1/overview", { query: { since } });
        expect(recent.records.series).toHaveLength(7);

        const prod = await world.prod.get("/v1/overview");
        expect(prod.connections.total).toBe(1);
        expect(prod.records.series.reduce((sum, b) => sum + b.added, 0)).toBe(9_999);
        expect(prod.issues).toEqual({ open: 0, muted: 0 });
      } finally {
        await world.close();
      }
    });
  });

  describe("bad query parameters get a clear 400", () => {
    itOnSqliteAndPostgres(async (store) => {
      const world = await openApiWorld(store);
      try {
        const cases: [Record<string, string>, RegExp][] = [
          [{ bucket: "week" }, /request_invalid: .*bucket/],
          [{ since: "yesterday" }, /request_invalid: .*since/],
          [{ since: new Date(Date.now() + HOUR).toISOString() }, /argument_invalid: .*not in the past/],
          [{ since: new Date(Date.now() - 8 * 24 * HOUR).toISOString() }, /argument_invalid: .*7 days/],
          [
            { bucket: "day", since: new Date(Date.now() - 91 * 24 * HOUR).toISOString() },
            /argument_invalid: .*90 days/,
          ],
        ];
        for (const [query, message] of cases) {
          const reply = await world.dev.request("GET", "/v1/overview", { query: query as never });
          expect(reply.status).toBe(400);
          expect(reply.ok ? "" : `${reply.problem.code}: ${reply.problem.detail}`).toMatch(message);
        }
      } finally {
        await world.close();
      }
    });
  });
});
