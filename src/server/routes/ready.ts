import { sql } from "kysely";
import { z } from "zod";
import { readQueue } from "../../metrics/index.ts";
import { defineRoute } from "../route.ts";

/** How long a check may take before it counts as failed: a readiness probe must answer quickly. */
const CHECK_TIMEOUT_MS = 2_000;

const failedCheck = z.object({
  status: z.literal("failed"),
  error: z.string().describe("What went wrong, e.g. the database's error message."),
});
const databaseCheck = z.union([z.object({ status: z.literal("ok") }), failedCheck]);
const queueCheck = z.union([
  z.object({
    status: z.literal("ok"),
    depth: z.number().int().describe("Syncs due or asked for and not yet claimed by a worker."),
    oldest_wait_seconds: z.number().describe("How long the longest-waiting of them has been due."),
  }),
  failedCheck,
]);
const readiness = (status: "ready" | "not_ready") =>
  z.object({
    status: z.literal(status),
    checks: z.object({ database: databaseCheck, queue: queueCheck }),
  });

/** Runs a check with a deadline; a failure or a timeout becomes `{status: "failed", error}`. */
async function check<T extends object>(work: () => Promise<T>) {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    return { status: "ok" as const, ...(await Promise.race([work(), deadline])) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { status: "failed" as const, error: message.slice(0, 300) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * GET /ready — readiness: 200 once this process can do its work (the database answers a trivial query, the
 * run queue in it can be read), 503 naming the check that failed. Public, like /health (liveness).
 */
export const getReady = defineRoute({
  method: "GET",
  url: "/ready",
  name: "getReady",
  summary: "Readiness check",
  description:
    "200 when the database answers and the run queue can be read (with its depth); 503 naming what failed. " +
    "Use /health for liveness: a 503 here means wait or route elsewhere, not restart.",
  tags: ["System"],
  auth: "public",
  response: { 200: readiness("ready"), 503: readiness("not_ready") },
  errors: [],
}).handle(async ({ deps }) => {
  const database = await check(async () => {
    await sql`select 1`.execute(deps.db);
    return {};
  });
  const queue = await check(async () => {
    const { depth, oldestWaitSeconds } = await readQueue(deps.db);
    return { depth, oldest_wait_seconds: Math.round(oldestWaitSeconds * 1000) / 1000 };
  });
  if (database.status === "ok" && queue.status === "ok") {
    return { status: 200, body: { status: "ready" as const, checks: { database, queue } } };
  }
  return { status: 503, body: { status: "not_ready" as const, checks: { database, queue } } };
});

export const readyRoutes = [getReady] as const;
