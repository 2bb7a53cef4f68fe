/**
 * GET /metrics after real syncs against a provider's emulator (whichever the registry lists first with
 * one): runs, records, requests, retries and rate-limit waits move by exactly what the runs report; the
 * queue gauges and latency follow the store's run queue; only an admin key (or SWITCHYARD_METRICS=public)
 * reads them. GET /ready answers 200 while the database answers and 503 naming it once it is closed.
 */
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueApiKey } from "../../src/app/api-keys/api-keys.ts";
import type { PlatformDeps } from "../../src/app/platform.ts";
import { createSync } from "../../src/app/syncs/syncs.ts";
import type { EmulatorHandle } from "../../src/core/index.ts";
import { providers } from "../../src/providers/registry.ts";
import { createStoreSyncQueue } from "../../src/scheduler/index.ts";
import { buildServer } from "../../src/server/app.ts";
import { ensureEnvironment } from "../../src/store/index.ts";
import { generateVaultKey, parseVaultKey, Vault } from "../../src/vault/index.ts";
import { openSyncWorld, type SyncWorld } from "../conformance/sync-world.ts";
import { parsePrometheus as parse, sampleTotal as total } from "../helpers/prometheus.ts";
import { openTempStore } from "../helpers/temp-store.ts";

const provider = Object.values(providers).find((candidate) => candidate.emulator !== undefined)!;

function depsOf(db: PlatformDeps["db"]): PlatformDeps {
  return { db, vault: new Vault({ current: parseVaultKey(generateVaultKey()), previous: [] }), providers };
}

