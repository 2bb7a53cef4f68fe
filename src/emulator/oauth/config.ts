/**
 * How a provider's OAuth2 server behaves: its paths, how clients authenticate at the token endpoint, how
 * scopes are checked, token lifetimes, whether refresh tokens rotate, and its refusals' shape. The defaults
 * follow RFC 6749; a provider overrides what it does differently.
 */

/** Why the token endpoint refused a request. */
export type TokenRefusal =
  | "unsupported_grant_type"
  | "unknown_client"
  | "bad_client_secret"
  | "bad_code"
  | "redirect_mismatch"
  | "bad_code_verifier"
  | "bad_refresh_token"
  | "unsupported_content_type";

export type ClientAuthMethod = "client_secret_post" | "client_secret_basic";

export interface OAuthServerConfig {
  /** The consent screen (GET); its form posts to `${authorizePath}/decision`. */
  authorizePath: string;
  tokenPath: string;
  /** How a client may send its id and secret: in the form body, in a Basic header, or either. */
  clientAuth: readonly ClientAuthMethod[];
  /** "require-all": every scope of the app must be requested. "subset": any of them, or none. */
  scopeRule: "require-all" | "subset";
  /** A query parameter naming scopes the user may also grant (e.g. `optional_scope`). */
  optionalScopeParam?: string;
  accessTokenTtlSeconds: number;
  accessTokenPrefix: string;
  /** True: each refresh answers a new refresh token and the old one stops working. */
  rotateRefreshTokens: boolean;
  /** Extra fields of a successful token response (e.g. a per-account API domain). */
  tokenResponseExtras?(grant: { clientId: string; scopes: readonly string[] }): Record<string, unknown>;
  /** A refusal in the provider's shape. */
  tokenError(refusal: TokenRefusal, message: string): { status: number; body: unknown };
  /** Names on the consent screen. */
  page: { providerName: string; accountLabel: string; accentColor: string };
}

const RFC_ERRORS: Record<TokenRefusal, { status: number; error: string }> = {
  unsupported_grant_type: { status: 400, error: "unsupported_grant_type" },
  unknown_client: { status: 401, error: "invalid_client" },
  bad_client_secret: { status: 401, error: "invalid_client" },
  bad_code: { status: 400, error: "invalid_grant" },
  redirect_mismatch: { status: 400, error: "invalid_grant" },
  bad_code_verifier: { status: 400, error: "invalid_grant" },
  bad_refresh_token: { status: 400, error: "invalid_grant" },
  unsupported_content_type: { status: 415, error: "invalid_request" },
};

export const DEFAULT_OAUTH_SERVER: OAuthServerConfig = {
  authorizePath: "/oauth/authorize",
  tokenPath: "/oauth/token",
  clientAuth: ["client_secret_post", "client_secret_basic"],
  scopeRule: "subset",
  accessTokenTtlSeconds: 3600,
  accessTokenPrefix: "at-",
  rotateRefreshTokens: false,
  tokenError: (refusal, message) => {
    const { status, error } = RFC_ERRORS[refusal];
    return { status, body: { error, error_description: message } };
  },
  page: { providerName: "Provider", accountLabel: "Emulated account", accentColor: "#2d6cdf" },
};

/** A provider's OAuth server: the defaults with its own behaviour laid over. */
export function defineOAuthServer(config: Partial<OAuthServerConfig>): OAuthServerConfig {
  return { ...DEFAULT_OAUTH_SERVER, ...config, page: { ...DEFAULT_OAUTH_SERVER.page, ...config.page } };
}
