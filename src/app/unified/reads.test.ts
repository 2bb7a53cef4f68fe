/**
 * Unified reads over the records cache, with a made-up provider's mapper (no provider of the registry): the
 * projection catches up incrementally and rebuilds on a new mapper version, pages go both ways, filters
 * match exactly, a page is an index search, and deleting a connection removes its objects. On SQLite and on
 * Postgres.
 */
import { describe, expect, it } from "vitest";
import { itOnSqliteAndPostgres } from "../../../test/helpers/postgres.ts";
import { addTestConnection, openTempStore } from "../../../test/helpers/temp-store.ts";
import { type Store, writeRecords } from "../../store/index.ts";
import { deleteConnectionCascade } from "../../store/repositories/delete-connection.ts";
import {
  listUnifiedObjectsQuery,
  readRecordChangesForUnified,
  recordChangesQuery,
} from "../../store/repositories/unified-objects.ts";
import { MapperRegistry, type UnifiedMapper, unifiedId } from "../../unified/mappers.ts";
import { getUnifiedModel } from "../../unified/registry.ts";
import { getUnified, type ListOptions, listUnified, listUnifiedServed } from "./reads.ts";

function peopleMapper(version: string, transform: (name: string) => string = (name) => name): UnifiedMapper {
  return {
    provider: "fake",
    model: "Contact",
    stream: "people",
    version,
    fromRecord: (record, ctx) => [
      {
        remoteId: String(record.id),
        idStream: "people",
        remotePath: `/people/${record.id}`,
        fields: {
          first_name: transform(String(record.name)),
          account: record.org ? ctx.idOf("orgs", String(record.org)) : null,
          email_addresses: [{ email_address: record.email, email_address_type: null }],
        },
      },
    ],
  };
}

const options = (extra: Partial<ListOptions> = {}): ListOptions => ({
  pageSize: 100,
  filters: {},
  expand: [],
  includeRemoteData: false,
  ...extra,
});

const person = (id: number, extra: Record<string, unknown> = {}) => ({
  pk: String(id),
  hash: `h${id}-${JSON.stringify(extra)}`,
  payload: JSON.stringify({
    id,
    name: `person ${id}`,
    email: `p${id}@example.com`,
    org: id % 2 ? "o1" : "o2",
    ...extra,
  }),
  deleted: false,
});

