/**
 * The HubSpot emulator server: HubSpot's paths, auth, rate limits and error bodies over seeded data,
 * with fault knobs and `/_emulator/*` controls.
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from "fastify";
import { TokenRegistry } from "./auth.ts";
import type { ObjectTypeName } from "./catalog.ts";
import type { EmulatorContext } from "./context.ts";
import { createControls, type EmulatorControls } from "./controls.ts";
import { Dataset } from "./dataset.ts";
import { HubSpotApiError, rateLimitBody } from "./errors.ts";
import { FaultPlan, type FaultSettings, HTML_ERROR_PAGE } from "./faults.ts";
import { createOAuthControls, type OAuthAppSpec, type OAuthControls, OAuthState } from "./oauth-state.ts";
import { DEFAULT_OWNER_COUNT, type PublicOwner, seededOwners } from "./owners.ts";
import { type RateLimitConfig, RateLimiter } from "./rate-limit.ts";
import { associationRoutes } from "./routes/associations.ts";
import { associationV3Routes } from "./routes/associations-v3.ts";
import { associationV4Routes } from "./routes/associations-v4.ts";
import { controlRoutes } from "./routes/control.ts";
import { oauthRoutes } from "./routes/oauth.ts";
import { oauthControlRoutes } from "./routes/oauth-control.ts";
import { objectRoutes } from "./routes/objects.ts";
import { objectBatchRoutes } from "./routes/objects-batch.ts";
import { ownerRoutes } from "./routes/owners.ts";
import { propertyRoutes } from "./routes/properties.ts";
import { propertyBatchRoutes } from "./routes/properties-batch.ts";
import { propertyGroupRoutes } from "./routes/property-groups.ts";
import { searchRoutes } from "./routes/search.ts";

/** The token accepted when none are configured (shaped like a private app token). */
export const DEFAULT_TOKEN = "pat-na1-00000000-0000-4000-8000-000000000001";
export const DEFAULT_SEED = 42;
const CORRELATION_HEADER = "x-hubspot-correlation-id";

export interface HubSpotEmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  seed?: number;
  counts?: Partial<Record<ObjectTypeName, number>>;
  /** How many owners (users) the account has (default 8); seeded like the records. */
  owners?: number;
  /** Accepted private app tokens (default: DEFAULT_TOKEN). */
  tokens?: readonly string[];
  rateLimit?: Partial<RateLimitConfig>;
  faults?: FaultSettings;
  /** Start of the logical clock (ISO or epoch ms); seeded data predates it. */
  clockStart?: string | number;
  /** OAuth apps that may be installed through `/oauth/authorize` (more can be registered later). */
  oauthApps?: readonly OAuthAppSpec[];
}

export interface HubSpotEmulator extends EmulatorControls {
  /** Base URL to hand to a client as its base path, e.g. `http://127.0.0.1:40123`. */
  url: string;
  port: number;
  tokens: readonly string[];
  /** The OAuth server: apps, token lifetimes, expiry and revocation, token-endpoint counters. */
  oauth: OAuthControls;
  /** The account's owners as the owners API returns them, deactivated ones included. */
  owners(): PublicOwner[];
  close(): Promise<void>;
}

/** Starts an emulator listening on loopback (by default); resolves once it accepts connections. */
export async function startHubSpotEmulator(options: HubSpotEmulatorOptions = {}): Promise<HubSpotEmulator> {
  const tokens = options.tokens && options.tokens.length > 0 ? options.tokens : [DEFAULT_TOKEN];
  const seed = options.seed ?? DEFAULT_SEED;
  const tokenRegistry = new TokenRegistry(tokens);
  const dataset = new Dataset({
    seed,
    ...(options.counts ? { counts: options.counts } : {}),
    ...(options.clockStart !== undefined ? { clockStart: new Date(options.clockStart).getTime() } : {}),
  });
  const ctx: EmulatorContext = {
    dataset,
    owners: seededOwners(dataset.seed, options.owners ?? DEFAULT_OWNER_COUNT, dataset.clockStart),
    limiter: new RateLimiter(options.rateLimit),
    faults: new FaultPlan(options.faults ?? {}, seed),
    tokens: tokenRegistry,
    oauth: new OAuthState(tokenRegistry, options.oauthApps),
    requestCounts: new Map(),
  };
  const controls = createControls(ctx);
  const app = buildApp(ctx, controls);
  const host = options.host ?? "127.0.0.1";
  await app.listen({ port: options.port ?? 0, host });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : (options.port ?? 0);
  return {
    ...controls,
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    tokens,
    oauth: createOAuthControls(ctx.oauth),
    owners: () => ctx.owners.map((owner) => structuredClone(owner)),
    close: () => app.close(),
  };
}

