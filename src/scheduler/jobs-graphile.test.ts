/**
 * The Postgres job queue outlives its database going away: a job whose handler returns while the server is
 * down cannot be marked done (graphile-worker then retires the worker that took it, and does not replace
 * it), yet once the server is back the queue takes new jobs again. On a private cluster the test may stop.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type PrivatePostgres,
  privatePostgresAvailable,
  startPrivatePostgres,
} from "../../test/helpers/private-postgres.ts";
import type { JobQueue } from "./jobs.ts";
import { createGraphileJobQueue } from "./jobs-graphile.ts";

const available = privatePostgresAvailable();
const TIMEOUT_MS = 120_000;

async function until(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(!available)("the graphile-worker queue when Postgres goes away", () => {
  let cluster: PrivatePostgres;
  let producer: JobQueue;
  let consumer: JobQueue;
  const errors: string[] = [];

  beforeAll(async () => {
    cluster = await startPrivatePostgres();
    producer = await createGraphileJobQueue({ connectionString: cluster.url });
    consumer = await createGraphileJobQueue({ connectionString: cluster.url, pollMs: 200 });
  }, TIMEOUT_MS);
  afterAll(async () => {
    await consumer?.stop();
    await producer?.stop();
    cluster?.destroy();
  }, TIMEOUT_MS);

  it(
    "takes jobs again after a job finished while the server was down",
    async () => {
      const handled: string[] = [];
      let holdFirst: (() => void) | undefined;
      const firstHeld = new Promise<void>((resolve) => {
        holdFirst = resolve;
      });
      let firstStarted = false;
      await consumer.work(
        {
          "test.job": async (payload) => {
            const { name } = payload as { name: string };
            if (name === "first") {
              firstStarted = true;
              // Returns only once the server is down, so the job cannot be marked done.
              await firstHeld;
            }
            handled.push(name);
          },
        },
        { concurrency: 1, onError: (error) => errors.push(String(error)) },
      );
      await producer.enqueue("test.job", { name: "first" });
      await until("the first job to start", () => firstStarted);
      cluster.stop();
      holdFirst!();
      await until("the first job to return", () => handled.includes("first"));
      // Let the completion fail against the stopped server.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      cluster.start();

      await producer.enqueue("test.job", { name: "second" });
      await until("the second job, taken after the restart", () => handled.includes("second"));
      expect(handled).toContain("second");
      expect(
        errors.some((error) => /committing seppuku|Failed to release job/.test(error)),
        `the first job's completion failed while the server was down: ${errors.join("; ")}`,
      ).toBe(true);
    },
    TIMEOUT_MS,
  );
});
