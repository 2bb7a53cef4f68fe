/**
 * One OAuth2 client (the product's app at a provider) and how oauth4webapi sees it. Plain http is allowed
 * only for loopback hosts (emulators and tests); anything else must be https.
 */
import * as oauth from "oauth4webapi";
import { ConfigError } from "../../core/index.ts";

export interface OAuth2ClientConfig {
  /** Provider name, for messages (`hubspot`). */
  provider: string;
  authorizationUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  clientAuth: "client_secret_post" | "client_secret_basic";
  scopes: readonly string[];
  /** Send a PKCE S256 challenge with the authorization request and its verifier with the code. */
  pkce: boolean;
  /** Issuer identifier checked in ID tokens, if the provider sends any. Default: the token URL's origin. */
  issuer?: string;
  /** Per token-endpoint request. Default 15 000. */
  timeoutMs?: number;
  /** The token response field naming the account's API base URL (OAuth2Definition.instanceUrlField). */
  instanceUrlField?: string;
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** Throws ConfigError unless `url` is https, or http on a loopback host. */
export function assertEndpointUrl(provider: string, what: string, url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`The ${provider} OAuth2 ${what} "${url}" is not a URL.`);
  }
  const loopbackHttp = parsed.protocol === "http:" && LOOPBACK_HOSTS.has(parsed.hostname);
  if (parsed.protocol !== "https:" && !loopbackHttp) {
    throw new ConfigError(
      `The ${provider} OAuth2 ${what} must use https (plain http only on loopback), not "${url}".`,
    );
  }
  return parsed;
}

/** The authorization server as oauth4webapi describes it. */
export function serverOf(config: OAuth2ClientConfig): oauth.AuthorizationServer {
  const token = assertEndpointUrl(config.provider, "token URL", config.tokenUrl);
  assertEndpointUrl(config.provider, "authorization URL", config.authorizationUrl);
  return {
    issuer: config.issuer ?? token.origin,
    authorization_endpoint: config.authorizationUrl,
    token_endpoint: config.tokenUrl,
  };
}

/** The client as oauth4webapi describes it (its id only; the secret goes through clientAuthOf). */
export function clientOf(config: OAuth2ClientConfig): oauth.Client {
  return { client_id: config.clientId };
}

/** How the client id and secret reach the token endpoint: in the form body or as HTTP Basic. */
export function clientAuthOf(config: OAuth2ClientConfig): oauth.ClientAuth {
  return config.clientAuth === "client_secret_basic"
    ? oauth.ClientSecretBasic(config.clientSecret)
    : oauth.ClientSecretPost(config.clientSecret);
}

/** Request options: a timeout, and plain http allowed for loopback token endpoints. */
export function requestOptions(config: OAuth2ClientConfig): oauth.TokenEndpointRequestOptions {
  const insecure = new URL(config.tokenUrl).protocol === "http:";
  return {
    signal: AbortSignal.timeout(config.timeoutMs ?? 15_000),
    ...(insecure ? { [oauth.allowInsecureRequests]: true } : {}),
  };
}
