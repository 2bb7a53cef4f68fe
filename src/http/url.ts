/**
 * URL building: base URL + path + query, without a URL object on the hot (relative path) route.
 */
import type { QueryValue } from "../core/index.ts";
import { ConfigError } from "../core/index.ts";

export interface BaseUrl {
  /** `https://api.example.com` */
  origin: string;
  /** Path prefix without a trailing slash (`/v3`, or "" for the root). */
  pathPrefix: string;
}

/** Where one request goes, split the way undici wants it. */
export interface Target {
  origin: string;
  /** Path and query string. */
  path: string;
  /** Same origin as the base URL: only then do credentials go along. */
  sameOrigin: boolean;
}

/**
 * Parses the client's base URL once; throws ConfigError when it is not an absolute http(s) URL or carries a
 * user name or password.
 */
export function parseBaseUrl(provider: string, baseUrl: string): BaseUrl {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new ConfigError(
      `The ${provider} base URL "${baseUrl}" is not a valid URL.`,
      "Use e.g. https://api.example.com/v3.",
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(`The ${provider} base URL must use http or https, not ${url.protocol}`);
  }
  assertNoUserinfo(url);
  return { origin: url.origin, pathPrefix: url.pathname.replace(/\/+$/, "") };
}

/** Refuses `https://user:pass@host`: a secret in a URL would be stored and shown in plain text. */
export function assertNoUserinfo(url: URL): void {
  if (url.username !== "" || url.password !== "") {
    throw new ConfigError(
      `A base URL cannot carry a user name or password (${url.protocol}//…@${url.host}).`,
      "Give the URL without `user:password@` and put the secret in the connection's credentials.",
    );
  }
}

/**
 * Resolves a request path (relative to the base, or absolute for next-page links) and appends the query.
 * `authParam` is added only for the base's own origin, replacing any value already in an absolute URL.
 */
export function buildTarget(
  base: BaseUrl,
  path: string,
  query: Record<string, QueryValue> | undefined,
  authParam: { name: string; value: string } | undefined,
): Target {
  if (/^https?:\/\//i.test(path)) {
    const url = new URL(path);
    const sameOrigin = url.origin === base.origin;
    if (sameOrigin && authParam) url.searchParams.delete(authParam.name);
    return {
      origin: url.origin,
      path: appendQuery(url.pathname + url.search, query, sameOrigin ? authParam : undefined),
      sameOrigin,
    };
  }
  const relative = path.startsWith("/") ? path : `/${path}`;
  return {
    origin: base.origin,
    path: appendQuery(base.pathPrefix + relative, query, authParam),
    sameOrigin: true,
  };
}

/** Encodes query values: arrays become repeated parameters, undefined values are left out. */
export function encodeQuery(query: Record<string, QueryValue> | undefined): string {
  if (!query) return "";
  const parts: string[] = [];
  for (const key in query) {
    const value = query[key];
    if (value === undefined) continue;
    const name = encodeURIComponent(key);
    if (Array.isArray(value)) {
      for (const item of value) parts.push(`${name}=${encodeURIComponent(String(item))}`);
    } else {
      parts.push(`${name}=${encodeURIComponent(String(value))}`);
    }
  }
  return parts.join("&");
}

function appendQuery(
  path: string,
  query: Record<string, QueryValue> | undefined,
  authParam: { name: string; value: string } | undefined,
): string {
  let qs = encodeQuery(query);
  if (authParam) {
    const pair = `${encodeURIComponent(authParam.name)}=${encodeURIComponent(authParam.value)}`;
    qs = qs === "" ? pair : `${qs}&${pair}`;
  }
  if (qs === "") return path;
  return `${path}${path.includes("?") ? (path.endsWith("?") || path.endsWith("&") ? "" : "&") : "?"}${qs}`;
}
