/**
 * Helpers for tests that talk to an emulator over loopback with plain fetch (not shipped behaviour): raw
 * calls with the first token, and the OAuth consent screen walked without a browser.
 */
import type { OAuth2Credentials } from "../core/index.ts";
import {
  exchangeCode,
  type OAuth2ClientConfig,
  readAuthorizationResponse,
  startAuthorization,
} from "../http/index.ts";

export interface RawResponse<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON, or undefined when the body is not JSON. */
  json: T;
}

/** Sends one request to the emulator with its first token (or `token`; null: none) as a bearer token. */
export async function call<T = unknown>(
  emulator: { url: string; tokens: readonly string[] },
  method: string,
  path: string,
  options: { body?: unknown; token?: string | null } = {},
): Promise<RawResponse<T>> {
  const headers: Record<string, string> = {};
  const token = options.token === undefined ? emulator.tokens[0] : options.token;
  if (token !== null && token !== undefined) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text === "" ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json: json as T };
}

/** Follows an authorize URL through the consent form; resolves with the redirect (code & state, or error). */
export async function approveInEmulator(authorizeUrl: string, approve = true): Promise<URL> {
  const page = await fetch(authorizeUrl);
  const html = await page.text();
  const consent = /name="consent" value="([^"]+)"/.exec(html)?.[1];
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  if (page.status !== 200 || !consent || !action) {
    throw new Error(`No consent screen (HTTP ${page.status}): ${html}`);
  }
  const decision = await fetch(new URL(action, authorizeUrl), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ consent, decision: approve ? "allow" : "deny" }).toString(),
    redirect: "manual",
  });
  const location = decision.headers.get("location");
  if (decision.status !== 302 || !location) throw new Error(`No redirect (HTTP ${decision.status})`);
  return new URL(location);
}

/**
 * The authorization-code flow against an emulator: starts it, approves on the consent screen and exchanges
 * the code (with the PKCE verifier when the config uses one). Resolves with fresh credentials.
 */
export async function authorizeInEmulator(
  config: OAuth2ClientConfig,
  redirectUri: string,
): Promise<OAuth2Credentials> {
  const start = await startAuthorization(config, redirectUri);
  const redirect = await approveInEmulator(start.url);
  const callback = readAuthorizationResponse(config, redirect.searchParams, start.state);
  return exchangeCode(config, callback, redirectUri, start.codeVerifier);
}

/** Posts a form to a token endpoint and returns the status and JSON body. */
export async function postTokenForm(
  tokenUrl: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(tokenUrl, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
