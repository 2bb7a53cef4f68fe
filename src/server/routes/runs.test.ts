import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emptyRunStats, type LogLevel } from "../../core/index.ts";
import { appendRunLogs, createRun, finishRun } from "../../store/index.ts";
import { GOOD_TOKEN, type Harness, startHarness } from "../test-harness.ts";

let h: Harness;
let connectionIds: string[];
let runIds: string[];

beforeAll(async () => {
  h = await startHarness();
  connectionIds = [];
  for (const id of ["a", "b"]) {
    const connection = await h.dev.post("/v1/connections", {
      body: { provider: "loopback", credentials: { type: "bearer", token: GOOD_TOKEN }, end_user: { id } },
    });
    connectionIds.push(connection.id);
  }
  runIds = [];
  for (let i = 0; i < 5; i++) {
    const run = await createRun(h.store.db, { connectionId: connectionIds[i % 2]!, fullRefresh: i === 0 });
    runIds.push(run.id);
    // Distinct start times, so that "newest first" has one right answer.
    const startedAt = new Date(Date.UTC(2025, 0, 1, 0, i)).toISOString();
    await h.store.db.updateTable("runs").set({ started_at: startedAt }).where("id", "=", run.id).execute();
    if (i < 4) {
      await finishRun(h.store.db, run.id, {
        status: i === 3 ? "failed" : "succeeded",
        stats: { ...emptyRunStats(), recordsAdded: 10 * i, rateLimitWaitMs: 5 },
        ...(i === 3 ? { error: { code: "provider_unavailable", message: "down", hint: "later" } } : {}),
      });
    }
  }
  const levels: LogLevel[] = ["debug", "info", "warn", "error"];
  await appendRunLogs(
    h.store.db,
    Array.from({ length: 40 }, (_, seq) => ({
      runId: runIds[0]!,
      seq,
      at: new Date().toISOString(),
      level: levels[seq % 4]!,
      message: `line ${seq}`,
      ...(seq === 3 ? { fields: { page: 2 } } : {}),
    })),
  );
});
afterAll(async () => {
  await h.close();
});

describe("runs API", () => {
  it("lists runs newest first with snake_case stats, filtered by connection and status", async () => {
    const all = await h.dev.get("/v1/runs");
    expect(all.data.map((run) => run.id)).toEqual([...runIds].reverse());
    const byConnection = await h.dev.get("/v1/runs", { query: { connection_id: connectionIds[1]! } });
    expect(byConnection.data.map((run) => run.id)).toEqual([runIds[3], runIds[1]]);
    const failed = await h.dev.get("/v1/runs", { query: { status: "failed" } });
    expect(failed.data).toMatchObject([
      { id: runIds[3], error: { code: "provider_unavailable", hint: "later" } },
    ]);
    const running = await h.dev.get("/v1/runs", { query: { status: "running" } });
    expect(running.data.map((run) => run.id)).toEqual([runIds[4]]);
    const paged: string[] = [];
    for await (const run of h.dev.list("/v1/runs", { query: { limit: 2 } })) paged.push(run.id);
    expect(paged).toEqual([...runIds].reverse());
  });

  it("gets one run with its stats", async () => {
    const run = await h.dev.get("/v1/runs/:id", { params: { id: runIds[2]! } });
    expect(run).toMatchObject({
      id: runIds[2],
      connection_id: connectionIds[0],
      status: "succeeded",
      full_refresh: false,
      stats: { records_added: 20, rate_limit_wait_ms: 5, requests: 0 },
    });
    expect(run.finished_at).toEqual(expect.any(String));
    const missing = await h.dev.request("GET", "/v1/runs/:id", { params: { id: "run_missing" } });
    expect(missing.ok ? 0 : missing.problem.code).toBe("not_found");
  });

  it("pages through log lines by minimum level, resuming after a seq", async () => {
    const warn = await h.dev.get("/v1/runs/:id/logs", {
      params: { id: runIds[0]! },
      query: { level: "warn", limit: 5 },
    });
    expect(warn.data.map((line) => line.seq)).toEqual([2, 3, 6, 7, 10]);
    expect(warn.data.every((line) => line.level === "warn" || line.level === "error")).toBe(true);
    expect(warn.data[1]?.fields).toEqual({ page: 2 });
    expect(warn).toMatchObject({ next_after: 10, has_more: true });
    const next = await h.dev.get("/v1/runs/:id/logs", {
      params: { id: runIds[0]! },
      query: { level: "warn", after: warn.next_after, limit: 100 },
    });
    expect(next.data[0]?.seq).toBe(11);
    expect(next.data).toHaveLength(15);
    expect(next.has_more).toBe(false);
    const tail = await h.dev.get("/v1/runs/:id/logs", {
      params: { id: runIds[0]! },
      query: { after: next.next_after },
    });
    expect(tail).toEqual({ data: [], next_after: next.next_after, has_more: false });
    const everything = await h.dev.get("/v1/runs/:id/logs", { params: { id: runIds[0]! } });
    expect(everything.data).toHaveLength(40);
    const bad = await h.dev.request("GET", "/v1/runs/:id/logs", {
      params: { id: runIds[0]! },
      query: { level: "loud" as never },
    });
    expect(bad.ok ? 0 : bad.problem.errors?.[0]).toMatchObject({ location: "query", path: "level" });
  });
});