async function scenario(store: Store): Promise<void> {
  const { db } = store;
  const connectionId = await addTestConnection(db, "test", "fake");
  const connection = { id: connectionId, provider: "fake" };
  const v1 = new MapperRegistry([peopleMapper("1")]);
  await writeRecords(db, connectionId, "people", {
    upserts: [1, 2, 3, 4, 5].map((id) => person(id)),
    seen: [],
    at: "2026-01-01T00:00:00.000Z",
  });

  // All five, in id order, mapped.
  const all = await listUnified(db, v1, connection, "Contact", options());
  expect(all.results.map((c) => c.remote_id).sort()).toEqual(["1", "2", "3", "4", "5"]);
  const ids = all.results.map((c) => c.id as string);
  expect(ids).toEqual([...ids].sort());
  expect(ids).toContain(unifiedId(connectionId, "people", "3"));

  // A later change is caught up: new value and modified_at, same created_at.
  await writeRecords(db, connectionId, "people", {
    upserts: [person(3, { name: "renamed", email: "first_last@example.com" })],
    seen: [],
    at: "2026-01-02T00:00:00.000Z",
  });
  const three = await getUnified(db, v1, connection, "Contact", unifiedId(connectionId, "people", "3"), {
    expand: [],
    includeRemoteData: true,
  });
  expect(three).toMatchObject({
    first_name: "renamed",
    created_at: "2026-01-01T00:00:00.000Z",
    modified_at: "2026-01-02T00:00:00.000Z",
    remote_data: [{ path: "/people/3", data: { id: 3, name: "renamed" } }],
  });
  const changed = await listUnified(
    db,
    v1,
    connection,
    "Contact",
    options({ filters: { modifiedAfter: "2026-01-01T12:00:00.000Z" } }),
  );
  expect(changed.results.map((c) => c.remote_id)).toEqual(["3"]);

  // Exact email match: `_` is not a wildcard, and a LIKE pattern matches nothing.
  const byEmail = (email: string) =>
    listUnified(db, v1, connection, "Contact", options({ filters: { emails: [email] } })).then((page) =>
      page.results.map((c) => c.remote_id),
    );
  expect(await byEmail("first_last@example.com")).toEqual(["3"]);
  expect(await byEmail("firstXlast@example.com")).toEqual([]);
  expect(await byEmail("%")).toEqual([]);

  // Filters on references.
  const ofO1 = await listUnified(
    db,
    v1,
    connection,
    "Contact",
    options({ filters: { accountId: unifiedId(connectionId, "orgs", "o1") } }),
  );
  expect(ofO1.results.map((c) => c.remote_id).sort()).toEqual(["1", "3", "5"]);

  // Pages of two, forward to the end and back again.
  const forward: string[][] = [];
  let page = await listUnified(db, v1, connection, "Contact", options({ pageSize: 2 }));
  expect(page.previous).toBeNull();
  forward.push(page.results.map((c) => c.id as string));
  while (page.next) {
    page = await listUnified(db, v1, connection, "Contact", options({ pageSize: 2, cursor: page.next }));
    forward.push(page.results.map((c) => c.id as string));
  }
  expect(forward.flat()).toEqual(ids);
  expect(forward.map((p) => p.length)).toEqual([2, 2, 1]);
  const back = await listUnified(
    db,
    v1,
    connection,
    "Contact",
    options({ pageSize: 2, cursor: page.previous! }),
  );
  expect(back.results.map((c) => c.id)).toEqual(forward[1]);
  const first = await listUnified(
    db,
    v1,
    connection,
    "Contact",
    options({ pageSize: 2, cursor: back.previous! }),
  );
  expect(first.results.map((c) => c.id)).toEqual(forward[0]);
  expect(first.previous).toBeNull();

  // Filtered on a time, pages follow that time (then id), forward and back.
  await writeRecords(db, connectionId, "people", {
    upserts: [person(1, { v: 3 })],
    seen: [],
    at: "2026-01-03T00:00:00.000Z",
  });
  await writeRecords(db, connectionId, "people", {
    upserts: [person(5, { v: 3 })],
    seen: [],
    at: "2026-01-04T00:00:00.000Z",
  });
  const since = { modifiedAfter: "2026-01-01T12:00:00.000Z" };
  const byTime = await listUnified(db, v1, connection, "Contact", options({ filters: since, pageSize: 2 }));
  expect(byTime.results.map((c) => c.remote_id)).toEqual(["3", "1"]);
  const later = await listUnified(
    db,
    v1,
    connection,
    "Contact",
    options({ filters: since, pageSize: 2, cursor: byTime.next! }),
  );
  expect(later.results.map((c) => c.remote_id)).toEqual(["5"]);
  expect(later.next).toBeNull();
  const earlier = await listUnified(
    db,
    v1,
    connection,
    "Contact",
    options({ filters: since, pageSize: 2, cursor: later.previous! }),
  );
  expect(earlier.results.map((c) => c.remote_id)).toEqual(["3", "1"]);

  // A new mapper version maps the cached payloads again, without any new record; what it no longer maps
  // (here: person 2) is gone, keys included.
  const upper = peopleMapper("2", (name) => name.toUpperCase());
  const v2 = new MapperRegistry([
    { ...upper, fromRecord: (record, ctx) => (record.id === 2 ? [] : upper.fromRecord(record, ctx)) },
  ]);
  const remapped = await listUnified(db, v2, connection, "Contact", options());
  expect(remapped.results.map((c) => c.first_name)).toContain("RENAMED");
  expect(remapped.results.map((c) => c.remote_id).sort()).toEqual(["1", "3", "4", "5"]);
  const keys = await db
    .selectFrom("unified_object_keys")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("connection_id", "=", connectionId)
    .executeTakeFirstOrThrow();
  expect(Number(keys.n), "one email key per contact after the rebuild").toBe(4);

  // Deleting the connection leaves nothing of its objects behind.
  await deleteConnectionCascade(db, connectionId);
  for (const table of ["unified_objects", "unified_object_keys", "unified_marks"] as const) {
    const left = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("connection_id", "=", connectionId)
      .executeTakeFirstOrThrow();
    expect(Number(left.n), table).toBe(0);
  }
}