describe(`GET /metrics after syncs of ${provider.name}'s emulator`, () => {
  let emulator: EmulatorHandle;
  let world: SyncWorld;
  let app: FastifyInstance;
  let keys: { admin: string; environment: string };

  beforeAll(async () => {
    emulator = await provider.emulator!({ seed: 777, records: 80, unlimited: true });
    world = await openSyncWorld(provider, emulator);
    app = buildServer(depsOf(world.store.db), { log: false, rateLimit: false, publicMetrics: false });
    const env = await ensureEnvironment(world.store.db, "test");
    keys = {
      admin: (await issueApiKey(world.store.db, env, "ops", { admin: true })).secret,
      environment: (await issueApiKey(world.store.db, env, "app")).secret,
    };
  });
  afterAll(async () => {
    await app?.close();
    await world?.close();
    await emulator?.close();
  });

  async function scrape(): Promise<Map<string, number>> {
    const response = await app.inject({
      url: "/metrics",
      headers: { authorization: `Bearer ${keys.admin}` },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toContain("text/plain");
    return parse(response.body);
  }

  /** How much each metric moved during `work`. */
  async function during(work: () => Promise<unknown>) {
    const before = await scrape();
    await work();
    const after = await scrape();
    return (name: string, labels: Record<string, string> = {}) =>
      total(after, name, labels) - total(before, name, labels);
  }

  it("counts a run's requests, retries, rate-limit waits and records exactly as the run reports them", async () => {
    await emulator.setFaults({ rate429: 0.15, rate5xx: 0.1 });
    let run!: Awaited<ReturnType<SyncWorld["sync"]>>;
    const moved = await during(async () => {
      run = await world.sync();
    });
    await emulator.setFaults({ rate429: 0, rate5xx: 0 });
    expect(run.error).toBeNull();
    const p = { provider: provider.name };
    expect(moved("switchyard_runs_started_total", p)).toBe(1);
    expect(moved("switchyard_runs_finished_total", { ...p, status: "succeeded" })).toBe(1);
    expect(run.stats.recordsAdded).toBeGreaterThan(0);
    expect(moved("switchyard_records_total", { ...p, change: "added" })).toBe(run.stats.recordsAdded);
    expect(moved("switchyard_provider_requests_total", p)).toBe(run.stats.requests);
    expect(moved("switchyard_provider_requests_total", { ...p, status_class: "2xx" })).toBeGreaterThan(0);
    expect(run.stats.retries).toBeGreaterThan(0);
    expect(moved("switchyard_provider_retries_total", p)).toBe(run.stats.retries);
    expect(moved("switchyard_provider_requests_total", { ...p, status_class: "4xx" })).toBeGreaterThan(0);
    expect(moved("switchyard_rate_limit_waits_total", p)).toBe(run.stats.rateLimitWaits);
    expect(moved("switchyard_rate_limit_wait_seconds_total", p)).toBeCloseTo(
      run.stats.rateLimitWaitMs / 1000,
      3,
    );
    expect(moved("switchyard_provider_request_duration_seconds_count", p)).toBe(run.stats.requests);
  });

  it("counts updates and deletes, and a failed run", async () => {
    await emulator.mutate(Object.fromEntries(emulator.streams.map((s) => [s, { updates: 5, deletes: 3 }])));
    let run!: Awaited<ReturnType<SyncWorld["sync"]>>;
    const moved = await during(async () => {
      run = await world.sync();
    });
    expect(run.stats.recordsDeleted).toBeGreaterThan(0);
    expect(moved("switchyard_records_total", { provider: provider.name, change: "deleted" })).toBe(
      run.stats.recordsDeleted,
    );
    expect(moved("switchyard_records_total", { provider: provider.name, change: "updated" })).toBe(
      run.stats.recordsUpdated,
    );

    const failed = await during(() => world.sync({ fullRefresh: true, abortAfterPages: 1 }));
    expect(failed("switchyard_runs_finished_total", { provider: provider.name, status: "failed" })).toBe(1);
    expect(failed("switchyard_runs_finished_total", { provider: provider.name, status: "succeeded" })).toBe(
      0,
    );
  });

  it("shows the run queue's depth and the latency of a claim", async () => {
    const dueSince = new Date(Date.now() - 5_000);
    const sync = await createSync(world.store.db, provider, world.connectionId, {}, dueSince);
    const waiting = await scrape();
    expect(total(waiting, "switchyard_queue_depth")).toBe(1);
    expect(total(waiting, "switchyard_queue_oldest_wait_seconds")).toBeGreaterThanOrEqual(5);
    const moved = await during(async () => {
      const claims = await createStoreSyncQueue(world.store.db).claimDue(5);
      expect(claims.map((claim) => claim.syncId)).toEqual([sync.id]);
    });
    expect(moved("switchyard_queue_latency_seconds_count")).toBe(1);
    expect(moved("switchyard_queue_latency_seconds_sum")).toBeGreaterThanOrEqual(5);
    expect(total(await scrape(), "switchyard_queue_depth")).toBe(0);
  });

  it("needs an admin key unless metrics are public", async () => {
    const none = await app.inject({ url: "/metrics" });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toMatchObject({ code: "unauthenticated" });
    const environmentKey = await app.inject({
      url: "/metrics",
      headers: { authorization: `Bearer ${keys.environment}` },
    });
    expect(environmentKey.statusCode).toBe(403);
    expect(environmentKey.json()).toMatchObject({ code: "forbidden" });

    const open = buildServer(depsOf(world.store.db), { log: false, rateLimit: false, publicMetrics: true });
    try {
      const response = await open.inject({ url: "/metrics" });
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain("switchyard_runs_started_total");
    } finally {
      await open.close();
    }
  });
});

describe("GET /ready", () => {
  it("is 200 with the queue while the database answers, and 503 naming the database once it is closed", async () => {
    const { store, cleanup } = await openTempStore();
    const app = buildServer(depsOf(store.db), { log: false, rateLimit: false });
    try {
      const ready = await app.inject({ url: "/ready" });
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toEqual({
        status: "ready",
        checks: { database: { status: "ok" }, queue: { status: "ok", depth: 0, oldest_wait_seconds: 0 } },
      });
      await store.close();
      const closed = await app.inject({ url: "/ready" });
      expect(closed.statusCode).toBe(503);
      const body = closed.json();
      expect(body.status).toBe("not_ready");
      expect(body.checks.database).toMatchObject({ status: "failed", error: expect.any(String) });
      expect(body.checks.queue.status).toBe("failed");
      // Liveness is unaffected: the process still serves.
      expect((await app.inject({ url: "/health" })).statusCode).toBe(200);
    } finally {
      await app.close();
      await cleanup().catch(() => undefined);
    }
  });
});
