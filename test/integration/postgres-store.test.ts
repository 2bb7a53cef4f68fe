/**
 * The same migrations, repositories and engine on real Postgres: one database per test run, dropped after.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSync } from "../../src/engine/index.ts";
import {
  countRecords,
  createConnection,
  ensureEnvironment,
  listRunLogs,
  loadStreamState,
  openStore,
  type Store,
} from "../../src/store/index.ts";
import { fakeProvider, MemoryDestination, makeItems } from "../helpers/fake-provider.ts";
import { createTestDatabase, postgresAvailable } from "../helpers/postgres.ts";

const available = await postgresAvailable();
let store: Store;
let drop: () => Promise<void>;

describe.skipIf(!available)("Postgres store", () => {
  beforeAll(async () => {
    const database = await createTestDatabase();
    drop = database.drop;
    store = await openStore({ kind: "postgres", connectionString: database.url });
  });
  afterAll(async () => {
    await store?.close();
    await drop?.();
  });

  it("runs the dialect-neutral migrations and a whole sync: commit, checkpoint, diff deletes", async () => {
    const env = await ensureEnvironment(store.db, "pg-test");
    const connection = await createConnection(store.db, {
      environmentId: env.id,
      provider: "fake",
      sealedCredentials: "sealed",
    });
    const data = makeItems(2_500);
    const { provider } = fakeProvider({ data, pageSize: 100 });
    const destination = new MemoryDestination();
    const job = {
      store,
      provider,
      connection: { id: connection.id, credentials: { type: "bearer" as const, token: "t" } },
      destinations: [destination],
      batchSize: 1_000,
    };

    const first = await runSync(job);
    expect(first.error).toBeNull();
    expect(first.stats.recordsAdded).toBe(2_500);
    expect(await countRecords(store.db, connection.id, "items")).toEqual({ live: 2_500, deleted: 0 });

    data.splice(0, 10);
    data[0] = { ...data[0], name: "changed" };
    const refresh = await runSync({ ...job, fullRefresh: true });
    expect(refresh.stats).toMatchObject({ recordsUpdated: 1, recordsDeleted: 10, recordsUnchanged: 2_489 });
    expect(await countRecords(store.db, connection.id, "items")).toEqual({ live: 2_490, deleted: 10 });
    expect(await loadStreamState(store.db, connection.id, "items")).toEqual({
      cursor: { offset: 2_490 },
      fullRefresh: null,
    });
    expect((await listRunLogs(store.db, refresh.id)).length).toBeGreaterThan(3);
  });
});
