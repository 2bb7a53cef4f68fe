import type { HttpMethod } from "../server/route.ts";
import type {
  InputArgs,
  ListItem,
  ListPaths,
  PathsFor,
  ProblemOf,
  ResponseBody,
  Result,
  RouteAt,
} from "./types.ts";

export interface ClientOptions {
  /** e.g. `http://127.0.0.1:3000` */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** A fetch implementation (default: the global one). */
  fetch?: typeof fetch;
}

/** A problem reply, thrown by the unwrapping methods (`get`, `post`, …). `problem.code` is stable. */
export class ApiError<
  P extends { code: string; detail: string; status: number } = ProblemOf<unknown>,
> extends Error {
  constructor(
    readonly status: number,
    readonly problem: P,
  ) {
    super(`${problem.code}: ${problem.detail}`);
    this.name = "ApiError";
  }
}

type Input = { params?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown };

function buildUrl(baseUrl: string, path: string, input: Input): string {
  const filled = path.replaceAll(/:([A-Za-z0-9_]+)/g, (_match, name: string) => {
    const value = input.params?.[name];
    if (value === undefined) throw new TypeError(`Missing path parameter "${name}" for ${path}.`);
    return encodeURIComponent(String(value));
  });
  const url = new URL(filled, baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`);
  for (const [key, value] of Object.entries(input.query ?? {})) {
    if (value === undefined || value === null) continue;
    for (const item of [value].flat()) url.searchParams.append(key, String(item));
  }
  return url.toString();
}

/** A problem from a non-JSON or unexpected error reply, so callers always get the same shape. */
function fallbackProblem(status: number, text: string) {
  return {
    type: "urn:switchyard:problem:internal",
    title: "Unexpected reply",
    status,
    detail: text.slice(0, 500) || `HTTP ${status}`,
    code: "internal" as const,
  };
}

/**
 * A typed client of the Switchyard API. Paths, inputs, replies and error codes are inferred from the route
 * contracts: `client.get("/v1/connections/:id", { params: { id } })` returns a typed connection.
 */
export function createClient(options: ClientOptions) {
  const doFetch = options.fetch ?? fetch;

  async function call(method: HttpMethod, path: string, input: Input = {}) {
    const headers: Record<string, string> = { accept: "application/json" };
    if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
    if (input.body !== undefined) headers["content-type"] = "application/json";
    const response = await doFetch(buildUrl(options.baseUrl, path, input), {
      method,
      headers,
      ...(input.body !== undefined ? { body: JSON.stringify(input.body) } : {}),
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (response.ok)
      return { ok: true as const, status: response.status, body: parsed, headers: response.headers };
    const problem =
      parsed && typeof parsed === "object" && "code" in parsed
        ? parsed
        : fallbackProblem(response.status, text);
    return { ok: false as const, status: response.status, problem, headers: response.headers };
  }

  /** Calls a route; resolves with the typed outcome and never throws for problem replies. */
  function request<M extends HttpMethod, U extends PathsFor<M>>(
    method: M,
    path: U,
    ...args: InputArgs<RouteAt<M, U>>
  ): Promise<Result<RouteAt<M, U>>> {
    return call(method, path, args[0] as Input) as Promise<Result<RouteAt<M, U>>>;
  }

  /** Calls a route and returns its success body; throws ApiError with the problem otherwise. */
  async function send<M extends HttpMethod, U extends PathsFor<M>>(
    method: M,
    path: U,
    input: unknown,
  ): Promise<ResponseBody<RouteAt<M, U>>> {
    const result = await call(method, path, input as Input);
    if (!result.ok) throw new ApiError(result.status, result.problem as ProblemOf<RouteAt<M, U>>);
    return result.body as ResponseBody<RouteAt<M, U>>;
  }

  return {
    request,
    get: <U extends PathsFor<"GET">>(path: U, ...args: InputArgs<RouteAt<"GET", U>>) =>
      send("GET", path, args[0]),
    post: <U extends PathsFor<"POST">>(path: U, ...args: InputArgs<RouteAt<"POST", U>>) =>
      send("POST", path, args[0]),
    put: <U extends PathsFor<"PUT">>(path: U, ...args: InputArgs<RouteAt<"PUT", U>>) =>
      send("PUT", path, args[0]),
    patch: <U extends PathsFor<"PATCH">>(path: U, ...args: InputArgs<RouteAt<"PATCH", U>>) =>
      send("PATCH", path, args[0]),
    delete: <U extends PathsFor<"DELETE">>(path: U, ...args: InputArgs<RouteAt<"DELETE", U>>) =>
      send("DELETE", path, args[0]),

    /** Every item of a cursor-paginated list, fetching page after page as the loop asks for more. */
    async *list<U extends ListPaths>(
      path: U,
      ...args: InputArgs<RouteAt<"GET", U>>
    ): AsyncGenerator<ListItem<U>> {
      const input = (args[0] ?? {}) as Input;
      let cursor: string | null | undefined;
      do {
        const query = { ...input.query, ...(cursor ? { cursor } : {}) };
        const page = (await send("GET", path, { ...input, query })) as {
          data: ListItem<U>[];
          next_cursor: string | null;
        };
        yield* page.data;
        cursor = page.next_cursor;
      } while (cursor);
    },
  };
}

export type SwitchyardClient = ReturnType<typeof createClient>;
