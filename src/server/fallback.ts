import type { FastifyReply, FastifyRequest } from "fastify";
import { SwitchyardError } from "../core/index.ts";
import { clip } from "./problem.ts";
import type { HttpMethod } from "./route.ts";

/** A path pattern (`/v1/connections/:id`) as a regular expression over concrete paths. */
function patternOf(url: string): RegExp {
  const source = url
    .split("/")
    .map((part) => (part.startsWith(":") ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("/");
  return new RegExp(`^${source}/?$`);
}

/**
 * The not-found handler: a path that exists with other methods is answered 405 with an `Allow` header;
 * anything else 404. Both as problem+json through the error handler. `known` is read on the first
 * request, so it may still be filled after the handler is created.
 */
export function createFallbackHandler(known: readonly { method: HttpMethod; url: string }[]) {
  // Built on first use: routes are still being registered when the handler is created.
  let patterns: { method: HttpMethod; pattern: RegExp }[] | undefined;
  return async (request: FastifyRequest, reply: FastifyReply): Promise<never> => {
    patterns ??= known.map((route) => ({ method: route.method, pattern: patternOf(route.url) }));
    const path = request.url.split("?")[0] ?? "";
    const shown = clip(path);
    const allowed = new Set(patterns.filter((p) => p.pattern.test(path)).map((p) => p.method as string));
    if (allowed.has("GET")) allowed.add("HEAD");
    if (allowed.size > 0) {
      const allow = [...allowed].sort().join(", ");
      reply.header("allow", allow);
      throw new SwitchyardError("method_not_allowed", `${request.method} is not allowed on ${shown}.`, {
        hint: `Use one of: ${allow}.`,
      });
    }
    throw new SwitchyardError("not_found", `There is no endpoint ${request.method} ${shown}.`, {
      hint: "Check the path against the API reference at /docs (or /openapi.json).",
    });
  };
}
