/**
 * The token endpoint: exchanging an authorization code and refreshing an access token. Successful replies
 * are validated by oauth4webapi; refusals are mapped to typed errors here, because providers spell them
 * differently (RFC 6749 `{error}` or HubSpot's `{status: "BAD_REFRESH_TOKEN", message}`).
 */
import * as oauth from "oauth4webapi";
import {
  ConfigError,
  OAuth2AuthorizationError,
  type OAuth2Credentials,
  ProviderRequestError,
  ProviderResponseError,
  ProviderUnavailableError,
  ReauthorizationRequiredError,
} from "../../core/index.ts";
import { createRedactor } from "../redact.ts";
import {
  assertEndpointUrl,
  clientAuthOf,
  clientOf,
  type OAuth2ClientConfig,
  requestOptions,
  serverOf,
} from "./config.ts";

type Grant = "authorization_code" | "refresh_token";

/** Codes that mean "this refresh token is dead": only a new authorization helps. */
const GRANT_REFUSED = new Set(["invalid_grant", "BAD_REFRESH_TOKEN", "EXPIRED_REFRESH_TOKEN"]);
/** Codes that mean the app's own client id or secret is wrong: the deployment must fix its config. */
const CLIENT_REFUSED = new Set([
  "invalid_client",
  "unauthorized_client",
  "BAD_CLIENT_ID",
  "BAD_CLIENT_SECRET",
]);

/** Exchanges the code of a validated redirect for tokens; `now` stamps the expiry. */
export async function exchangeCode(
  config: OAuth2ClientConfig,
  callback: URLSearchParams,
  redirectUri: string,
  codeVerifier: string | undefined,
  now: () => number = Date.now,
): Promise<OAuth2Credentials> {
  const secrets = [config.clientSecret, callback.get("code") ?? "", codeVerifier ?? ""];
  const response = await send(config, secrets, () =>
    oauth.authorizationCodeGrantRequest(
      serverOf(config),
      clientOf(config),
      clientAuthOf(config),
      callback,
      redirectUri,
      codeVerifier ?? oauth.nopkce,
      requestOptions(config),
    ),
  );
  await rejectRefusal(config, "authorization_code", response, secrets);
  const tokens = await processed(config, () =>
    oauth.processAuthorizationCodeResponse(serverOf(config), clientOf(config), response),
  );
  return toCredentials(config, tokens, undefined, now());
}

/**
 * Trades the refresh token for a new access token (keeping the old refresh token when the provider sends
 * none). Throws ReauthorizationRequiredError when the provider refuses the refresh token.
 */
export async function refreshAccessToken(
  config: OAuth2ClientConfig,
  current: OAuth2Credentials,
  now: () => number = Date.now,
): Promise<OAuth2Credentials> {
  const refreshToken = current.refreshToken;
  if (!refreshToken) {
    throw new ReauthorizationRequiredError(config.provider, "the connection has no refresh token", {
      reason: "no_refresh_token",
    });
  }
  const secrets = [config.clientSecret, refreshToken, current.accessToken];
  const response = await send(config, secrets, () =>
    oauth.refreshTokenGrantRequest(
      serverOf(config),
      clientOf(config),
      clientAuthOf(config),
      refreshToken,
      requestOptions(config),
    ),
  );
  await rejectRefusal(config, "refresh_token", response, secrets);
  const tokens = await processed(config, () =>
    oauth.processRefreshTokenResponse(serverOf(config), clientOf(config), response),
  );
  return toCredentials(config, tokens, current, now());
}

/** Sends one token request; network failures and timeouts become ProviderUnavailableError. */
async function send(
  config: OAuth2ClientConfig,
  secrets: readonly string[],
  request: () => Promise<Response>,
): Promise<Response> {
  try {
    return await request();
  } catch (error) {
    if (error instanceof TypeError && (error as { code?: string }).code?.startsWith("ERR_INVALID")) {
      throw new ConfigError(`The ${config.provider} OAuth2 client is misconfigured: ${error.message}`);
    }
    const message = error instanceof Error ? error.message : String(error);
    throw new ProviderUnavailableError(
      config.provider,
      1,
      `token endpoint unreachable (${createRedactor(secrets)(message)})`,
      { cause: error },
    );
  }
}

