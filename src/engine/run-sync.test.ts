import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fakeProvider, MemoryDestination, makeItems } from "../../test/helpers/fake-provider.ts";
import { openTempStoreWithConnection } from "../../test/helpers/temp-store.ts";
import { countRecords, listRecords, listRunLogs, loadStreamState, type Store } from "../store/index.ts";
import { runSync } from "./run-sync.ts";

let store: Store;
let cleanup: () => Promise<void>;
let connectionId: string;

beforeEach(async () => {
  ({ store, cleanup, connectionId } = await openTempStoreWithConnection());
});
afterEach(() => cleanup());

const connection = () => ({ id: connectionId, credentials: { type: "bearer" as const, token: "t" } });

describe("runSync", () => {
  it("advances state only after every destination committed, and resumes from there", async () => {
    const data = makeItems(50);
    const { provider, startedFrom } = fakeProvider({ data, pageSize: 10 });
    const destination = new MemoryDestination();
    destination.failOnWrite = 3;

    const failed = await runSync({
      store,
      provider,
      connection: connection(),
      destinations: [destination],
      batchSize: 10,
    });
    expect(failed.status).toBe("failed");
    expect(failed.error?.code).toBe("destination_failed");
    expect(failed.error?.message).toMatch(/disk full/);
    // Two batches committed: the checkpoint sits after record 20, the cache holds exactly those.
    const envelope = (await loadStreamState(store.db, connectionId, "items")) as {
      fullRefresh: { cursor: { offset: number } };
    };
    expect(envelope.fullRefresh.cursor).toEqual({ offset: 20 });
    expect(await countRecords(store.db, connectionId, "items")).toEqual({ live: 20, deleted: 0 });

    destination.failOnWrite = undefined;
    const resumed = await runSync({
      store,
      provider,
      connection: connection(),
      destinations: [destination],
      batchSize: 10,
    });
    expect(resumed.status).toBe("succeeded");
    expect(startedFrom).toEqual([undefined, 20]);
    expect(resumed.stats.recordsAdded).toBe(30);
    expect(await countRecords(store.db, connectionId, "items")).toEqual({ live: 50, deleted: 0 });
    expect(destination.rows.size).toBe(50);
  });

  it("commits a batch once its records' JSON reaches the byte cap, whatever their count", async () => {
    const data = makeItems(40);
    const { provider } = fakeProvider({ data, pageSize: 10 });
    const destination = new MemoryDestination();
    const pageBytes = data.slice(0, 10).reduce((sum, item) => sum + JSON.stringify(item).length, 0);

    const run = await runSync({
      store,
      provider,
      connection: connection(),
      destinations: [destination],
      batchSize: 1_000,
      batchBytes: pageBytes * 2 - 1,
    });

    expect(run.status).toBe("succeeded");
    // Two pages cross the cap, so 40 records in pages of 10 commit as two batches of 20.
    expect(destination.writes).toBe(2);
    expect(destination.rows.size).toBe(40);
  });

  it("a full refresh rewrites every record to destinations, so a destination added later is filled", async () => {
    const data = makeItems(25);
    const { provider } = fakeProvider({ data, pageSize: 10 });
    await runSync({ store, provider, connection: connection() });
    const added = new MemoryDestination();
    const refresh = await runSync({
      store,
      provider,
      connection: connection(),
      destinations: [added],
      fullRefresh: true,
    });
    expect(refresh.stats).toMatchObject({ recordsUnchanged: 25, recordsAdded: 0 });
    expect(added.rows.size).toBe(25);
  });

  it("counts unchanged records and does not send them to destinations again", async () => {
    const data = makeItems(30);
    const { provider } = fakeProvider({ data, pageSize: 10 });
    const destination = new MemoryDestination();
    await runSync({ store, provider, connection: connection(), destinations: [destination] });
    const writesAfterFirst = destination.writes;

    data[3] = { ...data[3], name: "renamed" };
    // An incremental read from the start (the fake stream's cursor is an offset) sees all 30 again.
    await store.db
      .updateTable("stream_states")
      .set({ state: JSON.stringify({ cursor: { offset: 0 }, fullRefresh: null }) })
      .execute();
    const second = await runSync({ store, provider, connection: connection(), destinations: [destination] });
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
    await runSync({ store, provider, connection: connection(), destinations: [destination] });

    const [gone] = data.splice(5, 1);
    const refresh = await runSync({
      store,
      provider,
      connection: connection(),
      destinations: [destination],
      fullRefresh: true,
    });
    expect(refresh.stats.recordsDeleted).toBe(1);
    expect(await countRecords(store.db, connectionId, "items")).toEqual({ live: 19, deleted: 1 });
    expect(destination.rows.get(String(gone!.id))?.deleted).toBe(true);
    // The next run is incremental again, from the refresh's last state.
    const envelope = await loadStreamState(store.db, connectionId, "items");
    expect(envelope).toEqual({ cursor: { offset: 19 }, fullRefresh: null });
  });

  it("honours the provider's deleted flag", async () => {
    const data = makeItems(5);
    const { provider } = fakeProvider({ data, pageSize: 5 });
    await runSync({ store, provider, connection: connection() });
    data[0] = { ...data[0], deleted: true };
    const run = await runSync({ store, provider, connection: connection(), fullRefresh: true });
    expect(run.stats.recordsDeleted).toBe(1);
    const live = await listRecords(store.db, connectionId, "items");
    expect(live.map((r) => r.pk)).not.toContain(String(data[0]!.id));
  });

  it("fails the run on a record without primary key, writing nothing of that batch", async () => {
    const data = [...makeItems(10), { name: "no id" }, ...makeItems(3)];
    const { provider } = fakeProvider({ data, pageSize: 5 });
    const run = await runSync({ store, provider, connection: connection(), batchSize: 5 });
    expect(run.status).toBe("failed");
    expect(run.error).toMatchObject({ code: "record_invalid" });
    expect(run.error?.message).toMatch(/primary key "id"/);
    expect(await countRecords(store.db, connectionId, "items")).toEqual({ live: 10, deleted: 0 });
    const errors = await listRunLogs(store.db, run.id, { minLevel: "error" });
    expect(errors).toHaveLength(1);
  });

  it("fails the run with a clear error for an unknown stream", async () => {
    const { provider } = fakeProvider({ data: makeItems(1), pageSize: 1 });
    const run = await runSync({ store, provider, connection: connection(), streams: ["nope"] });
    expect(run.status).toBe("failed");
    expect(run.error).toMatchObject({ code: "unknown_stream", hint: "Use one of: items." });
  });
});
