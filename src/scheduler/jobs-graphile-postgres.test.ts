/**
 * The graphile queue on a real Postgres: queues of one process share a pool (createJobQueuePool) — every
 * runner's connections come from it, each queue takes only its own jobs, and stopping one leaves the pool to
 * the others; and enqueueMany adds a batch in one statement with enqueue's meaning of job keys.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, postgresAvailable } from "../../test/helpers/postgres.ts";
import type { JobQueue } from "./jobs.ts";
import { createGraphileJobQueue, createJobQueuePool } from "./jobs-graphile.ts";

const available = await postgresAvailable();

async function until(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe.skipIf(!available)("the graphile queue on Postgres", () => {
  let database: { url: string; drop: () => Promise<void> };
  beforeAll(async () => {
    database = await createTestDatabase();
  }, 60_000);
  afterAll(async () => {
    await database?.drop();
  }, 60_000);

  it("each takes its own jobs; stopping one leaves the pool to the others", async () => {
    const pool = createJobQueuePool(database.url);
    const queues: JobQueue[] = [];
    try {
      for (let i = 0; i < 4; i++)
        queues.push(await createGraphileJobQueue({ connectionString: database.url, pool }));
      const handled: string[][] = queues.map(() => []);
      const errors: unknown[] = [];
      await Promise.all(
        queues.map((queue, i) =>
          queue.work(
            { [`kind.${i}`]: async (payload) => void handled[i]!.push((payload as { n: string }).n) },
            { concurrency: 2, onError: (error) => errors.push(error) },
          ),
        ),
      );
      for (let i = 0; i < 4; i++)
        for (let n = 0; n < 5; n++) await queues[0]!.enqueue(`kind.${i}`, { n: `${i}-${n}` });
      await until("every job", () => handled.every((names) => names.length === 5));
      expect(handled.map((names) => [...names].sort())).toEqual(
        handled.map((_, i) => [0, 1, 2, 3, 4].map((n) => `${i}-${n}`)),
      );
      // Each runner holds one connection of the pool for LISTEN while it works.
      expect(pool.totalCount - pool.idleCount).toBeGreaterThanOrEqual(4);

      await queues[3]!.stop();
      expect(pool.ended).toBe(false);
      await queues[1]!.enqueue("kind.2", { n: "after" });
      await until("a job after another queue stopped", () => handled[2]!.includes("after"));
      expect(errors).toEqual([]);
    } finally {
      await Promise.all(queues.map((queue) => queue.stop()));
      await pool.end();
    }
  }, 60_000);

  it("enqueueMany adds a batch: a waiting job of the same key keeps its time, the others run", async () => {
    const queue = await createGraphileJobQueue({ connectionString: database.url, pollMs: 200 });
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const runAtOf = async (key: string) =>
      (
        await client.query<{ run_at: Date }>(
          "select run_at from graphile_worker._private_jobs where key = $1",
          [key],
        )
      ).rows[0]?.run_at.getTime();
    try {
      const later = new Date(Date.now() + 3_600_000);
      await queue.enqueueMany!([
        { name: "batch.job", payload: { n: "later" }, options: { jobKey: "k1", runAt: later } },
      ]);
      await queue.enqueueMany!([
        { name: "batch.job", payload: { n: "later, again" }, options: { jobKey: "k1" } },
        { name: "batch.job", payload: { n: "keyed" }, options: { jobKey: "k2", maxAttempts: 2 } },
        { name: "batch.job", payload: { n: "plain" } },
      ]);
      expect(await runAtOf("k1")).toBe(later.getTime());
      const handled: string[] = [];
      await queue.work(
        { "batch.job": async (payload) => void handled.push((payload as { n: string }).n) },
        { concurrency: 2, onError: () => undefined },
      );
      await until("the jobs due now", () => handled.length === 2);
      expect(handled.sort()).toEqual(["keyed", "plain"]);
      // The batch's k1 updated the waiting job (payload, attempts) and left its time.
      const waiting = await client.query(
        "select payload, max_attempts, run_at from graphile_worker._private_jobs where key = 'k1'",
      );
      expect(waiting.rows).toEqual([{ payload: { n: "later, again" }, max_attempts: 5, run_at: later }]);
    } finally {
      await client.end();
      await queue.stop();
    }
  }, 60_000);
});
