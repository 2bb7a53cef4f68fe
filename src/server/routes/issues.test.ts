import { beforeAll, describe, expect } from "vitest";
import { itOnSqliteAndPostgres, postgresAvailable } from "../../../test/helpers/postgres.ts";
import { setConnectionStatus } from "../../app/connections/status.ts";
import { issuesRefresher, refreshIssues } from "../../app/issues/refresh-issues.ts";
import { deleteConnectionCascade, getConnection } from "../../store/index.ts";
import { openApiWorld } from "./api-world.test-helper.ts";

const MINUTE = 60_000;
const rejected = {
  code: "credentials_rejected",
  message: "HubSpot rejected the credentials (HTTP 401: expired token).",
  hint: "Check the token or re-authorise the connection.",
};

// itOnSqliteAndPostgres checks for Postgres as the tests are collected; let those checks finish before the
// SQLite scenarios keep the event loop busy (their 2 s connect timeout trips on a loaded machine otherwise).
beforeAll(() => postgresAvailable());

describe("issues API", () => {
  describe("an auth failure opens an issue, a later success resolves it, muting hides it and lasts", () => {
    itOnSqliteAndPostgres(async (store) => {
      const world = await openApiWorld(store);
      try {
        const connectionId = await world.connection({ endUser: "acme" });
        const healthy = await world.connection({ endUser: "globex" });
        await world.finishedRun(healthy, { status: "succeeded", agoMs: 40 * MINUTE });
        await world.finishedRun(connectionId, { status: "failed", agoMs: 30 * MINUTE, error: rejected });

        const opened = await world.dev.get("/v1/issues");
        expect(opened.data).toEqual([
          expect.objectContaining({
            connection_id: connectionId,
            provider: "hubspot",
            end_user: { id: "acme", email: null, organization: null },
            cause: "auth_failed",
            stream: null,
            title: "HubSpot rejected the connection's credentials",
            status: "open",
            muted: false,
            occurrences: 1,
            detail: rejected.message,
            hint: rejected.hint,
            error_code: "credentials_rejected",
            resolved_at: null,
          }),
        ]);
        const issueId = opened.data[0]!.id;

        // A second failure is another occurrence of the same issue, not a new one.
        const second = await world.finishedRun(connectionId, {
          status: "failed",
          agoMs: 20 * MINUTE,
          error: rejected,
        });
        const again = await world.dev.get("/v1/issues/:id", { params: { id: issueId } });
        expect(again).toMatchObject({ occurrences: 2, last_run_id: second, status: "open" });
        expect(again.last_seen_at > again.first_seen_at).toBe(true);

        // Muted: out of the default list and the open count, still listed with muted=true.
        expect(await world.dev.post("/v1/issues/:id/mute", { params: { id: issueId } })).toMatchObject({
          muted: true,
        });
        expect((await world.dev.get("/v1/issues")).data).toEqual([]);
        expect(
          (await world.dev.get("/v1/issues", { query: { muted: "true" } })).data.map((i) => i.id),
        ).toEqual([issueId]);
        expect((await world.dev.get("/v1/overview")).issues).toEqual({ open: 0, muted: 1 });

        // A later successful run of the connection resolves it.
        const success = await world.finishedRun(connectionId, { status: "succeeded", agoMs: 10 * MINUTE });
        const resolved = await world.dev.get("/v1/issues/:id", { params: { id: issueId } });
        expect(resolved).toMatchObject({ status: "resolved", resolved_by_run_id: success, muted: true });
        expect(resolved.resolved_at).toEqual(expect.any(String));
        expect((await world.dev.get("/v1/issues", { query: { muted: "any" } })).data).toEqual([]);
        const history = await world.dev.get("/v1/issues", { query: { status: "resolved", muted: "any" } });
        expect(history.data.map((issue) => issue.id)).toEqual([issueId]);

        // The problem comes back: a new issue, muted like the last one (muting survives resolution).
        await world.finishedRun(connectionId, { status: "failed", agoMs: 5 * MINUTE, error: rejected });
        const back = await world.dev.get("/v1/issues", { query: { muted: "any" } });
        expect(back.data).toEqual([
          expect.objectContaining({ cause: "auth_failed", muted: true, occurrences: 1, status: "open" }),
        ]);
        expect(back.data[0]!.id).not.toBe(issueId);
        const newId = back.data[0]!.id;
        await world.dev.post("/v1/issues/:id/unmute", { params: { id: newId } });
        expect((await world.dev.get("/v1/issues")).data.map((issue) => issue.id)).toEqual([newId]);

        // Another environment's key sees none of it.
        expect((await world.prod.get("/v1/issues", { query: { status: "any", muted: "any" } })).data).toEqual(
          [],
        );
        for (const call of [
          world.prod.request("GET", "/v1/issues/:id", { params: { id: newId } }),
          world.prod.request("POST", "/v1/issues/:id/mute", { params: { id: newId } }),
          world.prod.request("POST", "/v1/issues/:id/unmute", { params: { id: newId } }),
        ]) {
          const reply = await call;
          expect(reply.ok ? reply.status : reply.problem.code).toBe("not_found");
        }
        expect((await world.dev.get("/v1/issues/:id", { params: { id: newId } })).muted).toBe(false);
        expect((await world.prod.get("/v1/overview")).issues).toEqual({ open: 0, muted: 0 });
      } finally {
        await world.close();
      }
    });
  });

  describe("causes come from runs' typed errors and needs_reauth; per-stream ones resolve when that stream succeeds", () => {
    itOnSqliteAndPostgres(async (store) => {
      const world = await openApiWorld(store);
      try {
        const connectionId = await world.connection();
        await world.finishedRun(connectionId, {
          status: "failed",
          agoMs: 50 * MINUTE,
          error: {
            code: "provider_unavailable",
            message: "HubSpot kept failing after 5 attempts (last: HTTP 503).",
          },
        });
        await world.finishedRun(connectionId, {
          status: "failed",
          agoMs: 45 * MINUTE,
          error: {
            code: "provider_unavailable",
            message: "HubSpot kept failing after 5 attempts (last: HTTP 429).",
          },
        });
        await world.finishedRun(connectionId, {
          status: "failed",
          agoMs: 40 * MINUTE,
          error: { code: "record_invalid", message: 'A record of stream "deals" is invalid: no id' },
        });
        await world.finishedRun(connectionId, {
          status: "failed",
          agoMs: 35 * MINUTE,
          error: { code: "destination_failed", message: 'Destination "duckdb" failed: disk full' },
        });
        // Stopped on purpose: no issue.
        await world.finishedRun(connectionId, {
          status: "failed",
          agoMs: 34 * MINUTE,
          error: { code: "run_aborted", message: "The run was stopped before it finished." },
        });
        const open = await world.dev.get("/v1/issues");
        expect(open.data.map((issue) => [issue.cause, issue.stream]).sort()).toEqual([
          ["other", null],
          ["provider_down", null],
          ["rate_limited", null],
          ["schema_change", "deals"],
        ]);
        const byCause = await world.dev.get("/v1/issues", { query: { cause: "schema_change" } });
        expect(byCause.data).toHaveLength(1);
        expect(byCause.data[0]!.title).toContain("deals");

        // A success that did not read `deals` resolves the connection-wide issues only.
        await world.finishedRun(connectionId, {
          status: "succeeded",
          agoMs: 20 * MINUTE,
          streams: ["contacts"],
        });
        expect((await world.dev.get("/v1/issues")).data.map((issue) => issue.cause)).toEqual([
          "schema_change",
        ]);
        await world.finishedRun(connectionId, {
          status: "succeeded",
          agoMs: 10 * MINUTE,
          streams: ["contacts", "deals"],
        });
        expect((await world.dev.get("/v1/issues")).data).toEqual([]);
        // A connection that needs re-authorising has an auth_failed issue before any run fails.
        const reauthId = await world.connection({ endUser: "initech" });
        await setConnectionStatus(store.db, await getConnection(store.db, reauthId), "needs_reauth", {
          code: "reauthorization_required",
          message: "HubSpot refused the refresh token.",
          hint: "Have the end user connect the account again.",
        });
        const list = await world.dev.get("/v1/issues", { query: { connection_id: reauthId } });
        expect(list.data).toEqual([
          expect.objectContaining({
            cause: "auth_failed",
            error_code: "reauthorization_required",
            detail: "HubSpot refused the refresh token.",
            last_run_id: null,
          }),
        ]);
        // Reading again does not open another one.
        expect(
          (await world.dev.get("/v1/issues", { query: { status: "any", connection_id: reauthId } })).data,
        ).toHaveLength(1);
        const all = await world.dev.get("/v1/issues", {
          query: { status: "any", connection_id: connectionId, limit: 2 },
        });
        expect(all.data).toHaveLength(2);
        const paged: string[] = [];
        for await (const issue of world.dev.list("/v1/issues", {
          query: { status: "resolved", connection_id: connectionId, limit: 1 },
        }))
          paged.push(issue.cause);
        expect(paged.sort()).toEqual(["other", "provider_down", "rate_limited", "schema_change"]);

        // Deleting a connection deletes its issues (and its runs' samples) with it.
        await deleteConnectionCascade(store.db, connectionId);
        expect((await world.dev.get("/v1/issues", { query: { status: "any", muted: "any" } })).data).toEqual([
          expect.objectContaining({ connection_id: reauthId }),
        ]);
      } finally {
        await world.close();
      }
    });
  });

  describe("two processes refreshing at once apply each run once; bad query parameters get a clear 400", () => {
    itOnSqliteAndPostgres(async (store) => {
      const world = await openApiWorld(store);
      try {
        const connectionId = await world.connection();
        // A first refresh leaves a mark, so that the concurrent ones below race to move it.
        await world.finishedRun(connectionId, { status: "failed", agoMs: 40 * MINUTE, error: rejected });
        await refreshIssues(store.db, world.environments.dev);
        for (let i = 0; i < 5; i++) {
          await world.finishedRun(connectionId, {
            status: "failed",
            agoMs: (30 - i) * MINUTE,
            error: rejected,
          });
        }
        await Promise.all([
          refreshIssues(store.db, world.environments.dev),
          refreshIssues(store.db, world.environments.dev),
          refreshIssues(store.db, world.environments.dev),
        ]);
        const [issue] = (await world.dev.get("/v1/issues")).data;
        expect(issue).toMatchObject({ cause: "auth_failed", occurrences: 6 });
        // Written by refreshes that knew no display names, shown with the API's.
        expect(issue!.title).toBe("HubSpot rejected the connection's credentials");

        // The background refresher applies new runs at most once per period.
        let now = new Date();
        const refresh = issuesRefresher(store.db, { everyMs: 60_000, now: () => now });
        await world.finishedRun(connectionId, { status: "succeeded", agoMs: 60_000 });
        await refresh();
        const resolved = await store.db
          .withTables<{ issues: { status: string } }>()
          .selectFrom("issues")
          .select("status")
          .execute();
        expect(resolved).toEqual([{ status: "resolved" }]);
        await world.finishedRun(connectionId, { status: "failed", agoMs: 30_000, error: rejected });
        await refresh();
        const countOpen = async () =>
          (
            await store.db
              .withTables<{ issues: { status: string } }>()
              .selectFrom("issues")
              .select("status")
              .where("status", "=", "open")
              .execute()
          ).length;
        expect(await countOpen()).toBe(0);
        now = new Date(now.getTime() + 60_000);
        await refresh();
        expect(await countOpen()).toBe(1);

        // Bad query parameters get a clear 400.
        const cases = [
          { query: { status: "closed" }, mentions: "status" },
          { query: { cause: "gremlins" }, mentions: "cause" },
          { query: { muted: "yes" }, mentions: "muted" },
          { query: { limit: "0" }, mentions: "limit" },
          { query: { sort: "newest" }, mentions: "sort" },
        ];
        for (const { query, mentions } of cases) {
          const reply = await world.dev.request("GET", "/v1/issues", { query: query as never });
          expect(reply.status).toBe(400);
          expect(reply.ok ? "" : `${reply.problem.code}: ${reply.problem.detail}`).toMatch(
            new RegExp(`request_invalid: .*${mentions}`),
          );
        }
        const cursor = await world.dev.request("GET", "/v1/issues", { query: { cursor: "nonsense" } });
        expect(cursor.ok ? "" : cursor.problem.code).toBe("argument_invalid");
      } finally {
        await world.close();
      }
    });
  });
});
