/**
 * Pagination strategies, declared as data and composed with a request and a record path:
 *
 *   paginate(http, { path: "/crm/v3/objects/contacts", query: { limit: 100 } },
 *            cursorPaginator({ cursorPath: "paging.next.after", param: "after" }),
 *            { records: "results", resumeFrom: state.after })
 *
 * Each page carries `next`, a JSON token (cursor, URL, offset or page number) that a stream can save as
 * state and pass back as `resumeFrom` to continue after a crash. `next` undefined means the last page.
 */
import type { HttpClient, HttpRequest, HttpResponse } from "../core/index.ts";
import { ConfigError, ProviderResponseError } from "../core/index.ts";
import { getPath } from "./json-path.ts";

/** Where the next page is: a cursor or URL (string), or an offset or page number. */
export type PageToken = string | number;

/** A pagination strategy: how to ask for a page, and how to find the next one in a response. */
export interface Paginator {
  /** The request for the page at `token` (undefined: the first page). */
  requestFor(base: HttpRequest, token: PageToken | undefined): HttpRequest;
  /** The token of the page after this one, or undefined when this was the last page. */
  nextToken(
    response: HttpResponse,
    records: readonly unknown[],
    token: PageToken | undefined,
  ): PageToken | undefined;
}

/** Where a strategy puts its parameter: the query string, or the top level of the JSON body. */
export type ParamLocation = "query" | "body";

export interface CursorPaginatorOptions {
  /** Dot path of the next cursor in the body (`paging.next.after`). Missing, null or "" ends the stream. */
  cursorPath: string;
  /** Request parameter that carries it (`after`). */
  param: string;
  in?: ParamLocation;
}

export interface NextUrlPaginatorOptions {
  /** Dot path of the next page's URL in the body (`next`, `links.next`). Relative URLs are allowed. */
  nextPath: string;
}

export interface OffsetPaginatorOptions {
  offsetParam: string;
  limitParam: string;
  /** Page size asked for; a shorter page ends the stream. */
  limit: number;
  in?: ParamLocation;
}

export interface PageNumberPaginatorOptions {
  pageParam: string;
  /** Number of the first page. Default 1. */
  firstPage?: number;
  /** Page-size parameter and value, if the API takes one; a shorter page then ends the stream. */
  sizeParam?: string;
  size?: number;
  in?: ParamLocation;
}

/** The same strategies as plain data, for provider definitions that are declarations. */
export type PaginationSpec =
  | ({ type: "cursor" } & CursorPaginatorOptions)
  | ({ type: "next_url" } & NextUrlPaginatorOptions)
  | { type: "link_header" }
  | ({ type: "offset" } & OffsetPaginatorOptions)
  | ({ type: "page_number" } & PageNumberPaginatorOptions);

/** Cursor in the body, sent back as a parameter: stops when the body has no cursor. */
export function cursorPaginator(options: CursorPaginatorOptions): Paginator {
  return {
    requestFor: (base, token) =>
      token === undefined ? base : withParams(base, { [options.param]: token }, options.in),
    nextToken: (response) => {
      const cursor = getPath(response.body, options.cursorPath);
      if (cursor === undefined || cursor === null || cursor === "") return undefined;
      if (typeof cursor === "string" || typeof cursor === "number") return cursor;
      throw malformed(response, `the cursor at "${options.cursorPath}" is ${describeType(cursor)}`);
    },
  };
}

/** Next page's URL in the body: stops when it is missing, null or "". */
export function nextUrlPaginator(options: NextUrlPaginatorOptions): Paginator {
  return {
    requestFor: followUrl,
    nextToken: (response) => {
      const next = getPath(response.body, options.nextPath);
      if (next === undefined || next === null || next === "") return undefined;
      if (typeof next !== "string") {
        throw malformed(response, `the next-page URL at "${options.nextPath}" is ${describeType(next)}`);
      }
      return resolveUrl(next, response);
    },
  };
}

/** RFC 8288 Link header with rel="next": stops when there is none. */
export function linkHeaderPaginator(): Paginator {
  return {
    requestFor: followUrl,
    nextToken: (response) => {
      const header = response.headers.link;
      const next = header === undefined ? undefined : parseLinkHeader(header).next;
      return next === undefined ? undefined : resolveUrl(next, response);
    },
  };
}

/** Offset and limit parameters: stops at the first page shorter than the limit. */
export function offsetPaginator(options: OffsetPaginatorOptions): Paginator {
  requirePositive("limit", options.limit);
  return {
    requestFor: (base, token) =>
      withParams(
        base,
        { [options.offsetParam]: token ?? 0, [options.limitParam]: options.limit },
        options.in,
      ),
    nextToken: (_response, records, token) =>
      records.length < options.limit ? undefined : Number(token ?? 0) + records.length,
  };
}

