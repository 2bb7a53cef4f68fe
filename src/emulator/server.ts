/**
 * The emulator's HTTP server: the provider's API routes behind the kit's guard (credentials, rate limits,
 * faults, in that order), errors in the provider's shape, the OAuth server and the `/_emulator/*` controls.
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from "fastify";
import { type ControlSurface, controlRoutes } from "./control-routes.ts";
import type { EmulatorCore } from "./core.ts";
import { EmulatorError, type ErrorStyle } from "./errors.ts";
import { htmlErrorPage } from "./faults.ts";
import { oauthRoutes } from "./oauth/routes.ts";
import { ParamError } from "./params.ts";

const HTML = "text/html; charset=utf-8";

export interface EmulatorAppOptions<RateConfig extends object> {
  /** Registers the provider's API routes; they run behind credentials, rate limits and faults. */
  api(scope: FastifyInstance): void;
  controls: ControlSurface<RateConfig>;
  /** Registers the provider's own control routes (under `/_emulator`), beside the kit's. */
  providerControls?(scope: FastifyInstance): void;
  /** Largest request body in bytes (default 10 MiB). */
  bodyLimit?: number;
}

/** Builds the Fastify app (not listening). */
export function buildEmulatorApp<RateConfig extends object>(
  core: EmulatorCore<RateConfig>,
  options: EmulatorAppOptions<RateConfig>,
): FastifyInstance {
  const app = Fastify({
    logger: false,
    forceCloseConnections: true,
    bodyLimit: options.bodyLimit ?? 10 * 1024 * 1024,
  });
  app.setErrorHandler((error: FastifyError | EmulatorError, _request, reply) =>
    renderError(core.errors, error, reply),
  );
  app.setNotFoundHandler((request, reply) => {
    const error = core.errors.routeNotFound(request.method, request.url);
    return reply.code(error.statusCode).send(core.errors.body(error, requestIdOf(core.errors, reply)));
  });
  app.register(async (api) => {
    const malformed = new WeakSet<FastifyRequest>();
    api.addHook("onRequest", (request, reply) => guard(core, request, reply, malformed));
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
    options.api(api);
  });
  app.register(async (control) => {
    controlRoutes(control, core, options.controls);
    options.providerControls?.(control);
  });
  const oauth = core.oauth;
  if (oauth) app.register(async (scope) => oauthRoutes(scope, oauth));
  return app;
}

/** Starts listening (loopback by default, a free port unless given); resolves once it accepts connections. */
export async function listen(
  app: FastifyInstance,
  options: { port?: number; host?: string } = {},
): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const host = options.host ?? "127.0.0.1";
  await app.listen({ port: options.port ?? 0, host });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : (options.port ?? 0);
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    close: () => app.close(),
  };
}

/** Credentials, rate limits and faults, in that order, before any API handler runs. */
async function guard<RateConfig extends object>(
  core: EmulatorCore<RateConfig>,
  request: FastifyRequest,
  reply: FastifyReply,
  malformed: WeakSet<FastifyRequest>,
): Promise<void> {
  const { errors } = core;
  const route = `${request.method} ${request.routeOptions.url ?? request.url}`;
  core.requestCounts.set(route, (core.requestCounts.get(route) ?? 0) + 1);
  const requestId = randomUUID();
  if (errors.requestIdHeader) reply.header(errors.requestIdHeader, requestId);
  const send = (error: EmulatorError) => reply.code(error.statusCode).send(errors.body(error, requestId));

  const auth = core.tokens.authenticate(core.credentials(request), core.faults.settings.tokenExpiresAfter);
  if ("refused" in auth) {
    const refused = {
      missing: errors.missingCredentials,
      invalid: errors.invalidCredentials,
      expired: errors.expiredCredentials,
    }[auth.refused]();
    await send(refused);
    return;
  }
  const decision = core.limiter.take(core.rateLimitCaller(auth.token), core.requestKind(request));
  reply.headers(decision.headers);
  const appId = core.tokens.appIds.get(auth.token) ?? 0;
  if (decision.exceeded) {
    await send(errors.rateLimited(decision.exceeded, appId));
    return;
  }
  const fault = core.faults.next();
  if (fault.latencyMs > 0) await sleep(fault.latencyMs);
  switch (fault.action.kind) {
    case "drop":
      reply.hijack();
      request.raw.socket.destroy();
      return;
    case "rate_limit":
      await send(errors.rateLimited(core.limiter.faultPolicy, appId));
      return;
    case "server_error":
      if (fault.action.status === 500) await send(errors.internalError("internal error"));
      // Gateways in front of the API answer with HTML.
      else await reply.code(fault.action.status).type(HTML).send(htmlErrorPage(errors.htmlPageTitle));
      return;
    case "html":
      await reply.code(200).type(HTML).send(htmlErrorPage(errors.htmlPageTitle));
      return;
    case "malformed":
      malformed.add(request);
      return;
    case "none":
      return;
  }
}

function requestIdOf(errors: ErrorStyle, reply: FastifyReply): string {
  const header = errors.requestIdHeader ? reply.getHeader(errors.requestIdHeader) : undefined;
  return typeof header === "string" ? header : randomUUID();
}

/**
 * Every error leaves in the provider's shape: handler errors as thrown, bad paging parameters and framework
 * 4xx as invalid requests, anything else as an internal error.
 */
function renderError(errors: ErrorStyle, error: FastifyError | EmulatorError, reply: FastifyReply) {
  const requestId = requestIdOf(errors, reply);
  const status = error.statusCode ?? 500;
  const rendered =
    error instanceof EmulatorError
      ? error
      : error instanceof ParamError
        ? errors.invalidRequest(error.message)
        : status >= 400 && status < 500
          ? errors.invalidRequest(`Invalid input JSON: ${error.message}`)
          : errors.internalError(`internal error: ${error.message}`);
  return reply.code(rendered.statusCode).send(errors.body(rendered, requestId));
}
