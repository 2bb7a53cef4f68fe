/**
 * The client's types, inferred from the route contracts (type-only imports: the client loads no server code).
 * A route added to the registry is callable, with checked input and typed output, without regenerating anything.
 */
import type { z } from "zod";
import type { ErrorCode } from "../core/index.ts";
import type { Problem } from "../server/problem.ts";
import type { HttpMethod, Responses, RouteDefinition } from "../server/route.ts";
import type { ApiRoutes } from "../server/routes/index.ts";

export type ApiRoute = ApiRoutes[number];

/** The parts of a route's contract, as types. */
type Contract<R> =
  R extends RouteDefinition<infer M, infer U, infer A, infer P, infer Q, infer B, infer Res, infer E>
    ? { method: M; url: U; auth: A; params: P; query: Q; body: B; response: Res; errors: E }
    : never;

/** The route with this method and path. */
export type RouteAt<M extends HttpMethod, U extends string> = Extract<ApiRoute, { method: M; url: U }>;

/** Paths that have a route for this method. */
export type PathsFor<M extends HttpMethod> = Extract<ApiRoute, { method: M }>["url"];

type ParamsPart<P> = P extends z.ZodType ? { params: z.input<P> } : { params?: never };
type QueryPart<Q> = Q extends z.ZodType
  ? Record<string, never> extends z.input<Q>
    ? { query?: z.input<Q> }
    : { query: z.input<Q> }
  : { query?: never };
type BodyPart<B> = B extends z.ZodType
  ? undefined extends z.input<B>
    ? { body?: z.input<B> }
    : { body: z.input<B> }
  : { body?: never };

/** What a call to this route takes: `params`, `query` and `body`, each only if the route has it. */
export type RequestInput<R> = ParamsPart<Contract<R>["params"]> &
  QueryPart<Contract<R>["query"]> &
  BodyPart<Contract<R>["body"]>;

/** The call's trailing argument: optional when nothing in it is required. */
export type InputArgs<R> =
  Record<string, never> extends RequestInput<R> ? [input?: RequestInput<R>] : [input: RequestInput<R>];

type SuccessOf<Res> = Res extends Responses
  ? { [S in keyof Res & number]: z.output<Res[S]> }[keyof Res & number]
  : never;

/** The body of a successful reply of this route. */
export type ResponseBody<R> = SuccessOf<Contract<R>["response"]>;

/** Codes the framework may answer any route with. */
type FrameworkCode =
  | "request_invalid"
  | "body_malformed"
  | "payload_too_large"
  | "unsupported_media_type"
  | "unauthenticated"
  | "rate_limited"
  | "internal";

/** Error codes this route may answer with. */
export type ErrorCodeOf<R> = Extract<Contract<R>["errors"] | FrameworkCode, ErrorCode>;

/** A problem reply, with the route's possible codes. */
export type ProblemOf<R> = Omit<Problem, "code"> & { code: ErrorCodeOf<R> };

/** The outcome of `request`: the typed success body, or the problem. */
export type Result<R> =
  | { ok: true; status: number; body: ResponseBody<R>; headers: Headers }
  | { ok: false; status: number; problem: ProblemOf<R>; headers: Headers };

/** GET paths whose reply is a cursor page (`data` and `next_cursor`). */
export type ListPaths = {
  [U in PathsFor<"GET">]: ResponseBody<RouteAt<"GET", U>> extends {
    data: unknown[];
    next_cursor: string | null;
  }
    ? U
    : never;
}[PathsFor<"GET">];

/** The item type of a list route. */
export type ListItem<U extends ListPaths> =
  ResponseBody<RouteAt<"GET", U>> extends { data: (infer T)[] } ? T : never;
