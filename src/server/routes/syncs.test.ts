/**
 * Syncs API: every route through the typed client, with a real scheduler on the harness's SQLite picking up
 * triggers, and an in-memory provider whose streams can be made to fail.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSyncJob } from "../../app/syncs/sync-connection.ts";
import {
  createScheduler,
  createStoreSyncQueue,
  createSyncRunner,
  type Scheduler,
} from "../../scheduler/index.ts";
import { memoryProvider, type StreamKnobs } from "../../scheduler/test-fixtures.ts";
import { type Harness, startHarness } from "../test-harness.ts";

const knobs: StreamKnobs = { failing: new Set(), records: 3, reads: [] };
let h: Harness;
let scheduler: Scheduler;
const errors: unknown[] = [];

beforeAll(async () => {
  h = await startHarness({ providers: { memory: memoryProvider(knobs) } });
  scheduler = createScheduler({
    queue: createStoreSyncQueue(h.store.db),
    run: createSyncRunner({
      store: h.store,
      buildJob: (id, options) =>
        buildSyncJob({ store: h.store, vault: h.deps.vault, providers: h.deps.providers }, id, options),
    }),
    onError: (error) => errors.push(error),
  });
});
afterAll(async () => {
  expect(errors).toEqual([]);
  expect(await h.leakedSecrets()).toEqual([]);
  await h.close();
});

async function newConnection(endUser: string): Promise<string> {
  const connection = await h.dev.post("/v1/connections", {
    body: {
      provider: "memory",
      credentials: { type: "bearer", token: "memory-token" },
      end_user: { id: endUser },
    },
  });
  return connection.id;
}

async function defaultSyncOf(connectionId: string) {
  const { data } = await h.dev.get("/v1/syncs", { query: { connection_id: connectionId } });
  expect(data).toHaveLength(1);
  return data[0]!;
}

/** Runs everything due on the harness database, as the scheduler of any process sharing it would. */
async function runDue(): Promise<number> {
  let total = 0;
  for (;;) {
    const claims = await scheduler.tick();
    await scheduler.idle();
    if (claims.length === 0) return total;
    total += claims.length;
  }
}

async function problemOf(result: Promise<{ ok: boolean; status: number; problem?: unknown }>) {
  const outcome = await result;
  expect(outcome.ok).toBe(false);
  return {
    status: outcome.status,
    ...(outcome.problem as { code: string; detail: string; hint?: string; errors?: unknown }),
  };
}

