/**
 * The proxy's guard: what a caller may ask Switchyard to send to a provider on its behalf. Every request goes
 * to the connection's base URL (the provider's, or the instance URL its OAuth tokens named) and below it;
 * nothing the caller sends can point it elsewhere or replace the credentials Switchyard injects. Pure
 * functions, no I/O: each refusal is a ProxyRefusedError (400) that says what was refused and why.
 */
import { SwitchyardError } from "../../core/index.ts";

/** Why a proxied request was refused (`details.kind` of the error). */
export type ProxyRefusalKind =
  | "absolute_url"
  | "other_host"
  | "path_traversal"
  | "path_invalid"
  | "forbidden_header"
  | "forbidden_query"
  | "redirect_off_base";

/** A request the proxy will not send: the caller's input pointed outside the connection or carried credentials. */
export class ProxyRefusedError extends SwitchyardError {
  readonly kind: ProxyRefusalKind;

  constructor(kind: ProxyRefusalKind, message: string, hint: string) {
    super("request_invalid", message, { hint, details: { kind } });
    this.kind = kind;
  }
}

const PATH_HINT =
  "Give a path relative to the connection's base URL, such as /crm/v3/objects/contacts; the proxy only " +
  "reaches that base URL and what is below it.";

/** Headers that would replace what Switchyard injects or identify someone else: refused, never forwarded. */
const CREDENTIAL_HEADERS = new Set(["authorization", "proxy-authorization", "cookie", "x-account-token"]);

/** Headers about this hop or the connection, which the HTTP client sets itself: refused, never forwarded. */
const HOP_BY_HOP_HEADERS = new Set([
  "host",
  "connection",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "content-length",
  "expect",
]);

/**
 * Provider headers never relayed to the caller: hop-by-hop ones, the provider's cookies and its auth challenge.
 * `content-encoding` is relayed: the body's bytes are, as they came (a gzip body stays gzip).
 */
const UNRELAYED_RESPONSE_HEADERS = new Set([
  ...HOP_BY_HOP_HEADERS,
  "set-cookie",
  "set-cookie2",
  "www-authenticate",
  "proxy-authenticate",
  "location",
]);

/** Characters no proxied path may hold: controls (header and request-line injection), spaces, fragments. */
const UNSAFE_PATH_CHARS = /[\s\p{Cc}#]/u;

/**
 * The path a caller asked for, checked: it must be relative to the base URL (no scheme, no `//host`), free of
 * backslashes, control characters and fragments, and no segment may be `.` or `..` in any percent-encoding
 * (`%2e%2e`, `%252e%252e`, `..%2f`). Returns it with a leading slash. Throws ProxyRefusedError otherwise.
 */
export function checkProxyPath(path: string): string {
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(path)) {
    throw new ProxyRefusedError(
      "absolute_url",
      `The proxy takes a path, not an absolute URL (${describeScheme(path)}).`,
      PATH_HINT,
    );
  }
  if (/^[/\\]{2}/.test(path) || /^\/?%2f/i.test(path)) {
    throw new ProxyRefusedError(
      "absolute_url",
      "The path starts with `//`, which names another host.",
      PATH_HINT,
    );
  }
  if (path.includes("\\") || /%5c/i.test(path)) {
    throw new ProxyRefusedError("path_invalid", "The path holds a backslash.", PATH_HINT);
  }
  if (UNSAFE_PATH_CHARS.test(path)) {
    throw new ProxyRefusedError(
      "path_invalid",
      "The path holds a space, a control character or a `#`.",
      `${PATH_HINT} Percent-encode spaces (%20) and leave fragments out.`,
    );
  }
  const pathOnly = path.split("?")[0]!;
  for (const segment of pathOnly.split("/")) {
    for (const part of decodedParts(segment)) {
      if (part === "." || part === "..") {
        throw new ProxyRefusedError(
          "path_traversal",
          "The path holds a `.` or `..` segment (perhaps percent-encoded), which could leave the base URL.",
          PATH_HINT,
        );
      }
    }
  }
  return path.startsWith("/") ? path : `/${path}`;
}

/**
 * The parts a segment could become once a server decodes it (up to three times) and splits it on slashes;
 * malformed percent-encoding is refused, since servers disagree on what it means.
 */
function decodedParts(segment: string): string[] {
  const parts = [segment];
  let current = segment;
  for (let round = 0; round < 3 && current.includes("%"); round++) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(current);
    } catch {
      throw new ProxyRefusedError(
        "path_invalid",
        "The path holds a malformed percent-encoding.",
        `${PATH_HINT} Encode \`%\` itself as %25.`,
      );
    }
    if (decoded === current) break;
    if (/[\\\p{Cc}]/u.test(decoded)) {
      throw new ProxyRefusedError(
        "path_invalid",
        "The path holds an encoded backslash or control character.",
        PATH_HINT,
      );
    }
    parts.push(...decoded.split("/"));
    current = decoded;
  }
  return parts;
}

function describeScheme(path: string): string {
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.exec(path)?.[0] ?? "";
  return `it starts with \`${scheme.slice(0, 20)}\``;
}

/**
 * Checks that `url`, resolved the way a server would (dot segments removed), is on `base`'s origin and under
 * its path; throws ProxyRefusedError (`kind`) otherwise. The last line of defence after checkProxyPath.
 */