/** Builds the Fastify app (not listening). */
export function buildApp(ctx: EmulatorContext, controls: EmulatorControls): FastifyInstance {
  const app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 10 * 1024 * 1024 });
  app.setErrorHandler(renderError);
  app.setNotFoundHandler((request, reply) => {
    const error = new HubSpotApiError(
      404,
      "OBJECT_NOT_FOUND",
      `No route for ${request.method} ${request.url}.`,
    );
    return reply.code(404).send(error.body());
  });
  app.register(async (api) => {
    const malformed = new WeakSet<FastifyRequest>();
    api.addHook("onRequest", (request, reply) => guard(ctx, request, reply, malformed));
    api.addHook("onSend", async (request, reply, payload) => {
      // Cut a successful JSON body in half: a client must notice instead of trusting a 200.
      if (
        malformed.has(request) &&
        reply.statusCode < 300 &&
        typeof payload === "string" &&
        payload.length > 1
      ) {
        return payload.slice(0, Math.floor(payload.length / 2));
      }
      return payload;
    });
    objectRoutes(api, ctx);
    objectBatchRoutes(api, ctx);
    ownerRoutes(api, ctx);
    searchRoutes(api, ctx);
    propertyRoutes(api, ctx);
    propertyGroupRoutes(api, ctx);
    propertyBatchRoutes(api, ctx);
    associationRoutes(api, ctx);
    associationV3Routes(api, ctx);
    associationV4Routes(api, ctx);
  });
  app.register(async (control) => controlRoutes(control, controls));
  app.register(async (oauth) => oauthRoutes(oauth, ctx.oauth));
  app.register(async (control) => oauthControlRoutes(control, ctx.oauth));
  return app;
}

/** Auth, rate limits and faults, in that order, before any API handler runs. */
async function guard(
  ctx: EmulatorContext,
  request: FastifyRequest,
  reply: FastifyReply,
  malformed: WeakSet<FastifyRequest>,
): Promise<void> {
  const route = `${request.method} ${request.routeOptions.url ?? request.url}`;
  ctx.requestCounts.set(route, (ctx.requestCounts.get(route) ?? 0) + 1);
  const correlationId = randomUUID();
  reply.header(CORRELATION_HEADER, correlationId);
  const auth = ctx.tokens.authenticate(request.headers.authorization, ctx.faults.settings.tokenExpiresAfter);
  if ("error" in auth) {
    await reply.code(auth.error.statusCode).send(auth.error.body(correlationId));
    return;
  }
  const search = request.routeOptions.url?.endsWith("/search") ?? false;
  const decision = ctx.limiter.take(auth.token, search);
  reply.headers(decision.headers);
  const appId = ctx.tokens.appIds.get(auth.token) ?? 0;
  if (decision.exceeded) {
    await reply.code(429).send({ ...rateLimitBody(decision.exceeded, appId), correlationId });
    return;
  }
  const fault = ctx.faults.next();
  if (fault.latencyMs > 0) await sleep(fault.latencyMs);
  switch (fault.action.kind) {
    case "drop":
      reply.hijack();
      request.raw.socket.destroy();
      return;
    case "rate_limit":
      await reply.code(429).send({ ...rateLimitBody("TEN_SECONDLY_ROLLING", appId), correlationId });
      return;
    case "server_error":
      if (fault.action.status === 500) {
        await reply
          .code(500)
          .send({ status: "error", message: "internal error", correlationId, category: "INTERNAL_ERROR" });
      } else {
        // Gateways in front of the API answer with HTML.
        await reply.code(fault.action.status).type("text/html; charset=utf-8").send(HTML_ERROR_PAGE);
      }
      return;
    case "html":
      await reply.code(200).type("text/html; charset=utf-8").send(HTML_ERROR_PAGE);
      return;
    case "malformed":
      malformed.add(request);
      return;
    case "none":
      return;
  }
}

/** Every error leaves in HubSpot's shape: handler errors as thrown, framework errors as VALIDATION_ERROR. */
function renderError(error: FastifyError | HubSpotApiError, _request: FastifyRequest, reply: FastifyReply) {
  const header = reply.getHeader(CORRELATION_HEADER);
  const correlationId = typeof header === "string" ? header : randomUUID();
  if (error instanceof HubSpotApiError) return reply.code(error.statusCode).send(error.body(correlationId));
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const invalid = new HubSpotApiError(400, "VALIDATION_ERROR", `Invalid input JSON: ${error.message}`);
    return reply.code(400).send(invalid.body(correlationId));
  }
  return reply.code(500).send({
    status: "error",
    message: `internal error: ${error.message}`,
    correlationId,
    category: "INTERNAL_ERROR",
  });
}
