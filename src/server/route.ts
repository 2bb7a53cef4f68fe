/**
 * The route contract. Each HTTP route is one `defineRoute({...})` declaring its method, path, auth,
 * strict zod schemas for params, query and body, its success responses by status, and the error codes it
 * may answer with — and then its handler, which the compiler checks against all of that. Validation,
 * the OpenAPI document and the typed client are all derived from these declarations.
 */
import type { FastifyBaseLogger } from "fastify";
import type { z } from "zod";
import type { ApiCaller } from "../app/api-keys/api-keys.ts";
import type { PlatformDeps } from "../app/platform.ts";
import type { ErrorCode } from "../core/index.ts";
import type { ConnectionRow } from "../store/index.ts";
import type { PreparedJson } from "./prepared-json.ts";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * `public`: anyone may call it. `api_key`: needs `Authorization: Bearer <key>`; sees only the key's environment.
 * `account_token`: an API key and `X-Account-Token`, the token of one connection (linked account) of the key's
 * environment, as Merge's unified API takes them.
 */
export type RouteAuth = "public" | "api_key" | "account_token";

/** Params and query are flat objects, so that each field becomes one OpenAPI parameter. */
export type ObjectSchema = z.ZodObject<z.core.$ZodShape, z.core.$ZodObjectConfig>;

/** Success responses by HTTP status. */
export type Responses = { readonly [status: number]: z.ZodType };

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/** What a handler receives: validated input, the caller (for `api_key` routes), and the dependencies. */
export interface HandlerContext<A extends RouteAuth, P, Q, B> {
  params: Parsed<P>;
  query: Parsed<Q>;
  body: Parsed<B>;
  /** The declared request headers (`headers` of the contract), parsed; empty when the route declares none. */
  headers: Record<string, unknown>;
  /** The API key and its environment. Every query a handler makes must be scoped to this environment. */
  caller: A extends "public" ? undefined : ApiCaller;
  /** The connection the `X-Account-Token` names (`account_token` routes), in the caller's environment. */
  account: A extends "account_token" ? ConnectionRow : undefined;
  deps: PlatformDeps;
  log: FastifyBaseLogger;
}

/** One of the declared success responses, with a body matching that status's schema (or that body serialised after a check: `PreparedJson`). */
export type Reply<R extends Responses> = {
  [S in keyof R & number]: {
    status: S;
    body: z.input<R[S]> | PreparedJson;
    headers?: Record<string, string>;
  };
}[keyof R & number];

/** Everything a route declares except its handler. */
export interface RouteContract<
  M extends HttpMethod,
  U extends string,
  A extends RouteAuth,
  P extends ObjectSchema | undefined,
  Q extends ObjectSchema | undefined,
  B extends z.ZodType | undefined,
  R extends Responses,
  E extends ErrorCode,
> {
  method: M;
  /** Fastify path syntax: `/v1/connections/:id`. Every `:name` must be a key of `params`. */
  url: U;
  /** Unique camelCase name; the OpenAPI operationId. */
  name: string;
  summary: string;
  description?: string;
  tags: readonly string[];
  auth: A;
  params?: P;
  query?: Q;
  body?: B;
  /** Request headers the route reads (`idempotency-key`), by lower-case name: validated and documented. */
  headers?: ObjectSchema;
  response: R;
  /**
   * Error codes this route itself may answer with. Input validation (`request_invalid`, `body_malformed`),
   * auth, rate limiting and `internal` are added by the framework.
   */
  errors: readonly E[];
  /** An example of a valid request: shown in the OpenAPI document and used by tests to reach the handler. */
  example?: { body?: B extends z.ZodType ? z.input<B> : never };
  /**
   * The body of this route's error answers, when it is not an RFC 9457 problem (Merge's `{detail}` on the
   * unified API); the route's scope must answer errors in it.
   */
  errorBody?: z.ZodType;
}

/** A contract with its handler, which the compiler checked against the contract. */
export interface RouteDefinition<
  M extends HttpMethod,
  U extends string,
  A extends RouteAuth,
  P extends ObjectSchema | undefined,
  Q extends ObjectSchema | undefined,
  B extends z.ZodType | undefined,
  R extends Responses,
  E extends ErrorCode,
> extends RouteContract<M, U, A, P, Q, B, R, E> {
  handler(ctx: HandlerContext<A, P, Q, B>): Promise<Reply<R>>;
}

/** Any route, with its types erased: what the registry, the server and the OpenAPI builder work with. */
export interface AnyRoute {
  method: HttpMethod;
  url: string;
  name: string;
  summary: string;
  description?: string;
  tags: readonly string[];
  auth: RouteAuth;
  params?: ObjectSchema;
  query?: ObjectSchema;
  body?: z.ZodType;
  headers?: ObjectSchema;
  response: Responses;
  errors: readonly ErrorCode[];
  example?: { body?: unknown };
  errorBody?: z.ZodType;
  handler(ctx: {
    params: unknown;
    query: unknown;
    body: unknown;
    headers: Record<string, unknown>;
    caller: ApiCaller | undefined;
    account: ConnectionRow | undefined;
    deps: PlatformDeps;
    log: FastifyBaseLogger;
  }): Promise<{
    status: number;
    body: unknown;
    headers?: Record<string, string>;
  }>;
}

/**
 * Declares a route: `defineRoute({ method, url, …contract }).handle(async (ctx) => ({ status, body }))`.
 * Types flow from the contract into the handler (two steps, so that the contract is fully inferred before
 * the handler's reply is checked against it).
 */
export function defineRoute<
  const M extends HttpMethod,
  const U extends string,
  const A extends RouteAuth,
  const R extends Responses,
  const E extends ErrorCode = never,
  P extends ObjectSchema | undefined = undefined,
  Q extends ObjectSchema | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(contract: RouteContract<M, U, A, P, Q, B, R, E>) {
  return {
    handle(
      handler: (ctx: HandlerContext<A, P, Q, B>) => Promise<Reply<R>>,
    ): RouteDefinition<M, U, A, P, Q, B, R, E> {
      return { ...contract, handler };
    },
  };
}

/** Error codes any route may answer with, whatever it declares. */
export function frameworkErrors(
  route: Pick<AnyRoute, "auth" | "params" | "query" | "body" | "headers">,
): ErrorCode[] {
  const codes: ErrorCode[] = [];
  if (route.params || route.query || route.body || route.headers) codes.push("request_invalid");
  if (route.body) codes.push("body_malformed", "payload_too_large", "unsupported_media_type");
  if (route.auth !== "public") codes.push("unauthenticated", "rate_limited");
  codes.push("internal");
  return codes;
}
