/**
 * The operations listener of a process that serves no API, a `switchyard worker` (docs/operations.md): only
 * `GET /health`, `GET /ready` and `GET /metrics`, the same routes `switchyard server` serves. A worker is
 * where runs happen, so its runs, records, requests, retries, rate-limit waits and queue latency are
 * counted in it and must be scraped from it; its readiness says whether it reaches the database and queue.
 */
import Fastify, { type FastifyInstance } from "fastify";
import type { PlatformDeps } from "../app/platform.ts";
import { createFallbackHandler } from "./fallback.ts";
import { PROBLEM_CONTENT_TYPE, problemForReply } from "./problem.ts";
import { registerRoutes } from "./register-routes.ts";
import type { AnyRoute } from "./route.ts";
import { healthRoutes } from "./routes/health.ts";
import { METRICS_PATH, metricsArePublic, registerMetricsRoute } from "./routes/metrics.ts";
import { readyRoutes } from "./routes/ready.ts";

const routes = [...healthRoutes, ...readyRoutes] as readonly AnyRoute[];

/**
 * Builds the listener (not listening yet). /metrics needs an admin API key of the deployment unless
 * `publicMetrics` (default: SWITCHYARD_METRICS=public), as on the server.
 */
export function buildHealthAndMetricsServer(
  deps: PlatformDeps,
  options: { publicMetrics?: boolean } = {},
): FastifyInstance {
  const app = Fastify({ logger: false });
  app.setErrorHandler((error, request, reply) => {
    const problem = problemForReply(error, request, reply);
    return reply.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
  });
  app.setNotFoundHandler(
    createFallbackHandler([
      ...routes.map((route) => ({ method: route.method, url: route.url })),
      { method: "GET" as const, url: METRICS_PATH },
    ]),
  );
  registerRoutes(app, routes, deps);
  registerMetricsRoute(app, deps, {
    public: options.publicMetrics ?? metricsArePublic(process.env.SWITCHYARD_METRICS),
  });
  return app;
}
