/**
 * Auth injection: turns a provider's AuthScheme and a connection's Credentials into what goes on the wire.
 */
import type { AuthScheme, Credentials } from "../core/index.ts";
import { ConfigError } from "../core/index.ts";

export interface PreparedAuth {
  /** Headers to add to every request sent to the provider's own origin. */
  headers: Record<string, string>;
  /** Query parameter to add to every such request (api_key in query). */
  query: { name: string; value: string } | undefined;
  /** Raw secret values to redact everywhere (token, key, password, encoded basic header). */
  secrets: string[];
  /** Query parameter names whose values are always redacted, whatever they hold. */
  sensitiveQueryParams: string[];
}

/** Computes the auth headers/query once per client; throws ConfigError if the credentials do not fit the scheme. */
export function prepareAuth(provider: string, scheme: AuthScheme, credentials: Credentials): PreparedAuth {
  // OAuth2 access tokens are bearer tokens whatever the provider's own key scheme (RFC 6750).
  if (credentials.type === "oauth2") return bearerAuth(provider, credentials.accessToken);
  if (scheme.type !== credentials.type) {
    throw new ConfigError(
      `${provider} expects ${scheme.type} credentials but the connection holds ${credentials.type} credentials.`,
      "Reconnect the account with the auth method the provider uses.",
    );
  }
  switch (credentials.type) {
    case "bearer":
      return bearerAuth(provider, credentials.token);
    case "api_key": {
      requireValue(provider, "API key", credentials.key);
      const { in: where, name } = scheme as Extract<AuthScheme, { type: "api_key" }>;
      return where === "header"
        ? {
            headers: { [name.toLowerCase()]: credentials.key },
            query: undefined,
            secrets: [credentials.key],
            sensitiveQueryParams: [],
          }
        : {
            headers: {},
            query: { name, value: credentials.key },
            secrets: [credentials.key],
            sensitiveQueryParams: [name],
          };
    }
    case "basic": {
      requireValue(provider, "password", credentials.password);
      const encoded = Buffer.from(`${credentials.username}:${credentials.password}`, "utf8").toString(
        "base64",
      );
      return {
        headers: { authorization: `Basic ${encoded}` },
        query: undefined,
        secrets: [credentials.password, encoded],
        sensitiveQueryParams: [],
      };
    }
  }
}

/** `Authorization: Bearer <token>`, with the token as the secret to redact. */
export function bearerAuth(provider: string, token: string): PreparedAuth {
  requireValue(provider, "token", token);
  return {
    headers: { authorization: `Bearer ${token}` },
    query: undefined,
    secrets: [token],
    sensitiveQueryParams: [],
  };
}

function requireValue(provider: string, what: string, value: string): void {
  if (value.trim() === "") {
    throw new ConfigError(`The ${provider} connection has an empty ${what}.`, "Reconnect the account.");
  }
}
