/**
 * `GET /metrics`: the process's Prometheus metrics in the text exposition format (docs/operations.md). They
 * span every environment, so by default only an admin API key may read them; SWITCHYARD_METRICS=public opens
 * them to anyone who can reach the port (for a scraper on a private network). Not a contract route: the body
 * is Prometheus text, not JSON.
 */
import type { FastifyInstance, onRequestHookHandler } from "fastify";
import { assertAdmin } from "../../app/api-keys/api-keys.ts";
import type { PlatformDeps } from "../../app/platform.ts";
import { collectProcessMetrics, metricsRegistry, refreshQueueGauges } from "../../metrics/registry.ts";
import type { AttemptLimiter } from "../attempt-limiter.ts";
import { callerOf, requireApiKey } from "../auth.ts";

export const METRICS_PATH = "/metrics";

/** SWITCHYARD_METRICS: `public` lets anyone read /metrics; anything else (or unset) needs an admin key. */
export function metricsArePublic(value: string | undefined): boolean {
  return value === "public";
}

export function registerMetricsRoute(
  app: FastifyInstance,
  deps: PlatformDeps,
  options: { public: boolean; authFailures?: AttemptLimiter | undefined },
): void {
  collectProcessMetrics();
  const onRequest: onRequestHookHandler[] = options.public
    ? []
    : [requireApiKey(deps.db, options.authFailures) as onRequestHookHandler];
  app.get(METRICS_PATH, { onRequest }, async (request, reply) => {
    if (!options.public)
      assertAdmin(callerOf(request)!, "read the process's metrics, which span every environment");
    // The queue gauges are read from the store; if it does not answer, the other metrics still go out
    // (GET /ready says what is wrong).
    await refreshQueueGauges(deps.db).catch((error: unknown) => {
      request.log.warn({ err: error }, "metrics: the run queue could not be read");
    });
    return reply.type(metricsRegistry.contentType).send(await metricsRegistry.metrics());
  });
}
