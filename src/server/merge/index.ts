/**
 * The Merge-compatible unified CRM API under `/api/crm/v1`, so that Merge's SDK works with
 * `baseUrl: <switchyard>/api`. Its routes are contract routes like the rest of the API; what differs is the
 * error body: Merge's `{detail}` instead of RFC 9457 problems.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from "fastify";
import type { PlatformDeps } from "../../app/platform.ts";
import type { AttemptLimiter } from "../attempt-limiter.ts";
import { createFallbackHandler } from "../fallback.ts";
import { type Problem, problemForReply } from "../problem.ts";
import { registerRoutes } from "../register-routes.ts";
import type { AnyRoute } from "../route.ts";
import { crmReadRoutes } from "./crm-reads.ts";
import { crmWriteRoutes } from "./crm-writes.ts";
import { fieldMappingMergeRoutes } from "./field-mappings.ts";
import { linkedAccountRoutes } from "./linked-accounts.ts";
import { crmMetaRoutes } from "./meta.ts";
import { passthroughRoutes } from "./passthrough.ts";

export const mergeCrmRoutes = [
  ...linkedAccountRoutes,
  ...crmReadRoutes,
  ...crmWriteRoutes,
  ...crmMetaRoutes,
  ...passthroughRoutes,
  ...fieldMappingMergeRoutes,
] as const;

/** `{detail}` of a problem: its message, with the hint and the first field issues, in one sentence. */
function detailOf(problem: Problem): string {
  const issues = (problem.errors ?? []).map((issue) => `${issue.path || issue.location}: ${issue.message}`);
  return [problem.detail, ...issues, problem.hint].filter(Boolean).join(" ");
}

/** Answers any error as `{detail}`, with the status its problem would have had. */
function answerWithDetail(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const problem = problemForReply(error, request, reply);
  return reply.status(problem.status).send({ detail: detailOf(problem) });
}

/**
 * Registers the unified CRM routes in their own scope, whose errors answer `{detail}` as Merge's do; so do
 * unknown paths and methods under `/api`.
 */
export function registerMergeApi(
  app: FastifyInstance,
  deps: PlatformDeps,
  options: { rateLimiter?: onRequestHookHandler | undefined; authFailures?: AttemptLimiter | undefined },
): void {
  const routes = mergeCrmRoutes as unknown as readonly AnyRoute[];
  app.register(async (scope) => {
    scope.setErrorHandler(answerWithDetail);
    registerRoutes(scope, routes, deps, options);
  });
  app.register(
    async (scope) => {
      scope.setErrorHandler(answerWithDetail);
      scope.setNotFoundHandler(createFallbackHandler(routes));
    },
    { prefix: "/api" },
  );
}
