/**
 * The same migrations, repositories and engine on real Postgres: one database per test run, dropped after.
 */
import { describe, expect, it } from "vitest";
import { runSync } from "../../src/engine/index.ts";
import { countRecords, listRunLogs, loadStreamState } from "../../src/store/index.ts";
import { fakeProvider, MemoryDestination, makeItems } from "../helpers/fake-provider.ts";
import { postgresAvailable, postgresStoreForTests } from "../helpers/postgres.ts";
import { addTestConnection } from "../helpers/temp-store.ts";

const available = await postgresAvailable();

describe.skipIf(!available)("Postgres store", () => {
  const pg = postgresStoreForTests();

  it("runs the dialect-neutral migrations and a whole sync: commit, checkpoint, diff deletes", async () => {
    const connectionId = await addTestConnection(pg.store.db, "pg-test");
    const data = makeItems(2_500);
    const { provider } = fakeProvider({ data, pageSize: 100 });
    const destination = new MemoryDestination();
    const job = {
      store: pg.store,
      provider,
      connection: { id: connectionId, credentials: { type: "bearer" as const, token: "t" } },
      destinations: [destination],
      batchSize: 1_000,
    };

    const first = await runSync(job);
    expect(first.error).toBeNull();
    expect(first.stats.recordsAdded).toBe(2_500);
    expect(await countRecords(pg.store.db, connectionId, "items")).toEqual({ live: 2_500, deleted: 0 });

    data.splice(0, 10);
    data[0] = { ...data[0], name: "changed" };
    const refresh = await runSync({ ...job, fullRefresh: true });
    expect(refresh.stats).toMatchObject({ recordsUpdated: 1, recordsDeleted: 10, recordsUnchanged: 2_489 });
    expect(await countRecords(pg.store.db, connectionId, "items")).toEqual({ live: 2_490, deleted: 10 });
    expect(await loadStreamState(pg.store.db, connectionId, "items")).toEqual({
      cursor: { offset: 2_490 },
      fullRefresh: null,
    });
    expect((await listRunLogs(pg.store.db, refresh.id)).length).toBeGreaterThan(3);
  });
});
