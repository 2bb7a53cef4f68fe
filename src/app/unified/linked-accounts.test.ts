import { describe, expect, it } from "vitest";
import { addTestConnection, openTempStore } from "../../../test/helpers/temp-store.ts";
import { MapperRegistry, type UnifiedMapper } from "../../unified/mappers.ts";
import { linkedAccountStatus, listLinkedAccounts, syncStatusOf } from "./linked-accounts.ts";

const state = (extra: Partial<Parameters<typeof syncStatusOf>[0] & object> = {}) => ({
  stream: "contacts",
  lastStartedAt: "2026-01-01T00:00:00.000Z",
  lastFinishedAt: "2026-01-01T00:01:00.000Z",
  lastResult: "succeeded",
  syncEnabled: true,
  nextRunAt: "2026-01-01T01:00:00.000Z",
  ...extra,
});

describe("sync status of a model", () => {
  it("is DONE or FAILED from the last finished run", () => {
    expect(syncStatusOf(state())).toEqual({ status: "DONE", lastResult: "DONE" });
    expect(syncStatusOf(state({ lastResult: "failed" }))).toEqual({ status: "FAILED", lastResult: "FAILED" });
  });

  it("is SYNCING while a run goes on or before the first one, PAUSED with its sync, DISABLED without one", () => {
    expect(syncStatusOf(state({ lastStartedAt: "2026-01-01T02:00:00.000Z" })).status).toBe("SYNCING");
    expect(syncStatusOf(state({ lastStartedAt: null, lastFinishedAt: null, lastResult: null })).status).toBe(
      "SYNCING",
    );
    expect(syncStatusOf(state({ syncEnabled: false }))).toEqual({ status: "PAUSED", lastResult: "DONE" });
    expect(syncStatusOf(undefined)).toEqual({ status: "DISABLED", lastResult: null });
  });
});

describe("linked accounts", () => {
  it("map connection statuses onto Merge's", () => {
    expect(["active", "error", "needs_reauth", "paused"].map(linkedAccountStatus)).toEqual([
      "COMPLETE",
      "COMPLETE",
      "RELINK_NEEDED",
      "IDLE",
    ]);
  });

  it("list only connections of providers with mappers, in one environment, page by page both ways", async () => {
    const { store, cleanup } = await openTempStore();
    try {
      const mapper: UnifiedMapper = {
        provider: "crm",
        model: "Contact",
        stream: "people",
        version: "1",
        fromRecord: () => [],
      };
      const registry = new MapperRegistry([mapper]);
      const ids = [];
      for (let i = 0; i < 5; i++) ids.push(await addTestConnection(store.db, "dev", "crm"));
      await addTestConnection(store.db, "dev", "other");
      await addTestConnection(store.db, "prod", "crm");
      const env = await store.db
        .selectFrom("environments")
        .select("id")
        .where("name", "=", "dev")
        .executeTakeFirstOrThrow();
      const deps = { db: store.db, providers: {} };
      const sorted = [...ids].sort();
      const page = (cursor?: string | null) =>
        listLinkedAccounts(deps, registry, env.id, { pageSize: 2, ...(cursor ? { cursor } : {}) });
      const idsOf = (p: { results: { id: string }[] }) => p.results.map((a) => a.id);
      const first = await page();
      expect(first.previous).toBeNull();
      const second = await page(first.next);
      const third = await page(second.next);
      expect(third.next).toBeNull();
      expect([...idsOf(first), ...idsOf(second), ...idsOf(third)]).toEqual(sorted);
      // Back from the last page: the same pages, and no `previous` before the first.
      const back = await page(third.previous);
      expect(idsOf(back)).toEqual(sorted.slice(2, 4));
      const start = await page(back.previous);
      expect(idsOf(start)).toEqual(sorted.slice(0, 2));
      expect(start.previous).toBeNull();
      expect(idsOf(await page(start.next))).toEqual(sorted.slice(2, 4));
      await expect(page("not-a-cursor")).rejects.toMatchObject({ code: "request_invalid" });
      expect(
        (await listLinkedAccounts(deps, registry, env.id, { pageSize: 10, integrationName: "CRM" })).results,
      ).toHaveLength(5);
      expect(
        (await listLinkedAccounts(deps, registry, env.id, { pageSize: 10, integrationName: "other" }))
          .results,
      ).toEqual([]);
      expect(
        (await listLinkedAccounts(deps, registry, env.id, { pageSize: 10, ids: [ids[1]!] })).results.map(
          (a) => a.id,
        ),
      ).toEqual([ids[1]]);
      expect(
        (await listLinkedAccounts(deps, registry, env.id, { pageSize: 10, status: "IDLE" })).results,
      ).toEqual([]);
    } finally {
      await cleanup();
    }
  });
});