export function assertUnderBase(base: string, url: string, kind: ProxyRefusalKind = "path_traversal"): void {
  const root = new URL(base);
  const resolved = new URL(url, root);
  if (resolved.origin !== root.origin) {
    throw new ProxyRefusedError(
      kind === "redirect_off_base" ? kind : "other_host",
      `The request would go to ${resolved.host}, not to the connection's ${root.host}.`,
      PATH_HINT,
    );
  }
  const prefix = root.pathname.replace(/\/+$/, "");
  if (prefix !== "" && resolved.pathname !== prefix && !resolved.pathname.startsWith(`${prefix}/`)) {
    throw new ProxyRefusedError(
      kind,
      `The request would leave the connection's base path ${prefix}.`,
      PATH_HINT,
    );
  }
}

/**
 * Checks a provider's redirect (`location`, relative to `from`) before it is followed: it must stay on `base`'s
 * host and under its path, else ProxyRefusedError (`redirect_off_base`) naming where it pointed. Returns the
 * absolute URL to follow.
 */
export function checkRedirect(base: string, from: string, location: string): URL {
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    throw new ProxyRefusedError(
      "redirect_off_base",
      "The provider answered with a redirect to an invalid URL.",
      REDIRECT_HINT,
    );
  }
  try {
    assertUnderBase(base, next.href, "redirect_off_base");
  } catch (error) {
    if (!(error instanceof ProxyRefusedError)) throw error;
    throw new ProxyRefusedError(
      "redirect_off_base",
      `The provider answered with a redirect to ${next.host}${next.pathname.slice(0, 100)}, off the connection's base URL; it was not followed.`,
      REDIRECT_HINT,
    );
  }
  return next;
}

const REDIRECT_HINT =
  "Redirects are followed only within the connection's base URL. Ask for the final path directly, or read " +
  "the provider's documentation for where the resource lives.";

/**
 * The origin a caller's base URL override may name: only the connection's own (a different path prefix on
 * the same host); any other host is refused with `other_host`. Returns the override without a trailing slash.
 */
export function checkBaseUrlOverride(connectionBase: string, override: string): string {
  let url: URL;
  try {
    url = new URL(override);
  } catch {
    throw new ProxyRefusedError(
      "other_host",
      "The base URL override is not an absolute URL.",
      "Leave base_url_override out; the connection's own base URL is used.",
    );
  }
  const own = new URL(connectionBase);
  if (url.origin !== own.origin || url.username !== "" || url.password !== "" || url.search || url.hash) {
    throw new ProxyRefusedError(
      "other_host",
      `The base URL override names ${url.host || "no host"}; this connection's requests go only to ${own.host}.`,
      "Leave base_url_override out, or give one on the connection's own host.",
    );
  }
  // The path as written: URL parsing would already have resolved a `%2e%2e` into its parent.
  checkProxyPath(override.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/, "") || "/");
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

/**
 * The headers a caller asked to forward, lower-cased. Refuses (`forbidden_header`) credentials and anything
 * that would override the injected auth (`Authorization`, `Cookie`, the provider's own key header), hop-by-hop
 * headers (`Host`, `Connection`, `Content-Length`, …) and values holding line breaks.
 */
export function checkForwardedHeaders(
  headers: Readonly<Record<string, string>>,
  authHeader: string | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [rawName, value] of Object.entries(headers)) {
    const name = rawName.toLowerCase();
    const injected = name === authHeader?.toLowerCase();
    if (CREDENTIAL_HEADERS.has(name) || injected) {
      throw new ProxyRefusedError(
        "forbidden_header",
        `The header ${rawName} cannot be sent through the proxy: Switchyard injects the connection's credentials itself.`,
        "Leave it out; the connection's own credentials go with every request.",
      );
    }
    if (HOP_BY_HOP_HEADERS.has(name) || name.startsWith("proxy-")) {
      throw new ProxyRefusedError(
        "forbidden_header",
        `The header ${rawName} is about this hop, not the request, and cannot be forwarded.`,
        "Leave it out; the HTTP client sets it.",
      );
    }
    if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name) || /\p{Cc}/u.test(value.replaceAll("\t", ""))) {
      throw new ProxyRefusedError(
        "forbidden_header",
        `The header ${rawName.slice(0, 60)} has an invalid name or a line break in its value.`,
        "Send header names of letters, digits and dashes, and values on one line.",
      );
    }
    out[name] = value;
  }
  return out;
}

/** Refuses a query parameter that would replace the credential the provider takes in the query string. */
export function checkForwardedQuery(
  query: Readonly<Record<string, unknown>>,
  authParam: string | undefined,
): void {
  if (authParam === undefined) return;
  for (const name of Object.keys(query)) {
    if (name.toLowerCase() === authParam.toLowerCase()) {
      throw new ProxyRefusedError(
        "forbidden_query",
        `The query parameter ${name} carries the provider's credential; Switchyard injects it itself.`,
        "Leave it out; the connection's own credentials go with every request.",
      );
    }
  }
}

/** The provider's response headers a caller may see: without hop-by-hop headers, cookies and auth challenges. */
export function relayableHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!UNRELAYED_RESPONSE_HEADERS.has(name)) out[name] = value;
  }
  return out;
}
