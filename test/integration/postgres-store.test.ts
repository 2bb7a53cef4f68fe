/**
 * The same migrations, repositories and engine on real Postgres: one database per test run, dropped after.
 */
import { sql } from "kysely";
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

  it("lives through the server closing its idle connections, and the next query reconnects", async () => {
    // Two idle connections in the pool, then the server ends every other session of this database, as a
    // restart or an administrator would: an unheard pool 'error' event would end the test process here.
    await Promise.all([1, 2].map(() => sql`SELECT pg_sleep(0.05)`.execute(pg.store.db)));
    const admin = await sql<{ terminated: number }>`
      SELECT count(pg_terminate_backend(pid))::int AS terminated FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid()`.execute(pg.store.db);
    expect(admin.rows[0]!.terminated).toBeGreaterThanOrEqual(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const { rows } = await sql<{ one: number }>`SELECT 1 AS one`.execute(pg.store.db);
    expect(rows[0]!.one).toBe(1);
  });
});
