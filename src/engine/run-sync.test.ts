import { describe, expect, it } from "vitest";
import { fakeProvider, MemoryDestination, makeItems } from "../../test/helpers/fake-provider.ts";
import { storeWithConnectionPerTest } from "../../test/helpers/temp-store.ts";
import type { ProviderDefinition } from "../core/index.ts";
import { countRecords, listRecords, listRunLogs, loadStreamState } from "../store/index.ts";
import { runSync, type SyncJob } from "./run-sync.ts";

const temp = storeWithConnectionPerTest();

/** Runs a sync of `provider` on the test's store and connection; `job` adds the rest. */
const sync = (provider: ProviderDefinition, job: Partial<SyncJob> = {}) =>
  runSync({
    store: temp.store,
    provider,
    connection: { id: temp.connectionId, credentials: { type: "bearer", token: "t" } },
    ...job,
  });

describe("runSync", () => {
  it("advances state only after every destination committed, and resumes from there", async () => {
    const data = makeItems(50);
    const { provider, startedFrom } = fakeProvider({ data, pageSize: 10 });
    const destination = new MemoryDestination();
    destination.failOnWrite = 3;

    const failed = await sync(provider, { destinations: [destination], batchSize: 10 });
    expect(failed.status).toBe("failed");
    expect(failed.error?.code).toBe("destination_failed");
    expect(failed.error?.message).toMatch(/disk full/);
    // Two batches committed everywhere: the checkpoint sits after record 20. The cache, written first, also
    // holds the third batch; the destination has the first two.
    const envelope = (await loadStreamState(temp.store.db, temp.connectionId, "items")) as {
      fullRefresh: { cursor: { offset: number } };
    };
    expect(envelope.fullRefresh.cursor).toEqual({ offset: 20 });
    expect(await countRecords(temp.store.db, temp.connectionId, "items")).toEqual({ live: 30, deleted: 0 });
    expect(destination.rows.size).toBe(20);

    destination.failOnWrite = undefined;
    const resumed = await sync(provider, { destinations: [destination], batchSize: 10 });
    expect(resumed.status).toBe("succeeded");
    expect(startedFrom).toEqual([undefined, 20]);
    // Records 21-30 are unchanged for the cache, but new to the destination: it gets them all the same.
    expect(resumed.stats).toMatchObject({ recordsAdded: 20, recordsUnchanged: 10 });
    expect(await countRecords(temp.store.db, temp.connectionId, "items")).toEqual({ live: 50, deleted: 0 });
    expect(destination.rows.size).toBe(50);
  });

  it("a killed full refresh, resumed without asking for one, is a full refresh of every stream", async () => {
    const data = makeItems(30);
    const { provider, startedFromByStream } = fakeProvider({
      data,
      pageSize: 10,
      streams: ["items", "others"],
    });
    const first = await sync(provider);
    expect(first.fullRefresh).toBe(false);

    // A full refresh killed after its first commit of `items`.
    const abort = new AbortController();
    const killed = await sync(provider, {
      fullRefresh: true,
      batchSize: 10,
      signal: abort.signal,
      onProgress: (stats, stream) => {
        if (stream === "items" && stats.recordsUnchanged > 0) abort.abort();
      },
    });
    expect(killed.error?.code).toBe("run_aborted");
    const killedAt = (await loadStreamState(temp.store.db, temp.connectionId, "items")) as {
      fullRefresh: { cursor: { offset: number } };
    };
    expect(killedAt.fullRefresh.cursor.offset).toBeGreaterThan(0);

    const [gone] = data.splice(25, 1);
    const resumed = await sync(provider, { batchSize: 10 });
    expect(resumed.status).toBe("succeeded");
    expect(resumed.fullRefresh).toBe(true);
    // `items` resumes the refresh where it was; `others` reads from the start, not from its old cursor (30).
    expect(startedFromByStream.items).toEqual([undefined, undefined, killedAt.fullRefresh.cursor.offset]);
    expect(startedFromByStream.others).toEqual([undefined, undefined]);
    // Both finish as full refreshes do: what is gone is deleted, in both streams.
    expect(resumed.stats.recordsDeleted).toBe(2);
    for (const stream of ["items", "others"]) {
      const live = await listRecords(temp.store.db, temp.connectionId, stream);
      expect(
        live.map((r) => r.pk),
        stream,
      ).not.toContain(String(gone!.id));
    }
    const reading = await listRunLogs(temp.store.db, resumed.id, { minLevel: "info" });
    expect(
      reading.filter((line) => line.message.startsWith("Reading ")).map((line) => line.fields?.mode),
    ).toEqual(["full_refresh", "full_refresh"]);

    // Once finished, runs are incremental again and recorded so.
    const next = await sync(provider);
    expect(next.fullRefresh).toBe(false);
    expect(startedFromByStream.others).toEqual([undefined, undefined, 29]);
  });

  it("sends a destination what a run without it changed, though the cache already has it", async () => {
    const data = makeItems(30);
    const { provider } = fakeProvider({ data, pageSize: 10 });
    const warehouse = new MemoryDestination();
    await sync(provider, { destinations: [warehouse] });

    // A run without the destination (a CLI `--no-duckdb` run) reads a change into the cache.
    data[3] = { ...data[3], name: "renamed" };
    data.push(...makeItems(32).slice(30));
    await temp.store.db
      .updateTable("stream_states")
      .set({ state: JSON.stringify({ cursor: { offset: 0 }, fullRefresh: null }) })
      .execute();
    const without = await sync(provider);
    expect(without.stats).toMatchObject({ recordsAdded: 2, recordsUpdated: 1 });

    // The next run with the destination reads nothing new from the provider, yet the destination catches up.
    const writesBefore = warehouse.writes;
    const next = await sync(provider, { destinations: [warehouse] });
    expect(next.status).toBe("succeeded");
    expect(next.stats).toMatchObject({ recordsAdded: 0, recordsUpdated: 0 });
    expect(warehouse.rows.get(String(data[3]!.id))?.data.name).toBe("renamed");
    expect(warehouse.rows.size).toBe(32);
    // Only what it lacked: one catch-up write of 3 records.
    expect(warehouse.writes).toBe(writesBefore + 1);

    // Up to date now: a further run sends it nothing.
    await sync(provider, { destinations: [warehouse] });
    expect(warehouse.writes).toBe(writesBefore + 1);
  });

  it("fails the run with a destination error when a destination cannot say what it has synced", async () => {
    const { provider } = fakeProvider({ data: makeItems(3), pageSize: 3 });
    const broken = new MemoryDestination();
    broken.syncedThrough = () => Promise.reject(new Error("mark table unreadable"));
    const run = await sync(provider, { destinations: [broken] });
    expect(run.status).toBe("failed");
    expect(run.error).toMatchObject({ code: "destination_failed" });
    expect(run.error?.message).toMatch(/memory.*mark table unreadable/);
  });

  it("fills a destination added to an existing sync from the cache, without a full refresh", async () => {
    const data = makeItems(25);
    const { provider } = fakeProvider({ data, pageSize: 10 });
    await sync(provider);
    data.splice(0, 1);
    await sync(provider, { fullRefresh: true });

    const added = new MemoryDestination();
    const run = await sync(provider, { destinations: [added], batchSize: 10 });
    expect(run.stats).toMatchObject({ recordsAdded: 0, recordsUpdated: 0, recordsUnchanged: 0 });
    expect(added.rows.size).toBe(25);
    expect([...added.rows.values()].filter((row) => row.deleted)).toHaveLength(1);
    // In pages of the batch size; the last one carries the mark.
    expect(added.writes).toBe(3);
  });

  it("commits a batch once its records' JSON reaches the byte cap, whatever their count", async () => {
    const data = makeItems(40);
    const { provider } = fakeProvider({ data, pageSize: 10 });
    const destination = new MemoryDestination();
    const pageBytes = data.slice(0, 10).reduce((sum, item) => sum + JSON.stringify(item).length, 0);

    const run = await sync(provider, {
      destinations: [destination],
      batchSize: 1_000,
      batchBytes: pageBytes * 2 - 1,
    });

    expect(run.status).toBe("succeeded");
    // Two pages cross the cap, so 40 records in pages of 10 commit as two batches of 20.
    expect(destination.writes).toBe(2);
    expect(destination.rows.size).toBe(40);
  });

  it("a full refresh rewrites every record to destinations, unchanged ones too (a repair)", async () => {
    const data = makeItems(25);
    const { provider } = fakeProvider({ data, pageSize: 10 });
    const warehouse = new MemoryDestination();
    await sync(provider, { destinations: [warehouse] });
    // Rows lost behind the engine's back (a table edited by hand): the marks still say "up to date".
    warehouse.rows.clear();
    const refresh = await sync(provider, { destinations: [warehouse], fullRefresh: true });
    expect(refresh.stats).toMatchObject({ recordsUnchanged: 25, recordsAdded: 0 });
    expect(warehouse.rows.size).toBe(25);
  });

  it("counts unchanged records and does not send them to destinations again", async () => {
    const data = makeItems(30);
    const { provider } = fakeProvider({ data, pageSize: 10 });
    const destination = new MemoryDestination();
    await sync(provider, { destinations: [destination] });
    const writesAfterFirst = destination.writes;

    data[3] = { ...data[3], name: "renamed" };
    // An incremental read from the start (the fake stream's cursor is an offset) sees all 30 again.
    await temp.store.db
      .updateTable("stream_states")
      .set({ state: JSON.stringify({ cursor: { offset: 0 }, fullRefresh: null }) })
      .execute();
    const second = await sync(provider, { destinations: [destination] });
    expect(second.stats).toMatchObject({
      recordsAdded: 0,
      recordsUpdated: 1,
      recordsUnchanged: 29,
      recordsDeleted: 0,
    });
    expect(destination.writes).toBe(writesAfterFirst + 1);
    expect(destination.rows.get(String(data[3]!.id))?.data.name).toBe("renamed");
  });

  it("marks records a full refresh no longer sees as deleted, in the cache and the destinations", async () => {
    const data = makeItems(20);
    const { provider } = fakeProvider({ data, pageSize: 7 });
    const destination = new MemoryDestination();
    await sync(provider, { destinations: [destination] });

    const [gone] = data.splice(5, 1);
    const refresh = await sync(provider, { destinations: [destination], fullRefresh: true });
    expect(refresh.stats.recordsDeleted).toBe(1);
    expect(await countRecords(temp.store.db, temp.connectionId, "items")).toEqual({ live: 19, deleted: 1 });
    expect(destination.rows.get(String(gone!.id))?.deleted).toBe(true);
    // The next run is incremental again, from the refresh's last state.
    const envelope = await loadStreamState(temp.store.db, temp.connectionId, "items");
    expect(envelope).toEqual({ cursor: { offset: 19 }, fullRefresh: null });
  });

  it("honours the provider's deleted flag", async () => {
    const data = makeItems(5);
    const { provider } = fakeProvider({ data, pageSize: 5 });
    await sync(provider);
    data[0] = { ...data[0], deleted: true };
    const run = await sync(provider, { fullRefresh: true });
    expect(run.stats.recordsDeleted).toBe(1);
    const live = await listRecords(temp.store.db, temp.connectionId, "items");
    expect(live.map((r) => r.pk)).not.toContain(String(data[0]!.id));
  });

  it("fails the run on a record without primary key, writing nothing of that batch", async () => {
    const data = [...makeItems(10), { name: "no id" }, ...makeItems(3)];
    const { provider } = fakeProvider({ data, pageSize: 5 });
    const run = await sync(provider, { batchSize: 5 });
    expect(run.status).toBe("failed");
    expect(run.error).toMatchObject({ code: "record_invalid" });
    expect(run.error?.message).toMatch(/primary key "id"/);
    expect(await countRecords(temp.store.db, temp.connectionId, "items")).toEqual({ live: 10, deleted: 0 });
    const errors = await listRunLogs(temp.store.db, run.id, { minLevel: "error" });
    expect(errors).toHaveLength(1);
  });

  it("fails the run with a clear error for an unknown stream", async () => {
    const { provider } = fakeProvider({ data: makeItems(1), pageSize: 1 });
    const run = await sync(provider, { streams: ["nope"] });
    expect(run.status).toBe("failed");
    expect(run.error).toMatchObject({ code: "unknown_stream", hint: "Use one of: items." });
  });

  it("leaves a stream without a cursor as it was when the run fails before reaching it", async () => {
    const data = makeItems(20);
    const { provider } = fakeProvider({ data, pageSize: 10, streams: ["items", "everything"] });
    // `everything` has no cursor: every run reads it whole (and records its full refresh with its first page).
    const { cursorField: _cursor, ...whole } = provider.streams[1]!;
    const mixed = { ...provider, streams: [provider.streams[0]!, whole] };
    const destination = new MemoryDestination();
    expect((await sync(mixed, { destinations: [destination] })).status).toBe("succeeded");
    const before = await loadStreamState(temp.store.db, temp.connectionId, "everything");
    expect(before).toMatchObject({ fullRefresh: null });

    // New items make the run write (and fail) in `items`, before it reaches `everything`.
    data.push(...makeItems(25).slice(20));
    destination.failOnWrite = destination.writes + 1;
    const failed = await sync(mixed, { destinations: [destination] });
    expect(failed.status).toBe("failed");
    expect(await loadStreamState(temp.store.db, temp.connectionId, "everything")).toEqual(before);
  });
});
