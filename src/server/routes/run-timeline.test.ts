import { beforeAll, describe, expect } from "vitest";
import { itOnSqliteAndPostgres, postgresAvailable } from "../../../test/helpers/postgres.ts";
import { emptyRunStats } from "../../core/index.ts";
import { createRun, updateRunStats } from "../../store/index.ts";
import { openApiWorld } from "./api-world.test-helper.ts";

// itOnSqliteAndPostgres checks for Postgres as the tests are collected; let those checks finish before the
// SQLite scenarios keep the event loop busy (their 2 s connect timeout trips on a loaded machine otherwise).
beforeAll(() => postgresAvailable());

describe("GET /v1/runs/:id/timeline", () => {
  describe("buckets what the run's commits sampled, in the caller's environment only", () => {
    itOnSqliteAndPostgres(async (store) => {
      const world = await openApiWorld(store);
      try {
        const connectionId = await world.connection();
        const run = await createRun(store.db, { connectionId, fullRefresh: false });
        const start = Date.parse(run.startedAt);
        // Three commits, as the engine makes them (updateRunStats), at chosen times.
        const commits = [
          { afterMs: 2_000, records: 100, requests: 2, retries: 0, waits: 0 },
          { afterMs: 5_000, records: 250, requests: 5, retries: 1, waits: 0 },
          { afterMs: 25_000, records: 400, requests: 8, retries: 1, waits: 2 },
        ];
        for (const commit of commits) {
          await updateRunStats(store.db, run.id, {
            ...emptyRunStats(),
            recordsAdded: commit.records,
            requests: commit.requests,
            retries: commit.retries,
            rateLimitWaits: commit.waits,
          });
          await store.db
            .withTables<{ run_samples: { run_id: string; at: string; records: number } }>()
            .updateTable("run_samples")
            .set({ at: new Date(start + commit.afterMs).toISOString() })
            .where("run_id", "=", run.id)
            .where("records", "=", commit.records)
            .execute();
        }
        await store.db
          .updateTable("runs")
          .set({ status: "succeeded", finished_at: new Date(start + 30_000).toISOString() })
          .where("id", "=", run.id)
          .execute();

        const timeline = await world.dev.get("/v1/runs/:id/timeline", {
          params: { id: run.id },
          query: { bucket_seconds: "10" },
        });
        expect(timeline).toMatchObject({ run_id: run.id, status: "succeeded", bucket_seconds: 10 });
        expect(
          timeline.data.map(({ records, requests, retries, rate_limit_waits }) => ({
            records,
            requests,
            retries,
            rate_limit_waits,
          })),
        ).toEqual([
          { records: 250, requests: 5, retries: 1, rate_limit_waits: 0 },
          { records: 0, requests: 0, retries: 0, rate_limit_waits: 0 },
          { records: 150, requests: 3, retries: 0, rate_limit_waits: 2 },
        ]);
        expect(timeline.data[0]!.records_per_second).toBe(25);
        expect(timeline.data.map((bucket) => Date.parse(bucket.at) - start)).toEqual([0, 10_000, 20_000]);

        // The default: about 60 buckets over the run (30 s: one second each).
        const byDefault = await world.dev.get("/v1/runs/:id/timeline", { params: { id: run.id } });
        expect(byDefault.bucket_seconds).toBe(1);
        expect(byDefault.data).toHaveLength(30);
        expect(byDefault.data.reduce((sum, bucket) => sum + bucket.records, 0)).toBe(400);

        const tooFine = await world.dev.request("GET", "/v1/runs/:id/timeline", {
          params: { id: run.id },
          query: { bucket_seconds: "0" },
        });
        expect(tooFine.status).toBe(400);
        const typo = await world.dev.request("GET", "/v1/runs/:id/timeline", {
          params: { id: run.id },
          query: { buckets: "10" } as never,
        });
        expect(typo.ok ? "" : typo.problem.detail).toMatch(/buckets/);

        const other = await world.prod.request("GET", "/v1/runs/:id/timeline", { params: { id: run.id } });
        expect(other.ok ? other.status : other.problem.code).toBe("not_found");

        // Samples go with their run.
        await store.db.deleteFrom("runs").where("id", "=", run.id).execute();
        const left = await store.db
          .withTables<{ run_samples: { run_id: string } }>()
          .selectFrom("run_samples")
          .select("run_id")
          .where("run_id", "=", run.id)
          .execute();
        expect(left).toEqual([]);
        // A run deleted while it ran (its connection was deleted): its next commit's sample is dropped quietly.
        await expect(updateRunStats(store.db, run.id, emptyRunStats())).resolves.toBeUndefined();
      } finally {
        await world.close();
      }
    });
  });
});