/** Page-number parameter: stops at an empty page, or a page shorter than `size` when one is set. */
export function pageNumberPaginator(options: PageNumberPaginatorOptions): Paginator {
  const firstPage = options.firstPage ?? 1;
  if (options.size !== undefined) requirePositive("size", options.size);
  return {
    requestFor: (base, token) => {
      const params: Record<string, PageToken> = { [options.pageParam]: token ?? firstPage };
      if (options.sizeParam !== undefined && options.size !== undefined)
        params[options.sizeParam] = options.size;
      return withParams(base, params, options.in);
    },
    nextToken: (_response, records, token) => {
      if (records.length === 0) return undefined;
      if (options.size !== undefined && records.length < options.size) return undefined;
      return Number(token ?? firstPage) + 1;
    },
  };
}

/** Builds the paginator a PaginationSpec declares. */
export function createPaginator(spec: PaginationSpec): Paginator {
  switch (spec.type) {
    case "cursor":
      return cursorPaginator(spec);
    case "next_url":
      return nextUrlPaginator(spec);
    case "link_header":
      return linkHeaderPaginator();
    case "offset":
      return offsetPaginator(spec);
    case "page_number":
      return pageNumberPaginator(spec);
  }
}

export interface Page<T = unknown> {
  records: T[];
  response: HttpResponse;
  /** Token of the page after this one; save it as state and pass it back as `resumeFrom`. Undefined: last page. */
  next: PageToken | undefined;
}

export interface PaginateOptions {
  /** Dot path of the records array in the body (`results`); "" when the body itself is the array. */
  records: string;
  /** A `next` token saved from an earlier page: reading continues with that page. */
  resumeFrom?: PageToken;
  signal?: AbortSignal;
}

/**
 * Yields pages in order, one request at a time (the next request waits until the consumer asks for it).
 * Throws ProviderResponseError when the records are not an array or the next token does not advance.
 */
export async function* paginate<T = unknown>(
  http: HttpClient,
  request: HttpRequest,
  paginator: Paginator,
  options: PaginateOptions,
): AsyncGenerator<Page<T>, void, undefined> {
  const { signal } = options;
  let token = options.resumeFrom;
  for (;;) {
    signal?.throwIfAborted();
    const response = await http.request(paginator.requestFor(request, token), { signal });
    const found = getPath(response.body, options.records);
    if (!Array.isArray(found)) {
      throw malformed(
        response,
        `expected an array of records at "${options.records}" but found ${describeType(found)}`,
      );
    }
    const next = paginator.nextToken(response, found, token);
    // A provider handing back the same token would make us read the same page forever.
    if (next !== undefined && next === token) {
      throw malformed(response, `the next-page token did not advance (still ${JSON.stringify(next)})`);
    }
    yield { records: found as T[], response, next };
    if (next === undefined) return;
    token = next;
  }
}

/** Parses an RFC 8288 Link header into rel → URL (first link wins per rel). */
export function parseLinkHeader(header: string): Record<string, string> {
  const links: Record<string, string> = {};
  for (const match of header.matchAll(/<([^>]*)>([^<]*)/g)) {
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s";,]+))/i.exec(match[2] ?? "");
    for (const name of (rel?.[1] ?? rel?.[2] ?? "").toLowerCase().split(/\s+/)) {
      if (name !== "" && links[name] === undefined) links[name] = match[1]!;
    }
  }
  return links;
}

/** A token that is a URL replaces the request's path and query (the URL carries them). */
function followUrl(base: HttpRequest, token: PageToken | undefined): HttpRequest {
  return token === undefined ? base : { ...base, path: String(token), query: undefined };
}

/** Relative next links are resolved against the response URL, so the stored token is absolute. */
function resolveUrl(link: string, response: HttpResponse): string {
  try {
    return new URL(link, response.url).toString();
  } catch {
    throw malformed(response, `the next-page link "${link}" is not a URL`);
  }
}

function withParams(
  base: HttpRequest,
  params: Record<string, PageToken>,
  where: ParamLocation = "query",
): HttpRequest {
  if (where === "query") return { ...base, query: { ...base.query, ...params } };
  if (
    base.body !== undefined &&
    (typeof base.body !== "object" || base.body === null || Array.isArray(base.body))
  ) {
    throw new ConfigError("Pagination parameters in the body need a JSON object body.");
  }
  return { ...base, body: { ...(base.body as object | undefined), ...params } };
}

function malformed(response: HttpResponse, problem: string): ProviderResponseError {
  let provider: string;
  try {
    provider = new URL(response.url).host;
  } catch {
    provider = "The provider";
  }
  return new ProviderResponseError(provider, problem, { url: response.url });
}

function requirePositive(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new ConfigError(`Pagination ${name} must be a whole number of at least 1, not ${value}.`);
  }
}

function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object"
    ? "an object"
    : typeof value === "undefined"
      ? "nothing"
      : `a ${typeof value}`;
}
