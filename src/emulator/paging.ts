/**
 * The pagination styles providers use, as small pure helpers a route composes with its own field names:
 * cursor (`after` / opaque cursor), offset (`start` + `limit` with "more items"), page number, and next link
 * (a URL, in the body or a `Link` header). A bad paging parameter throws `ParamError`, which the kit's
 * server answers as the provider's 400.
 */
import { ParamError } from "./params.ts";

/** A page size: `fallback` when absent, else an integer in [1, max]. */
export function limitParam(
  raw: string | undefined,
  options: { fallback: number; max: number; name?: string },
): number {
  const name = options.name ?? "limit";
  if (raw === undefined || raw === "") return options.fallback;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > options.max) {
    throw new ParamError(`${name} must be an integer between 1 and ${options.max}, but was ${raw}.`);
  }
  return limit;
}

/** A non-negative integer position (`start`, `offset`): 0 when absent. */
export function offsetParam(raw: string | undefined, name = "start"): number {
  if (raw === undefined || raw === "") return 0;
  const offset = Number(raw);
  if (!Number.isInteger(offset) || offset < 0) {
    throw new ParamError(`${name} must be a non-negative integer, but was ${raw}.`);
  }
  return offset;
}

/**
 * Up to `limit` items from a sequence already positioned at the cursor, and the item after them (whose key
 * is the next cursor), reading one item more than the page.
 */
export function takePage<T>(items: Iterable<T>, limit: number): { items: T[]; next: T | undefined } {
  const page: T[] = [];
  for (const item of items) {
    if (page.length === limit) return { items: page, next: item };
    page.push(item);
  }
  return { items: page, next: undefined };
}

/**
 * Keyset paging by id: `after` is the id of the next page's first record (what the previous
 * page's `paging.next.after` said). Undefined when absent (from the first id); not an id is ParamError.
 */
export function afterIdParam(raw: string | undefined, name = "after"): number | undefined {
  if (raw === undefined || raw === "") return undefined;
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id < 1) {
    throw new ParamError(`${name} must be a paging cursor returned by a previous page, but was "${raw}".`);
  }
  return id;
}

/** An opaque cursor for any JSON position (base64url), as providers with opaque cursors send. */
export function encodeCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position)).toString("base64url");
}

/** The position of an opaque cursor, or ParamError when it is not one of ours. */
export function decodeCursor<T>(cursor: string, name = "cursor"): T {
  try {
    return JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as T;
  } catch {
    throw new ParamError(`${name} must be a cursor returned by a previous page, but was "${cursor}".`);
  }
}

export interface OffsetPage<T> {
  items: T[];
  start: number;
  limit: number;
  /** True when items follow this page. */
  moreItems: boolean;
  /** The start of the next page, when there is one. */
  nextStart: number | undefined;
}

/** Offset paging over a list: `limit` items from `start`, and whether more follow. */
export function offsetPage<T>(list: readonly T[], start: number, limit: number): OffsetPage<T> {
  const items = list.slice(start, start + limit);
  const moreItems = start + limit < list.length;
  return { items, start, limit, moreItems, nextStart: moreItems ? start + limit : undefined };
}

export interface NumberedPage<T> {
  items: T[];
  /** 1-based. */
  page: number;
  perPage: number;
  totalItems: number;
  totalPages: number;
}

/** Page-number paging over a list (pages count from 1; a page past the end is empty). */
export function numberedPage<T>(list: readonly T[], page: number, perPage: number): NumberedPage<T> {
  const start = (page - 1) * perPage;
  return {
    items: list.slice(start, start + perPage),
    page,
    perPage,
    totalItems: list.length,
    totalPages: Math.ceil(list.length / perPage),
  };
}

/** The URL of another page: the request's URL on `baseUrl`, with `params` set (undefined removes one). */
export function pageLink(
  baseUrl: string,
  requestUrl: string,
  params: Record<string, string | number | undefined>,
): string {
  const link = new URL(requestUrl, baseUrl);
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) link.searchParams.delete(name);
    else link.searchParams.set(name, String(value));
  }
  return link.toString();
}

/** The link to another page of the request being answered: its URL, on the host it was sent to, with `params` set. */
export function requestPageLink(
  request: { headers: { host?: string | undefined }; url: string },
  params: Record<string, string | number | undefined>,
): string {
  return pageLink(`http://${request.headers.host ?? "localhost"}`, request.url, params);
}

/** An RFC 8288 `Link` header (`<url>; rel="next", …`) for the relations given. */
export function linkHeader(links: Partial<Record<"next" | "prev" | "first" | "last", string>>): string {
  return Object.entries(links)
    .filter(([, url]) => url !== undefined)
    .map(([rel, url]) => `<${url}>; rel="${rel}"`)
    .join(", ");
}
