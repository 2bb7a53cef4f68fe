import fastifyRateLimit from "@fastify/rate-limit";
import Fastify, { type FastifyInstance, type FastifyRequest, type onRequestHookHandler } from "fastify";
import type { DestinationStream } from "pino";
import type { PlatformDeps } from "../app/platform.ts";
import { SwitchyardError } from "../core/index.ts";
import { budgetStoreFor } from "../http/index.ts";
import { type AttemptLimit, AttemptLimiter } from "./attempt-limiter.ts";
import { callerOf } from "./auth.ts";
import { type ConnectLimits, registerConnect } from "./connect/index.ts";
import { registerDashboard } from "./dashboard-static.ts";
import { createFallbackHandler } from "./fallback.ts";
import { clientErrorHandler, frameworkErrorHandler } from "./framework-errors.ts";
import { registerJsonBodyParser } from "./json-body.ts";
import { requestLogFields } from "./log-redaction.ts";
import { mergeCrmRoutes, registerMergeApi } from "./merge/index.ts";
import { buildOpenApiDocument } from "./openapi.ts";
import { PROBLEM_CONTENT_TYPE, problemForReply } from "./problem.ts";
import { registerReferencePage } from "./reference-page.ts";
import { registerRoutes } from "./register-routes.ts";
import type { AnyRoute, HttpMethod } from "./route.ts";
import { apiRoutes } from "./routes/index.ts";
import { metricsArePublic, registerMetricsRoute } from "./routes/metrics.ts";
import { proxyRouteDocs, registerProxyRoute } from "./routes/proxy.ts";
import {
  inboundWebhookRouteDocs,
  registerInboundWebhookReceiver,
} from "./routes/webhooks-inbound-receiver.ts";
import { sharedRequestLimitStore } from "./shared-request-limit-store.ts";

export interface ServerOptions {
  /** Largest accepted request body in bytes (default 1 MiB); larger ones get 413. */
  bodyLimit?: number;
  /** Requests per API key per window on `/v1` (default 1,000 per minute); false turns the limit off. */
  rateLimit?: { max: number; windowMs: number } | false;
  /**
   * Request logging through pino, with Authorization, cookies and secret query parameters redacted. On by
   * default at `SWITCHYARD_LOG_LEVEL` (default `info`) to stdout; `false` silences it.
   */
  log?: { level?: string; stream?: DestinationStream } | false;
  /**
   * Failed API-key authentications allowed per client address per window (default 20 per minute); past
   * that, every request from the address gets 429 until the window ends. False turns the limit off.
   */
  authFailureLimit?: AttemptLimit | false;
  /** Limits of the public Connect API (`/connect/api/*`); see `ConnectLimits` for the defaults. */
  connectLimits?: Partial<ConnectLimits>;
  /**
   * Which proxies to believe about the client address (X-Forwarded-For), which the throttles above count
   * by: Fastify's `trustProxy` (true, or comma-separated addresses/CIDRs). Default: SWITCHYARD_TRUST_PROXY,
   * else none — behind a reverse proxy, set it, or every client shares the proxy's address.
   */
  trustProxy?: boolean | string;
  /** Whether GET /metrics is open to anyone (default: SWITCHYARD_METRICS=public); else it needs an admin key. */
  publicMetrics?: boolean;
  /** The contract routes to serve (default: all of them). */
  routes?: readonly AnyRoute[];
}

const DEFAULT_RATE_LIMIT = { max: 1_000, windowMs: 60_000 };
const DEFAULT_AUTH_FAILURE_LIMIT = { max: 20, windowMs: 60_000 };

/** SWITCHYARD_TRUST_PROXY as Fastify's `trustProxy`: `true`, or comma-separated addresses/CIDRs. */
export function trustProxyFromEnv(value: string | undefined): boolean | string {
  if (!value || value === "false") return false;
  return value === "true" ? true : value;
}

/**
 * Builds the HTTP API (not listening yet) from its dependencies. Every error — invalid input, unknown path,
 * wrong method, oversize body, rate limit, a bug — becomes an RFC 9457 problem; nothing crashes the process.
 */
