/**
 * The connection lease on real Postgres: taken once (ON CONFLICT DO NOTHING), refused while held, renewed and
 * given back by its owner only, and reaped — run failed, sync asked for again — when its holder is gone.
 */
import { describe, expect, it } from "vitest";
import {
  claimSyncLease,
  createRun,
  findDueSyncs,
  getConnectionLease,
  getRun,
  getSync,
  insertSync,
  reapDeadConnectionLeases,
  releaseConnectionLease,
  renewSyncLease,
  takeConnectionLease,
} from "../../src/store/index.ts";
import { postgresAvailable, postgresStoreForTests } from "../helpers/postgres.ts";
import { addTestConnection } from "../helpers/temp-store.ts";

const available = await postgresAvailable();

const HOLDER = { host: "worker-host", pid: 4242, started: "12345" };
const DIED = { code: "run_interrupted", message: "The process stopped." };

describe.skipIf(!available)("connection leases on Postgres", () => {
  const pg = postgresStoreForTests();

  it("one holder at a time; a scheduled claim takes the connection's lease too; a dead holder is reaped", async () => {
    const connectionId = await addTestConnection(pg.store.db, "pg-leases");
    const now = "2025-06-01T12:00:00.000Z";
    const sync = await insertSync(pg.store.db, {
      connectionId,
      streams: ["items"],
      frequency: "0 9 * * *",
      timeZone: "Europe/Paris",
      enabled: true,
      warehouse: false,
      nextRunAt: now,
    });
    expect((await getSync(pg.store.db, sync.id)).timeZone).toBe("Europe/Paris");

    // A CLI run holds the connection: the sync is not even due for the scheduler.
    const cli = { connectionId, owner: "cli_1", syncId: null, holder: HOLDER, now };
    expect(await takeConnectionLease(pg.store.db, { ...cli, expiresAt: "2025-06-01T12:01:00.000Z" })).toBe(
      true,
    );
    expect(await takeConnectionLease(pg.store.db, { ...cli, owner: "cli_2", expiresAt: now })).toBe(false);
    expect(await findDueSyncs(pg.store.db, now, 10)).toEqual([]);
    await releaseConnectionLease(pg.store.db, { connectionId, owner: "cli_1" });
    expect(await getConnectionLease(pg.store.db, connectionId)).toBeUndefined();

    // The scheduler claims it: both leases, named after its process.
    const [due] = await findDueSyncs(pg.store.db, now, 10);
    const lease = {
      owner: "w1",
      holder: HOLDER,
      now,
      expiresAt: "2025-06-01T12:01:00.000Z",
      nextRunAt: null,
    };
    expect(await claimSyncLease(pg.store.db, due!, lease)).toBe(true);
    expect(await getConnectionLease(pg.store.db, connectionId)).toMatchObject({
      owner: "w1",
      syncId: sync.id,
      holder: HOLDER,
    });
    expect(await takeConnectionLease(pg.store.db, { ...cli, expiresAt: now })).toBe(false);
    const held = { syncId: sync.id, connectionId, expiresAt: "2025-06-01T12:02:00.000Z" };
    expect(await renewSyncLease(pg.store.db, { ...held, owner: "w1" })).toBe(true);
    expect(await renewSyncLease(pg.store.db, { ...held, owner: "w2" })).toBe(false);

    // Its process dies mid-run: reaped at once, run failed, sync asked for again.
    const run = await createRun(pg.store.db, {
      connectionId,
      syncId: sync.id,
      fullRefresh: true,
    });
    const alive = await reapDeadConnectionLeases(pg.store.db, { now, isGone: () => false, error: DIED });
    expect(alive).toEqual([]);
    const reaped = await reapDeadConnectionLeases(pg.store.db, {
      now,
      isGone: (h) => h.pid === 4242,
      error: DIED,
    });
    expect(reaped).toEqual([run.id]);
    expect(await getRun(pg.store.db, run.id)).toMatchObject({ status: "failed", error: DIED });
    expect(await getSync(pg.store.db, sync.id)).toMatchObject({
      lease: null,
      requested: { at: now, fullRefresh: true },
      lastRunId: run.id,
    });
    expect(await getConnectionLease(pg.store.db, connectionId)).toBeUndefined();
  });
});
