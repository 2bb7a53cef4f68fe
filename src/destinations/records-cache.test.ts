import { readdirSync, readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTempStoreWithConnection } from "../../test/helpers/temp-store.ts";
import type { PreparedRecord, StreamTarget } from "../core/index.ts";
import { prepareRecords } from "../engine/prepare-records.ts";
import { listRecords, type Store } from "../store/index.ts";
import { classifyChange, RecordsCache } from "./records-cache.ts";

const record = (hash: string, deleted: boolean): PreparedRecord => ({
  pk: "1",
  hash,
  deleted,
  json: "{}",
  fields: [],
});

describe("classifyChange", () => {
  it("tells added, updated, unchanged and deleted apart", () => {
    expect(classifyChange(undefined, record("a", false))).toBe("added");
    expect(classifyChange({ hash: "a", deleted: false }, record("a", false))).toBe("unchanged");
    expect(classifyChange({ hash: "a", deleted: false }, record("b", false))).toBe("updated");
    expect(classifyChange({ hash: "a", deleted: false }, record("a", true))).toBe("deleted");
  });

  it("counts a deletion once: a deleted record seen again is unchanged, or updated if its content moved", () => {
    expect(classifyChange({ hash: "a", deleted: true }, record("a", true))).toBe("unchanged");
    expect(classifyChange({ hash: "a", deleted: true }, record("b", true))).toBe("updated");
    expect(classifyChange({ hash: "a", deleted: true }, record("a", false))).toBe("updated");
  });
});

describe("RecordsCache", () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let connectionId: string;
  let cache: RecordsCache;
  const items = {
    name: "items",
    primaryKey: "id",
    schema: { columns: {} },
    read: () => ({ async *[Symbol.asyncIterator]() {} }),
  };
  const target: StreamTarget = {
    provider: "fake",
    stream: "items",
    table: "fake_items",
    primaryKey: "id",
    schema: { columns: {} },
  };
  const prepared = (...names: string[]) =>
    prepareRecords(
      items,
      names.map((name, id) => ({ id, name })),
    );
  const write = (records: PreparedRecord[], at: string) =>
    cache.write({ connectionId, target, records, syncedAt: new Date(at) });

  beforeEach(async () => {
    ({ store, cleanup, connectionId } = await openTempStoreWithConnection());
    cache = new RecordsCache(store.db);
  });
  afterEach(() => cleanup());

  it("write classifies and commits a batch, and says what each record changed and when", async () => {
    const first = await write(prepared("a", "b"), "2025-01-01T00:00:00.000Z");
    expect(first.counts).toEqual({ added: 2, updated: 0, unchanged: 0, deleted: 0 });
    const second = await write(prepared("a", "B", "c"), "2025-01-02T00:00:00.000Z");
    expect(second.counts).toEqual({ added: 1, updated: 1, unchanged: 1, deleted: 0 });
    expect(second.at).toBe("2025-01-02T00:00:00.000Z");
    expect(second.classified.map((c) => [c.record.pk, c.change, c.cachedUpdatedAt])).toEqual([
      ["0", "unchanged", "2025-01-01T00:00:00.000Z"],
      ["1", "updated", "2025-01-01T00:00:00.000Z"],
      ["2", "added", undefined],
    ]);
    expect(
      (await listRecords(store.db, connectionId, "items")).map((r) => JSON.parse(r.payload).name),
    ).toEqual(["a", "B", "c"]);
  });

  it("its mark is the stream's latest change; unchanged records do not move it", async () => {
    expect(await cache.syncedThrough(connectionId, target)).toBeNull();
    await write(prepared("a", "b"), "2025-01-01T00:00:00.000Z");
    await write(prepared("a", "b"), "2025-01-05T00:00:00.000Z");
    expect(await cache.syncedThrough(connectionId, target)).toBe("2025-01-01T00:00:00.000Z");
    await write(prepared("a", "B"), "2025-01-06T00:00:00.000Z");
    expect(await cache.syncedThrough(connectionId, target)).toBe("2025-01-06T00:00:00.000Z");
    // A process whose clock is behind still changes the stream after its last change.
    const behind = await write(prepared("A", "B"), "2025-01-04T00:00:00.000Z");
    expect(behind.at).toBe("2025-01-06T00:00:00.001Z");
    expect(await cache.syncedThrough(connectionId, target)).toBe("2025-01-06T00:00:00.001Z");
  });

  it("lists what changed after a time, in key order, deleted records included", async () => {
    await write(prepared("a", "b", "c"), "2025-01-01T00:00:00.000Z");
    const gone = { ...prepared("a", "b", "c")[2]!, deleted: true };
    await write([prepared("a", "B")[1]!, gone], "2025-01-02T00:00:00.000Z");

    const all = await cache.changedAfter(connectionId, "items", { changedAfter: null, limit: 10 });
    expect(all.map((r) => r.pk)).toEqual(["0", "1", "2"]);
    const later = await cache.changedAfter(connectionId, "items", {
      changedAfter: "2025-01-01T00:00:00.000Z",
      limit: 1,
    });
    expect(later.map((r) => [r.pk, r.deleted, JSON.parse(r.json).name])).toEqual([["1", false, "B"]]);
    const next = await cache.changedAfter(connectionId, "items", {
      changedAfter: "2025-01-01T00:00:00.000Z",
      afterPk: "1",
      limit: 1,
    });
    expect(next.map((r) => [r.pk, r.deleted])).toEqual([["2", true]]);
    // A record from the cache is what prepareRecords made of it: same hash, same text.
    expect(all[1]).toMatchObject({ hash: prepared("a", "B")[1]!.hash, json: prepared("a", "B")[1]!.json });
  });

  it("gives the live records not seen since a time as deleted versions of the same content", async () => {
    await write(prepared("a", "b"), "2025-01-01T00:00:00.000Z");
    await write(prepared("a"), "2025-01-03T00:00:00.000Z");
    const unseen = await cache.unseenSince(connectionId, "items", "2025-01-02T00:00:00.000Z", 10);
    expect(unseen).toEqual([{ ...prepared("a", "b")[1]!, deleted: true }]);
  });
});

describe("one home for the records cache", () => {
  it("only records-cache.ts (and the store) touch the cache's write path: classify, commit, diff, catch-up", () => {
    const src = new URL("../", import.meta.url);
    const writePath =
      /\b(readRecordVersions|writeRecords|findUnseenRecords|listRecordsChangedAfter|readStreamChangedAt)\b/;
    const offenders = readdirSync(src, { recursive: true, encoding: "utf8" })
      .filter((name) => name.endsWith(".ts") && !name.endsWith(".test.ts") && !name.startsWith("store/"))
      .filter((name) => name !== "destinations/records-cache.ts")
      .filter((name) => writePath.test(readFileSync(new URL(name, src), "utf8")));
    expect(offenders).toEqual([]);
  });
});