/** Throws the typed error for any reply but 200; leaves a 200 for oauth4webapi to validate. */
async function rejectRefusal(
  config: OAuth2ClientConfig,
  grant: Grant,
  response: Response,
  secrets: readonly string[],
): Promise<void> {
  if (response.status === 200) return;
  const text = createRedactor(secrets)(await response.text().catch(() => ""));
  const { code, message } = describeRefusal(text, response.status);
  const details = { status: response.status, ...(code ? { error: code } : {}) };
  if (response.status >= 500 || response.status === 429) {
    throw new ProviderUnavailableError(
      config.provider,
      1,
      `token endpoint answered HTTP ${response.status}: ${message}`,
    );
  }
  if (code && CLIENT_REFUSED.has(code)) {
    throw new ConfigError(
      `${config.provider} refused the OAuth app's client id or secret (${code}: ${message}).`,
      `Check the ${config.provider} OAuth client id and secret this Switchyard is configured with.`,
      details,
    );
  }
  // A code the provider will not exchange (used, expired, verifier or redirect mismatch): authorise again.
  if (grant === "authorization_code") {
    throw new OAuth2AuthorizationError(
      config.provider,
      `the provider refused the code (${message})`,
      details,
    );
  }
  if ((code !== undefined && GRANT_REFUSED.has(code)) || response.status === 401) {
    throw new ReauthorizationRequiredError(config.provider, message, details);
  }
  throw new ProviderRequestError(config.provider, response.status, message, details);
}

/** The error code and message of a refusal body, whatever its dialect. */
function describeRefusal(text: string, status: number): { code: string | undefined; message: string } {
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object") body = parsed as Record<string, unknown>;
  } catch {
    // Not JSON: the status says it all.
  }
  const pick = (...keys: string[]) =>
    keys.map((key) => body[key]).find((value): value is string => typeof value === "string" && value !== "");
  const code = pick("error", "status");
  const message = pick("error_description", "message") ?? code ?? `HTTP ${status}`;
  return { code, message };
}

/** Runs an oauth4webapi response check; a 200 it cannot accept becomes ProviderResponseError. */
async function processed(
  config: OAuth2ClientConfig,
  process: () => Promise<oauth.TokenEndpointResponse>,
): Promise<oauth.TokenEndpointResponse> {
  try {
    return await process();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ProviderResponseError(config.provider, `token endpoint reply: ${message}`);
  }
}

function toCredentials(
  config: OAuth2ClientConfig,
  tokens: oauth.TokenEndpointResponse,
  previous: OAuth2Credentials | undefined,
  now: number,
): OAuth2Credentials {
  const refreshToken = tokens.refresh_token ?? previous?.refreshToken;
  const instanceUrl = instanceUrlOf(config, tokens) ?? previous?.instanceUrl;
  return {
    type: "oauth2",
    accessToken: tokens.access_token,
    ...(refreshToken ? { refreshToken } : {}),
    ...(tokens.expires_in !== undefined
      ? { expiresAt: new Date(now + tokens.expires_in * 1000).toISOString() }
      : {}),
    ...(tokens.scope ? { scope: tokens.scope } : {}),
    ...(instanceUrl ? { instanceUrl } : {}),
  };
}

/**
 * The account's API base URL the token response names (Salesforce's `instance_url`), held to the same rule
 * as the OAuth endpoints (https, or http on loopback); a reply without it when one is expected is unusable.
 */
function instanceUrlOf(config: OAuth2ClientConfig, tokens: oauth.TokenEndpointResponse): string | undefined {
  const field = config.instanceUrlField;
  if (field === undefined) return undefined;
  const value = tokens[field];
  if (value === undefined) return undefined;
  if (typeof value !== "string") {
    throw new ProviderResponseError(config.provider, `token endpoint reply: ${field} is not a URL`);
  }
  return assertEndpointUrl(config.provider, field, value).href.replace(/\/$/, "");
}
