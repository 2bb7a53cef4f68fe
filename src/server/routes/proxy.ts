/**
 * The plain proxy: `ANY /v1/proxy/{path}` sends the request to the provider of the connection named by the
 * `Connection-Id` header (in the API key's environment), with the connection's credentials injected, and answers
 * with the provider's status, headers and body. A wildcard path and a body of any media type are more than a
 * contract route expresses, so it is registered by hand in its own scope; `proxyRouteDocs` documents it.
 */
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from "fastify";
import { z } from "zod";
import type { PlatformDeps } from "../../app/platform.ts";
import { PROXY_METHODS, proxyRequest } from "../../app/proxy/proxy.ts";
import { type ErrorCode, RequestInvalidError, SwitchyardError } from "../../core/index.ts";
import { getConnectionIn } from "../../store/index.ts";
import type { AttemptLimiter } from "../attempt-limiter.ts";
import { callerOf, requireApiKey } from "../auth.ts";
import type { AnyRoute, HttpMethod } from "../route.ts";

const PREFIX = "/v1/proxy";
/** Request headers named `Switchyard-Proxy-<name>` are forwarded as `<name>`. */
const FORWARD_PREFIX = "switchyard-proxy-";
/** The caller's own headers that are also the provider's: forwarded as they are. */
const FORWARDED_AS_IS = ["content-type", "accept"] as const;

const proxyHeaders = z.object({
  "connection-id": z
    .string()
    .min(1)
    .max(200)
    .describe("The connection (`conn_…`) of the API key's environment whose provider receives the request."),
  "base-url-override": z
    .string()
    .max(2_000)
    .optional()
    .describe("Another base path on the connection's own host (any other host is refused)."),
});

/** The headers the caller asked to forward: `Switchyard-Proxy-*` without the prefix, plus Content-Type and Accept. */
function forwardedHeaders(request: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    const text = [value].flat().join(", ");
    if (name.startsWith(FORWARD_PREFIX)) out[name.slice(FORWARD_PREFIX.length)] = text;
    else if ((FORWARDED_AS_IS as readonly string[]).includes(name)) out[name] = text;
  }
  return out;
}

/** The proxy's own headers, validated: a missing `Connection-Id` is a request_invalid naming it. */
function proxyOptions(request: FastifyRequest): z.infer<typeof proxyHeaders> {
  const parsed = proxyHeaders.safeParse({
    "connection-id": request.headers["connection-id"],
    "base-url-override": request.headers["base-url-override"],
  });
  if (parsed.success) return parsed.data;
  throw new RequestInvalidError(
    parsed.error.issues.map((issue) => ({
      location: "headers",
      path: issue.path.join("."),
      message: issue.message,
    })),
    "Send `Connection-Id: <connection id>` naming a connection of the API key's environment.",
  );
}

/**
 * Registers `/v1/proxy/*` for every method, behind the API key and the rate limiter. Its scope takes any body
 * as it is (the provider's media type, not only JSON) and answers errors as the rest of `/v1` does.
 */
export function registerProxyRoute(
  app: FastifyInstance,
  deps: PlatformDeps,
  options: { rateLimiter?: onRequestHookHandler | undefined; authFailures?: AttemptLimiter | undefined },
): void {
  const onRequest: onRequestHookHandler[] = [requireApiKey(deps.db, options.authFailures)];
  if (options.rateLimiter) onRequest.push(options.rateLimiter);
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));
    scope.route({
      method: [...PROXY_METHODS],
      url: `${PREFIX}/*`,
      exposeHeadRoute: false,
      onRequest,
      handler: async (request, reply) => {
        const caller = callerOf(request);
        if (!caller) throw new SwitchyardError("internal", "The proxy ran before the API key was checked.");
        const { "connection-id": connectionId, "base-url-override": baseUrlOverride } = proxyOptions(request);
        const connection = await getConnectionIn(deps.db, caller.environmentId, connectionId);
        // The raw URL, not the decoded wildcard: the guard must see `%2e%2e` as the caller wrote it.
        const path = request.url.slice(PREFIX.length);
        const body = Buffer.isBuffer(request.body) && request.body.length > 0 ? request.body : undefined;
        const answer = await proxyRequest(deps, connection, {
          method: request.method as (typeof PROXY_METHODS)[number],
          path,
          headers: forwardedHeaders(request),
          ...(body ? { body } : {}),
          ...(baseUrlOverride !== undefined ? { baseUrlOverride } : {}),
        });
        return reply.status(answer.status).headers(answer.headers).send(answer.body);
      },
    });
  });
}

const PROXY_ERRORS: readonly ErrorCode[] = [
  "not_found",
  "credentials_rejected",
  "provider_request_rejected",
  "provider_unavailable",
  "config_invalid",
];

/** The proxy as the OpenAPI document shows it (one operation per method); never registered as contract routes. */
export const proxyRouteDocs: readonly AnyRoute[] = (["GET", "POST", "PUT", "PATCH", "DELETE"] as const).map(
  (method: HttpMethod): AnyRoute => ({
    method,
    url: `${PREFIX}/:path`,
    name: `proxy${method.charAt(0)}${method.slice(1).toLowerCase()}`,
    summary: `Proxy a ${method} request to the connection's provider`,
    description:
      "Sends the request to `<connection base URL>/<path>` (query string included) with the connection's " +
      "credentials, rate-limit budget and retries, and answers with the provider's status, headers and body. " +
      "Headers named `Switchyard-Proxy-<name>` are forwarded as `<name>`, with Content-Type and Accept. Refused " +
      "with 400 (`request_invalid`): absolute URLs, `//host`, `..` in any encoding, " +
      "backslashes, credential and hop-by-hop headers, base URL overrides to another host, and redirects " +
      "off the base URL. See docs/proxy.md.",
    tags: ["Proxy"],
    auth: "api_key",
    params: z.object({
      path: z.string().describe("The provider path, relative to the connection's base URL."),
    }),
    headers: proxyHeaders,
    ...(method === "GET" || method === "DELETE"
      ? {}
      : { body: z.unknown().optional().describe("Sent to the provider as it is, typed by Content-Type.") }),
    response: {
      200: z.unknown().describe("The provider's answer: its status, headers and body as it gave them."),
    },
    errors: PROXY_ERRORS,
    handler: async () => {
      throw new SwitchyardError("internal", "The proxy's documentation entry is not a route.");
    },
  }),
);