export function buildServer(deps: PlatformDeps, options: ServerOptions = {}): FastifyInstance {
  const routes = options.routes ?? (apiRoutes as readonly AnyRoute[]);
  const log = options.log ?? {};
  const app = Fastify({
    bodyLimit: options.bodyLimit ?? 1_048_576,
    logger:
      log === false
        ? false
        : {
            level: log.level ?? process.env.SWITCHYARD_LOG_LEVEL ?? "info",
            ...(log.stream ? { stream: log.stream } : {}),
            redact: { paths: ["req.headers.authorization", "req.headers.cookie"], censor: "[redacted]" },
            serializers: { req: requestLogFields },
          },
    trustProxy: options.trustProxy ?? trustProxyFromEnv(process.env.SWITCHYARD_TRUST_PROXY),
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
  });
  // Only JSON bodies are accepted; anything else is 415 rather than a confusing validation error.
  app.removeContentTypeParser("text/plain");
  registerJsonBodyParser(app);

  const known: { method: HttpMethod; url: string }[] = [];
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat()) {
      if (method !== "HEAD") known.push({ method: method as HttpMethod, url: route.url });
    }
  });
  // The dashboard's files and page addresses first (see registerDashboard), then the API's 404 and 405.
  const dashboardPages = registerDashboard(app);
  const notFound = createFallbackHandler(known);
  app.setNotFoundHandler(async (request, reply) =>
    (await dashboardPages(request, reply)) ? reply : notFound(request, reply),
  );
  app.setErrorHandler((error, request, reply) => {
    const problem = problemForReply(error, request, reply);
    return reply.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
  });

  const rateLimit = options.rateLimit === undefined ? DEFAULT_RATE_LIMIT : options.rateLimit;
  // Redis or a Postgres store: the throttles count there, so they hold across every API process.
  const sharedState = budgetStoreFor(deps.db);
  const shared = sharedState.kind === "memory" ? undefined : sharedState;
  if (rateLimit) {
    app.register(fastifyRateLimit, {
      global: false,
      ...(shared ? { store: sharedRequestLimitStore(shared) } : {}),
      max: rateLimit.max,
      timeWindow: rateLimit.windowMs,
      keyGenerator: (request: FastifyRequest) => callerOf(request)?.keyId ?? request.ip,
      errorResponseBuilder: (_request, context) =>
        new SwitchyardError(
          "rate_limited",
          `Too many requests with this API key; limit is ${context.max} per window.`,
          {
            hint: `Wait ${context.after} (see Retry-After) before sending more, or spread requests out.`,
          },
        ),
    });
  }
  const authFailureLimit =
    options.authFailureLimit === undefined ? DEFAULT_AUTH_FAILURE_LIMIT : options.authFailureLimit;
  const authFailures = authFailureLimit
    ? new AttemptLimiter(authFailureLimit, { name: "api-key-failures", ...(shared ? { store: shared } : {}) })
    : undefined;
  app.register(async (api) => {
    const rateLimiter = rateLimit ? (api.rateLimit() as onRequestHookHandler) : undefined;
    registerRoutes(api, routes, deps, { rateLimiter, authFailures });
    registerMergeApi(api, deps, { rateLimiter, authFailures });
    registerProxyRoute(api, deps, { rateLimiter, authFailures });
    const publicMetrics = options.publicMetrics ?? metricsArePublic(process.env.SWITCHYARD_METRICS);
    registerMetricsRoute(api, deps, { public: publicMetrics, authFailures });
  });
  registerReferencePage(
    app,
    buildOpenApiDocument([
      ...routes,
      ...(mergeCrmRoutes as readonly AnyRoute[]),
      ...proxyRouteDocs,
      ...inboundWebhookRouteDocs,
    ]),
  );
  registerConnect(app, deps, options.connectLimits, shared);
  registerInboundWebhookReceiver(app, deps);
  return app;
}
