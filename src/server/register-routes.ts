import type { FastifyInstance, onRequestHookHandler } from "fastify";
import type { PlatformDeps } from "../app/platform.ts";
import { SwitchyardError } from "../core/index.ts";
import { accountOf, requireAccountToken } from "./account-token.ts";
import type { AttemptLimiter } from "./attempt-limiter.ts";
import { callerOf, requireApiKey } from "./auth.ts";
import { parseInput } from "./parse-input.ts";
import { PreparedJson } from "./prepared-json.ts";
import type { AnyRoute } from "./route.ts";

/**
 * Installs contract routes on a Fastify instance. For each request: `api_key` routes authenticate and then
 * pass the rate limiter; params, query and body are validated; the handler runs; and its reply is checked
 * against the declared schema for its status, which also strips any field the contract does not name (a
 * `PreparedJson` reply was checked before it was built, and is sent as is).
 */
export function registerRoutes(
  app: FastifyInstance,
  routes: readonly AnyRoute[],
  deps: PlatformDeps,
  options: { rateLimiter?: onRequestHookHandler | undefined; authFailures?: AttemptLimiter | undefined } = {},
): void {
  const authenticate = requireApiKey(deps.db, options.authFailures);
  for (const route of routes) {
    const onRequest: onRequestHookHandler[] = [];
    if (route.auth !== "public") {
      onRequest.push(authenticate);
      if (options.rateLimiter) onRequest.push(options.rateLimiter);
    }
    if (route.auth === "account_token") onRequest.push(requireAccountToken(deps.db));
    app.route({
      method: route.method,
      url: route.url,
      onRequest,
      handler: async (request, reply) => {
        const input = parseInput(route, request);
        const result = await route.handler({
          ...input,
          caller: callerOf(request),
          account: accountOf(request),
          deps,
          log: request.log,
        });
        if (result.body instanceof PreparedJson) {
          if (result.headers) reply.headers(result.headers);
          return reply.status(result.status).type("application/json; charset=utf-8").send(result.body.text);
        }
        const schema = route.response[result.status];
        const checked = schema?.safeParse(result.body);
        if (!checked?.success) {
          request.log.error(
            { route: `${route.method} ${route.url}`, status: result.status, issues: checked?.error.issues },
            "handler reply does not match its contract",
          );
          throw new SwitchyardError(
            "internal",
            "The server built a reply that does not match its contract.",
            {
              hint: "This is a bug in Switchyard; the server log names the route.",
            },
          );
        }
        if (result.headers) reply.headers(result.headers);
        return reply.status(result.status).send(checked.data);
      },
    });
  }
}
