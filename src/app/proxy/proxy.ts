/**
 * Requests made to a provider on a caller's behalf — the plain proxy (`/v1/proxy/*`) and Merge's passthrough
 * share this one code path: the guard checks what the caller asked for, then the connection's own HTTP client
 * sends it with the connection's credentials (OAuth2 tokens renewed as usual), its rate-limit budget (the one
 * its syncs share) and its retries, and the answer comes back as the provider gave it, credentials redacted.
 * Bodies travel as bytes both ways: a file, an image or a gzip stream arrives as it was sent.
 */
import { type AuthScheme, ProviderRequestError, type QueryValue } from "../../core/index.ts";
import {
  createRelayingHttpClient,
  getSharedBudget,
  providerAccountKey,
  type RelayRequest,
} from "../../http/index.ts";
import { type ConnectionRow, environmentAllowsPrivateNetwork } from "../../store/index.ts";
import { openConnection } from "../connections/connections.ts";
import { connectionTokenSource } from "../connections/tokens.ts";
import { findProvider, type PlatformDeps } from "../platform.ts";
import {
  assertUnderBase,
  checkBaseUrlOverride,
  checkForwardedHeaders,
  checkForwardedQuery,
  checkProxyPath,
  checkRedirect,
  relayableHeaders,
} from "./guard.ts";

export type ProxyMethod = NonNullable<RelayRequest["method"]>;
export const PROXY_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const;

export interface ProxyRequest {
  method: ProxyMethod;
  /** Relative to the connection's base URL (`/crm/v3/objects/contacts`); may carry its own query string. */
  path: string;
  query?: Record<string, QueryValue>;
  /** Headers to forward (Content-Type, Accept, the provider's own options); never credentials. */
  headers?: Record<string, string>;
  /** Sent as it is (bytes; text is sent as UTF-8); its media type is the `content-type` of `headers`. */
  body?: string | Uint8Array;
  /** Another base path on the connection's own host; any other host is refused. */
  baseUrlOverride?: string;
}

export interface ProxyResponse {
  status: number;
  /** The provider's headers, lower-cased, without hop-by-hop headers, cookies and auth challenges. */
  headers: Record<string, string>;
  /** The body's bytes as the provider sent them; credentials redacted when it is text (isTextualBody). */
  body: Buffer;
  /** The URL that answered, secrets redacted. */
  url: string;
}

/** Same-host redirects followed before giving up; a redirect off the base URL is refused at once. */
export const MAX_PROXY_REDIRECTS = 3;

/**
 * Sends one request to `connection`'s provider on the caller's behalf and returns the provider's answer,
 * whatever its status. Guarantees: nothing is sent outside the connection's base URL (absolute URLs, other
 * hosts, `..` in any encoding and redirects elsewhere are refused with ProxyRefusedError, 400); the caller
 * cannot replace the injected credentials; the connection's rate-limit budget and retries apply; its
 * credentials are redacted from the answer. Same-host redirects under the base URL are followed (up to
 * MAX_PROXY_REDIRECTS, 303 — and 301/302 after anything but GET/HEAD — as a GET without body, as browsers do).
 */
export async function proxyRequest(
  deps: Pick<PlatformDeps, "db" | "vault" | "providers" | "providerSettings" | "checkHttp">,
  connection: ConnectionRow,
  request: ProxyRequest,
  options: { signal?: AbortSignal } = {},
): Promise<ProxyResponse> {
  const provider = findProvider(deps.providers, connection.provider);
  const { credentials, config } = openConnection(deps.vault, connection);
  const connectionBase = config.baseUrl ?? provider.baseUrl;
  const base =
    request.baseUrlOverride === undefined
      ? connectionBase
      : checkBaseUrlOverride(connectionBase, request.baseUrlOverride);
  let path = checkProxyPath(request.path);
  const headers = checkForwardedHeaders(request.headers ?? {}, authHeaderOf(provider.auth));
  const inPath = Object.fromEntries(new URLSearchParams(path.split("?")[1] ?? ""));
  checkForwardedQuery({ ...inPath, ...request.query }, authQueryParamOf(provider.auth));
  assertUnderBase(base, joinPath(base, path));

  const tokens = connectionTokenSource(deps, connection, credentials);
  const http = createRelayingHttpClient({
    provider: provider.displayName,
    baseUrl: base,
    auth: provider.auth,
    credentials,
    ...(tokens ? { tokens } : {}),
    ...(provider.rateLimit ? { rateLimit: provider.rateLimit } : {}),
    // The budget the connection's syncs and checks draw on: a proxy call is one more request of that account.
    budget: getSharedBudget(
      providerAccountKey({
        provider: provider.name,
        baseUrl: connectionBase,
        credentials,
        connectionId: connection.id,
      }),
      deps.db,
    ),
    allowPrivateAddresses: await environmentAllowsPrivateNetwork(deps.db, connection.environment_id),
    // A caller waits on the answer: live-call tuning, not a sync's patience.
    timeoutMs: deps.checkHttp?.timeoutMs ?? 30_000,
    maxAttempts: deps.checkHttp?.maxAttempts ?? 3,
    maxRetryAfterMs: 30_000,
  });
  try {
    let method = request.method;
    let body = request.body;
    let query = request.query;
    for (let redirects = 0; ; redirects++) {
      const response = await http.relay(
        {
          method,
          path,
          ...(query ? { query } : {}),
          headers,
          ...(body !== undefined ? { body } : {}),
        },
        options,
      );
      const location = isRedirect(response.status) ? response.headers.location : undefined;
      if (location === undefined) {
        return {
          status: response.status,
          headers: relayableHeaders(response.headers),
          body: response.body,
          url: response.url,
        };
      }
      const next = checkRedirect(base, joinPath(base, path), location);
      if (redirects >= MAX_PROXY_REDIRECTS) {
        throw new ProviderRequestError(
          provider.displayName,
          response.status,
          `more than ${MAX_PROXY_REDIRECTS} redirects in a row`,
        );
      }
      path = next.pathname.slice(new URL(base).pathname.replace(/\/+$/, "").length) + next.search;
      query = undefined;
      if (response.status === 303 || (response.status <= 302 && method !== "GET" && method !== "HEAD")) {
        method = "GET";
        body = undefined;
      }
    }
  } finally {
    await http.close();
  }
}

/** `base` and a path checked by checkProxyPath, as one URL. */
function joinPath(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}${path}`;
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

/** The header the provider's own key travels in, when it is not `Authorization`. */
function authHeaderOf(auth: AuthScheme): string | undefined {
  return auth.type === "api_key" && auth.in === "header" ? auth.name : undefined;
}

/** The query parameter the provider's own key travels in, if any. */
function authQueryParamOf(auth: AuthScheme): string | undefined {
  return auth.type === "api_key" && auth.in === "query" ? auth.name : undefined;
}
