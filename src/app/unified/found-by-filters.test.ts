/**
 * Merge's `name` filter of accounts and `remote_created_after` of opportunities, through the projection's keys
 * (`unified_object_keys`), with a made-up provider's mappers: exact and case-insensitive names, creation times
 * compared in UTC whatever offset the provider wrote, keys replaced when a record changes, and the two combined
 * with other filters and paging. On SQLite and on Postgres.
 */
import { describe, expect } from "vitest";
import { itOnSqliteAndPostgres } from "../../../test/helpers/postgres.ts";
import { addTestConnection } from "../../../test/helpers/temp-store.ts";
import { type Store, writeRecords } from "../../store/index.ts";
import { MapperRegistry, type UnifiedMapper } from "../../unified/mappers.ts";
import { type ListOptions, listUnified } from "./reads.ts";

const orgs: UnifiedMapper = {
  provider: "fake",
  model: "Account",
  stream: "orgs",
  version: "1",
  fromRecord: (record) => [
    {
      remoteId: String(record.id),
      idStream: "orgs",
      remotePath: `/orgs/${record.id}`,
      fields: { name: record.name },
    },
  ],
};

const deals: UnifiedMapper = {
  provider: "fake",
  model: "Opportunity",
  stream: "deals",
  version: "1",
  fromRecord: (record) => [
    {
      remoteId: String(record.id),
      idStream: "deals",
      remotePath: `/deals/${record.id}`,
      fields: { name: `deal ${record.id}`, status: record.status, remote_created_at: record.created ?? null },
    },
  ],
};

const registry = new MapperRegistry([orgs, deals]);
const options = (filters: ListOptions["filters"], extra: Partial<ListOptions> = {}): ListOptions => ({
  pageSize: 100,
  filters,
  expand: [],
  includeRemoteData: false,
  ...extra,
});
const record = (id: number, payload: Record<string, unknown>) => ({
  pk: String(id),
  hash: JSON.stringify(payload),
  payload: JSON.stringify({ id, ...payload }),
  deleted: false,
});

async function scenario(store: Store): Promise<void> {
  const { db } = store;
  const connectionId = await addTestConnection(db, "test", "fake");
  const connection = { id: connectionId, provider: "fake" };
  const at = "2026-01-01T00:00:00.000Z";
  await writeRecords(db, connectionId, "orgs", {
    upserts: [
      record(1, { name: "Acme Corp" }),
      record(2, { name: "acme corp" }),
      record(3, { name: "Acme Corporation" }),
      record(4, { name: null }),
    ],
    seen: [],
    at,
  });
  const named = async (name: string) =>
    (await listUnified(db, registry, connection, "Account", options({ name: name.toLowerCase() }))).results
      .map((a) => a.remote_id)
      .sort();
  // Exact, case-insensitive: not a prefix, not a pattern.
  expect(await named("ACME CORP")).toEqual(["1", "2"]);
  expect(await named("Acme%")).toEqual([]);
  expect(await named("Acme Corporation")).toEqual(["3"]);
  // A renamed account is found by its new name only.
  await writeRecords(db, connectionId, "orgs", {
    upserts: [record(2, { name: "Initech" })],
    seen: [],
    at: "2026-01-02T00:00:00.000Z",
  });
  expect(await named("acme corp")).toEqual(["1"]);
  expect(await named("initech")).toEqual(["2"]);

  await writeRecords(db, connectionId, "deals", {
    upserts: [
      record(1, { status: "OPEN", created: "2025-03-01T10:00:00.000Z" }),
      // 2025-03-01T09:30:00Z, written with an offset: before 10:00 UTC although its text sorts after.
      record(2, { status: "WON", created: "2025-03-01T11:30:00+02:00" }),
      record(3, { status: "OPEN", created: "2025-06-01T00:00:00.000Z" }),
      record(4, { status: "WON", created: "2025-07-01T00:00:00.000Z" }),
      record(5, { status: "OPEN", created: null }),
    ],
    seen: [],
    at,
  });
  const after = async (time: string, extra: ListOptions["filters"] = {}, pageSize = 100) => {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listUnified(
        db,
        registry,
        connection,
        "Opportunity",
        options({ remoteCreatedAfter: time, ...extra }, { pageSize, ...(cursor ? { cursor } : {}) }),
      );
      ids.push(...page.results.map((o) => String(o.remote_id)));
      cursor = page.next ?? undefined;
    } while (cursor);
    return ids.sort();
  };
  expect(await after("2025-03-01T09:45:00.000Z")).toEqual(["1", "3", "4"]);
  // Strictly after.
  expect(await after("2025-06-01T00:00:00.000Z")).toEqual(["4"]);
  expect(await after("2025-01-01T00:00:00.000Z", { status: "OPEN" })).toEqual(["1", "3"]);
  expect(await after("2025-01-01T00:00:00.000Z", {}, 1)).toEqual(["1", "2", "3", "4"]);
}

describe("accounts by name and opportunities by remote_created_after", () => {
  itOnSqliteAndPostgres(scenario);
});
