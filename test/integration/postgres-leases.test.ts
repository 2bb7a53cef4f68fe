/**
 * The connection lease on real Postgres: taken once (ON CONFLICT DO NOTHING), refused while held, renewed and
 * given back by its owner only, and reaped — run failed, sync asked for again — when its holder is gone.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  claimSyncLease,
  createConnection,
  createRun,
  ensureEnvironment,
  findDueSyncs,
  getConnectionLease,
  getRun,
  getSync,
  insertSync,
  openStore,
  reapDeadConnectionLeases,
  releaseConnectionLease,
  renewSyncLease,
  type Store,
  takeConnectionLease,
} from "../../src/store/index.ts";
import { createTestDatabase, postgresAvailable } from "../helpers/postgres.ts";

const available = await postgresAvailable();
let store: Store;
let drop: () => Promise<void>;

const HOLDER = { host: "worker-host", pid: 4242, started: "12345" };
const DIED = { code: "run_interrupted", message: "The process stopped." };

describe.skipIf(!available)("connection leases on Postgres", () => {
  beforeAll(async () => {
    const database = await createTestDatabase();
    drop = database.drop;
    store = await openStore({ kind: "postgres", connectionString: database.url });
  });
  afterAll(async () => {
    await store?.close();
    await drop?.();
  });

  it("one holder at a time; a scheduled claim takes the connection's lease too; a dead holder is reaped", async () => {
    const env = await ensureEnvironment(store.db, "pg-leases");
    const connection = await createConnection(store.db, {
      environmentId: env.id,
      provider: "fake",
      sealedCredentials: "sealed",
    });
    const now = "2025-06-01T12:00:00.000Z";
    const sync = await insertSync(store.db, {
      connectionId: connection.id,
      streams: ["items"],
      frequency: "0 9 * * *",
      timeZone: "Europe/Paris",
      enabled: true,
      warehouse: false,
      nextRunAt: now,
    });
    expect((await getSync(store.db, sync.id)).timeZone).toBe("Europe/Paris");

    // A CLI run holds the connection: the sync is not even due for the scheduler.
    const cli = { connectionId: connection.id, owner: "cli_1", syncId: null, holder: HOLDER, now };
    expect(await takeConnectionLease(store.db, { ...cli, expiresAt: "2025-06-01T12:01:00.000Z" })).toBe(true);
    expect(await takeConnectionLease(store.db, { ...cli, owner: "cli_2", expiresAt: now })).toBe(false);
    expect(await findDueSyncs(store.db, now, 10)).toEqual([]);
    await releaseConnectionLease(store.db, { connectionId: connection.id, owner: "cli_1" });
    expect(await getConnectionLease(store.db, connection.id)).toBeUndefined();

    // The scheduler claims it: both leases, named after its process.
    const [due] = await findDueSyncs(store.db, now, 10);
    const lease = {
      owner: "w1",
      holder: HOLDER,
      now,
      expiresAt: "2025-06-01T12:01:00.000Z",
      nextRunAt: null,
    };
    expect(await claimSyncLease(store.db, due!, lease)).toBe(true);
    expect(await getConnectionLease(store.db, connection.id)).toMatchObject({
      owner: "w1",
      syncId: sync.id,
      holder: HOLDER,
    });
    expect(await takeConnectionLease(store.db, { ...cli, expiresAt: now })).toBe(false);
    const held = { syncId: sync.id, connectionId: connection.id, expiresAt: "2025-06-01T12:02:00.000Z" };
    expect(await renewSyncLease(store.db, { ...held, owner: "w1" })).toBe(true);
    expect(await renewSyncLease(store.db, { ...held, owner: "w2" })).toBe(false);

    // Its process dies mid-run: reaped at once, run failed, sync asked for again.
    const run = await createRun(store.db, {
      connectionId: connection.id,
      syncId: sync.id,
      fullRefresh: true,
    });
    const alive = await reapDeadConnectionLeases(store.db, { now, isGone: () => false, error: DIED });
    expect(alive).toEqual([]);
    const reaped = await reapDeadConnectionLeases(store.db, {
      now,
      isGone: (h) => h.pid === 4242,
      error: DIED,
    });
    expect(reaped).toEqual([run.id]);
    expect(await getRun(store.db, run.id)).toMatchObject({ status: "failed", error: DIED });
    expect(await getSync(store.db, sync.id)).toMatchObject({
      lease: null,
      requested: { at: now, fullRefresh: true },
      lastRunId: run.id,
    });
    expect(await getConnectionLease(store.db, connection.id)).toBeUndefined();
  });
});