describe("syncs API", () => {
  it("gives every new connection a default sync: all streams, hourly, records cache, due at once", async () => {
    const before = new Date().toISOString();
    const connectionId = await newConnection("default-1");
    const sync = await defaultSyncOf(connectionId);
    expect(sync).toMatchObject({
      connection_id: connectionId,
      streams: ["alpha", "beta", "gamma"],
      frequency: "1h",
      enabled: true,
      destinations: { records_cache: true, warehouse: false },
      last_run_id: null,
      run_requested: null,
      running_since: null,
    });
    expect(sync.next_run_at! >= before).toBe(true);
    const status = await h.dev.get("/v1/connections/:id/sync-status", { params: { id: connectionId } });
    expect(status.data.map((row) => [row.stream, row.status, row.next_start_at])).toEqual([
      ["alpha", "pending", sync.next_run_at],
      ["beta", "pending", sync.next_run_at],
      ["gamma", "pending", sync.next_run_at],
    ]);
  });

  it("creates, lists, gets, changes and deletes syncs; a stream belongs to one sync only", async () => {
    const connectionId = await newConnection("crud-1");
    const original = await defaultSyncOf(connectionId);
    const taken = await problemOf(
      h.dev.request("POST", "/v1/syncs", { body: { connection_id: connectionId, streams: ["beta"] } }),
    );
    expect(taken).toMatchObject({
      status: 409,
      code: "conflict",
      detail: expect.stringContaining(original.id),
    });

    await h.dev.patch("/v1/syncs/:id", { params: { id: original.id }, body: { streams: ["alpha"] } });
    const created = await h.dev.post("/v1/syncs", {
      body: {
        connection_id: connectionId,
        streams: ["beta", "gamma"],
        frequency: "*/10 * * * *",
        destinations: { warehouse: true },
      },
    });
    expect(created).toMatchObject({
      streams: ["beta", "gamma"],
      frequency: "*/10 * * * *",
      destinations: { records_cache: true, warehouse: true },
      enabled: true,
    });
    expect(await h.dev.get("/v1/syncs/:id", { params: { id: created.id } })).toEqual(created);

    const paged: string[] = [];
    for await (const sync of h.dev.list("/v1/syncs", { query: { connection_id: connectionId, limit: 1 } }))
      paged.push(sync.id);
    expect(paged).toEqual([created.id, original.id]);

    const before = Date.now();
    const changed = await h.dev.patch("/v1/syncs/:id", {
      params: { id: created.id },
      body: { frequency: "45s", enabled: false, destinations: { warehouse: false } },
    });
    expect(changed).toMatchObject({ frequency: "45s", enabled: false, destinations: { warehouse: false } });
    expect(Date.parse(changed.next_run_at!)).toBeGreaterThanOrEqual(before + 45_000);

    expect(await h.dev.delete("/v1/syncs/:id", { params: { id: created.id } })).toEqual({
      id: created.id,
      deleted: true,
    });
    expect(
      await problemOf(h.dev.request("GET", "/v1/syncs/:id", { params: { id: created.id } })),
    ).toMatchObject({
      status: 404,
      code: "not_found",
    });
    // Its streams are free again.
    const again = await h.dev.post("/v1/syncs", {
      body: { connection_id: connectionId, streams: ["gamma"] },
    });
    expect(again.streams).toEqual(["gamma"]);
  });

  it("rejects bad frequencies, unknown streams, empty changes and unknown connections with field-level detail", async () => {
    const connectionId = await newConnection("invalid-1");
    const sync = await defaultSyncOf(connectionId);
    const create = (body: Record<string, unknown>) =>
      problemOf(
        h.dev.request("POST", "/v1/syncs", { body: { connection_id: connectionId, ...body } as never }),
      );

    expect(await create({ frequency: "10s", streams: ["alpha"] })).toMatchObject({
      status: 400,
      code: "request_invalid",
      errors: [{ location: "body", path: "frequency", message: expect.stringContaining("30 seconds") }],
    });
    expect(await create({ frequency: "61 * * * *" })).toMatchObject({
      errors: [{ path: "frequency", message: expect.stringContaining("minute") }],
    });
    expect(await create({ frequency: "every hour" })).toMatchObject({
      errors: [{ path: "frequency", message: expect.stringContaining("*/15 * * * *") }],
    });
    expect(await create({ frequency: "* * * * * *" })).toMatchObject({
      errors: [{ path: "frequency", message: expect.stringContaining("5 parts") }],
    });
    expect(await create({ streams: ["alpha", "nope"] })).toMatchObject({
      status: 400,
      errors: [{ path: "streams.1", message: expect.stringContaining("alpha, beta, gamma") }],
    });
    expect(await create({ streams: [] })).toMatchObject({ status: 400, errors: [{ path: "streams" }] });
    expect(
      await problemOf(
        h.dev.request("PATCH", "/v1/syncs/:id", { params: { id: sync.id }, body: {} as never }),
      ),
    ).toMatchObject({ status: 400, code: "request_invalid" });
    expect(
      await problemOf(
        h.dev.request("POST", "/v1/syncs", { body: { connection_id: "conn_missing", streams: ["alpha"] } }),
      ),
    ).toMatchObject({ status: 404, code: "not_found" });
    // Nothing changed.
    expect(await h.dev.get("/v1/syncs/:id", { params: { id: sync.id } })).toMatchObject({ frequency: "1h" });
  });

  it("reads cron in the sync's time_zone and shows the next start in it; an unknown zone is a 400 naming time_zone", async () => {
    const connectionId = await newConnection("zone-1");
    const sync = await defaultSyncOf(connectionId);
    const changed = await h.dev.patch("/v1/syncs/:id", {
      params: { id: sync.id },
      body: { frequency: "0 9 * * *", time_zone: "america/new_york" },
    });
    expect(changed.time_zone).toBe("America/New_York");
    // The next start is 09:00 in New York: 13:00 or 14:00 UTC depending on daylight saving.
    const next = new Date(changed.next_run_at!);
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect([13, 14]).toContain(next.getUTCHours());
    expect(changed.next_run_at_local).toMatch(/T09:00:00-0[45]:00$/);
    expect(new Date(changed.next_run_at_local!).getTime()).toBe(next.getTime());

    // Back to UTC: the same expression now runs at 09:00 UTC.
    const utc = await h.dev.patch("/v1/syncs/:id", { params: { id: sync.id }, body: { time_zone: null } });
    expect(utc.time_zone).toBeNull();
    expect(utc.next_run_at).toMatch(/T09:00:00\.000Z$/);
    expect(utc.next_run_at_local).toMatch(/T09:00:00\+00:00$/);

    const bad = await problemOf(
      h.dev.request("PATCH", "/v1/syncs/:id", {
        params: { id: sync.id },
        body: { time_zone: "Mars/Olympus_Mons" } as never,
      }),
    );
    expect(bad).toMatchObject({
      status: 400,
      code: "request_invalid",
      errors: [{ path: "time_zone", message: expect.stringContaining('"Mars/Olympus_Mons" is not an IANA') }],
    });
    expect(await h.dev.get("/v1/syncs/:id", { params: { id: sync.id } })).toMatchObject({ time_zone: null });
  });

  it("trigger queues a run a scheduler picks up (full refresh when asked); status per stream after success and failure", async () => {
    const connectionId = await newConnection("trigger-1");
    const sync = await defaultSyncOf(connectionId);
    expect(await runDue()).toBeGreaterThanOrEqual(1); // the first, immediate run
    const first = await h.dev.get("/v1/syncs/:id/status", { params: { id: sync.id } });
    expect(first.data.map((row) => [row.stream, row.status, row.last_result])).toEqual([
      ["alpha", "done", "succeeded"],
      ["beta", "done", "succeeded"],
      ["gamma", "done", "succeeded"],
    ]);

    const queued = await h.dev.post("/v1/syncs/:id/trigger", {
      params: { id: sync.id },
      body: { full_refresh: true },
    });
    expect(queued.run_requested).toMatchObject({ full_refresh: true });
    expect(await runDue()).toBe(1);
    const runs = await h.dev.get("/v1/runs", { query: { sync_id: sync.id } });
    expect(runs.data.map((run) => [run.status, run.full_refresh])).toEqual([
      ["succeeded", true],
      ["succeeded", false],
    ]);

    knobs.failing.add("beta");
    await h.dev.post("/v1/syncs/:id/trigger", { params: { id: sync.id } });
    expect(await runDue()).toBe(1);
    knobs.failing.clear();
    const failedRun = (await h.dev.get("/v1/runs", { query: { sync_id: sync.id, limit: 1 } })).data[0]!;
    expect(failedRun).toMatchObject({ status: "failed", error: { code: "provider_unavailable" } });
    const status = await h.dev.get("/v1/syncs/:id/status", { params: { id: sync.id } });
    expect(status).toMatchObject({ sync_id: sync.id, connection_id: connectionId });
    expect(status.data.map((row) => [row.stream, row.status, row.last_run_id])).toEqual([
      ["alpha", "done", failedRun.id],
      ["beta", "failed", failedRun.id],
      ["gamma", "done", runs.data[0]!.id],
    ]);
    expect(status.data[1]).toMatchObject({
      last_result: "failed",
      last_error: { code: "provider_unavailable", hint: expect.any(String) },
      next_start_at: (await h.dev.get("/v1/syncs/:id", { params: { id: sync.id } })).next_run_at,
    });
    const byConnection = await h.dev.get("/v1/connections/:id/sync-status", { params: { id: connectionId } });
    expect(byConnection.data).toEqual(status.data);
  });

  it("trigger wakes this process's scheduler; paused syncs and connections answer 409 and show paused", async () => {
    const connectionId = await newConnection("pause-1");
    const sync = await defaultSyncOf(connectionId);
    const woken: unknown[] = [];
    h.deps.scheduler = { triggerNow: async (...args) => void woken.push(args) };
    try {
      await h.dev.post("/v1/syncs/:id/trigger", { params: { id: sync.id } });
      expect(woken).toEqual([[sync.id, { fullRefresh: false }]]);

      await h.dev.patch("/v1/syncs/:id", { params: { id: sync.id }, body: { enabled: false } });
      const paused = await problemOf(
        h.dev.request("POST", "/v1/syncs/:id/trigger", { params: { id: sync.id } }),
      );
      expect(paused).toMatchObject({
        status: 409,
        code: "conflict",
        hint: expect.stringContaining('"enabled": true'),
      });
      const status = await h.dev.get("/v1/syncs/:id/status", { params: { id: sync.id } });
      expect(status.data.every((row) => row.status === "paused" && row.next_start_at === null)).toBe(true);

      await h.dev.patch("/v1/syncs/:id", { params: { id: sync.id }, body: { enabled: true } });
      await h.dev.patch("/v1/connections/:id", { params: { id: connectionId }, body: { status: "paused" } });
      const connectionPaused = await problemOf(
        h.dev.request("POST", "/v1/syncs/:id/trigger", { params: { id: sync.id } }),
      );
      expect(connectionPaused).toMatchObject({ status: 409, detail: expect.stringContaining("paused") });
      expect(woken).toHaveLength(1);
    } finally {
      delete h.deps.scheduler;
    }
  });

  it("deleting a connection deletes its syncs and their status", async () => {
    const connectionId = await newConnection("delete-1");
    const sync = await defaultSyncOf(connectionId);
    await h.dev.delete("/v1/connections/:id", { params: { id: connectionId } });
    expect(await problemOf(h.dev.request("GET", "/v1/syncs/:id", { params: { id: sync.id } }))).toMatchObject(
      {
        status: 404,
      },
    );
    expect(
      await problemOf(
        h.dev.request("GET", "/v1/connections/:id/sync-status", { params: { id: connectionId } }),
      ),
    ).toMatchObject({ status: 404 });
    expect((await h.dev.get("/v1/syncs", { query: { connection_id: connectionId } })).data).toEqual([]);
  });
});