describe("unified reads", () => {
  itOnSqliteAndPostgres(scenario);

  it("serves a plain page of objects checked as they were stored from the stored text: the objects the checked path answers", async () => {
    const { store, cleanup } = await openTempStore();
    try {
      const { db } = store;
      const connectionId = await addTestConnection(db, "test", "fake");
      const connection = { id: connectionId, provider: "fake" };
      const registry = new MapperRegistry([peopleMapper("1")]);
      await writeRecords(db, connectionId, "people", {
        upserts: [1, 2, 3, 4, 5].map((id) => person(id)),
        seen: [],
        at: "2026-01-01T00:00:00.000Z",
      });
      await writeRecords(db, connectionId, "people", {
        upserts: [{ ...person(4), deleted: true }, person(5, { v: 2 })],
        seen: [],
        at: "2026-01-02T00:00:00.000Z",
      });
      const list = getUnifiedModel("crm", "Contact").list;
      const first = await listUnified(db, registry, connection, "Contact", options({ pageSize: 2 }));
      const reads = [
        options({ pageSize: 2 }),
        options({ pageSize: 2, cursor: first.next! }),
        options({ filters: { modifiedAfter: "2026-01-01T12:00:00.000Z" } }),
        options({ filters: { includeDeleted: true, remoteId: "4" } }),
      ];
      for (const read of reads) {
        const served = await listUnifiedServed(db, registry, connection, "Contact", read);
        if (!("json" in served)) throw new Error(`not served from the stored text: ${JSON.stringify(read)}`);
        // Exactly what the route's reply check makes of the objects, key order aside.
        const checked = list.parse(await listUnified(db, registry, connection, "Contact", read));
        expect(JSON.parse(served.json), JSON.stringify(read)).toEqual(checked);
      }
      const deleted = await listUnifiedServed(db, registry, connection, "Contact", reads[3]!);
      expect("json" in deleted && JSON.parse(deleted.json).results[0].remote_was_deleted).toBe(true);
      // Reads that need more than the stored objects get objects, as from listUnified.
      const withData = await listUnifiedServed(
        db,
        registry,
        connection,
        "Contact",
        options({ includeRemoteData: true }),
      );
      expect("json" in withData).toBe(false);
    } finally {
      await cleanup();
    }
  });

  it("serves objects that failed the check as they were mapped, for the route's reply check to refuse", async () => {
    const { store, cleanup } = await openTempStore();
    try {
      const { db } = store;
      const connectionId = await addTestConnection(db, "test", "fake");
      const connection = { id: connectionId, provider: "fake" };
      const broken = peopleMapper("1");
      // A mapper bug: a number where the model has a string.
      const registry = new MapperRegistry([
        {
          ...broken,
          fromRecord: (record, ctx) =>
            broken
              .fromRecord(record, ctx)
              .map((object) => ({ ...object, fields: { ...object.fields, first_name: 42 } })),
        },
      ]);
      await writeRecords(db, connectionId, "people", {
        upserts: [person(1)],
        seen: [],
        at: "2026-01-01T00:00:00.000Z",
      });
      const served = await listUnifiedServed(db, registry, connection, "Contact", options());
      if ("json" in served) throw new Error("an unchecked object was served from the stored text");
      expect(served.results[0]?.first_name).toBe(42);
      expect(getUnifiedModel("crm", "Contact").list.safeParse(served).success).toBe(false);
    } finally {
      await cleanup();
    }
  });

  it("catches up only the streams a read needs: its model's, and those of the references it expands", async () => {
    const { store, cleanup } = await openTempStore();
    try {
      const { db } = store;
      const connectionId = await addTestConnection(db, "test", "fake");
      const connection = { id: connectionId, provider: "fake" };
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
      const registry = new MapperRegistry([peopleMapper("1"), orgs]);
      await writeRecords(db, connectionId, "people", {
        upserts: [person(1)],
        seen: [],
        at: "2026-01-01T00:00:00.000Z",
      });
      await writeRecords(db, connectionId, "orgs", {
        upserts: [
          { pk: "o1", hash: "o1", deleted: false, payload: JSON.stringify({ id: "o1", name: "Org one" }) },
        ],
        seen: [],
        at: "2026-01-01T00:00:00.000Z",
      });
      const marked = async () =>
        (
          await db
            .selectFrom("unified_marks")
            .select("stream")
            .where("connection_id", "=", connectionId)
            .execute()
        )
          .map((row) => row.stream)
          .sort();
      const plain = await listUnified(db, registry, connection, "Contact", options());
      expect(plain.results[0]?.account).toBe(unifiedId(connectionId, "orgs", "o1"));
      expect(await marked()).toEqual(["people"]);
      const expanded = await listUnified(
        db,
        registry,
        connection,
        "Contact",
        options({ expand: ["account"] }),
      );
      expect(expanded.results[0]?.account).toMatchObject({ name: "Org one", remote_id: "o1" });
      expect(await marked()).toEqual(["orgs", "people"]);
    } finally {
      await cleanup();
    }
  });

  it("catches up through the cache's changes in (updated_at, pk) order, page by page, as an index range", async () => {
    const { store, cleanup } = await openTempStore();
    try {
      const { db } = store;
      const connectionId = await addTestConnection(db, "test", "fake");
      const at = (n: number) => `2026-01-0${n}T00:00:00.000Z`;
      await writeRecords(db, connectionId, "people", {
        upserts: [1, 2, 3].map((id) => person(id)),
        seen: [],
        at: at(1),
      });
      await writeRecords(db, connectionId, "people", { upserts: [person(2, { v: 2 })], seen: [], at: at(2) });
      await writeRecords(db, connectionId, "people", {
        upserts: [4, 5].map((id) => person(id)),
        seen: [],
        at: at(3),
      });
      const read = async (changedAfter: string | null) => {
        const order: string[] = [];
        let after: { updatedAt: string; pk: string } | undefined;
        for (;;) {
          const page = await readRecordChangesForUnified(db, connectionId, "people", {
            changedAfter,
            ...(after ? { after } : {}),
            limit: 2,
          });
          if (page.length === 0) return order;
          order.push(...page.map((r) => r.pk));
          after = { updatedAt: page.at(-1)!.updatedAt, pk: page.at(-1)!.pk };
        }
      };
      expect(await read(null)).toEqual(["1", "3", "2", "4", "5"]);
      expect(await read(at(1))).toEqual(["2", "4", "5"]);
      const query = recordChangesQuery(db, connectionId, "people", {
        changedAfter: at(1),
        after: { updatedAt: at(2), pk: "2" },
        limit: 1000,
      }).compile();
      const { rows } = await db.executeQuery<{ detail: string }>({
        ...query,
        sql: `EXPLAIN QUERY PLAN ${query.sql}`,
      });
      const details = rows.map((row) => row.detail).join(" | ");
      expect(details).toMatch(/SEARCH records USING INDEX records_by_change/);
      expect(details).not.toMatch(/TEMP B-TREE/);
    } finally {
      await cleanup();
    }
  });

  it("starts a deep page of a time-ordered list at its cursor in the index, whichever way it goes (SQLite's plan)", async () => {
    const { store, cleanup } = await openTempStore();
    try {
      const since = "2026-01-01T00:00:00.000Z";
      const at = "2026-03-01T00:00:00.000Z";
      for (const direction of ["next", "previous"] as const) {
        const query = listUnifiedObjectsQuery(
          store.db,
          "conn",
          "Contact",
          { modifiedAfter: since },
          {
            limit: 100,
            cursor: { direction, id: "5", sortValue: at },
          },
        ).compile();
        const { rows } = await store.db.executeQuery<{ detail: string }>({
          ...query,
          sql: `EXPLAIN QUERY PLAN ${query.sql}`,
        });
        const details = rows.map((row) => row.detail).join(" | ");
        // The cursor bounds the index range: rows between the filter's bound and the cursor are not read.
        expect(details, direction).toMatch(
          direction === "next"
            ? /unified_objects_modified \(.*\(modified_at,id\)>\(\?,\?\)/
            : /\(modified_at,id\)<\(\?,\?\)/,
        );
        expect(details, direction).not.toMatch(/TEMP B-TREE/);
      }
    } finally {
      await cleanup();
    }
  });

  it("reads a page as an index search, never a scan of the table (SQLite's plan)", async () => {
    const { store, cleanup } = await openTempStore();
    try {
      const variants = [
        {},
        { modifiedAfter: "2026-01-01T00:00:00.000Z" },
        { accountId: "a" },
        { ownerId: "o", includeDeleted: true },
        { stageId: "s", status: "WON" },
        { emails: ["x@example.com"] },
        { phones: ["+1 555"], accountId: "a" },
      ];
      for (const filters of variants) {
        const query = listUnifiedObjectsQuery(store.db, "conn", "Contact", filters, {
          limit: 100,
          cursor: { direction: "next", id: "0" },
        }).compile();
        const { rows } = await store.db.executeQuery<{ detail: string }>({
          ...query,
          sql: `EXPLAIN QUERY PLAN ${query.sql}`,
        });
        const details = rows.map((row) => row.detail).join(" | ");
        expect(details, JSON.stringify(filters)).toMatch(/SEARCH unified_objects USING (COVERING )?INDEX/);
        expect(details, JSON.stringify(filters)).not.toMatch(/SCAN unified_objects/);
      }
    } finally {
      await cleanup();
    }
  });
});
