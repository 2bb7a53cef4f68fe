/**
 * The authorization step of the code flow: the URL that sends the end user to the provider (with `state`
 * and a PKCE S256 challenge), and reading the provider's redirect back.
 */
import * as oauth from "oauth4webapi";
import { OAuth2AuthorizationError } from "../../core/index.ts";
import { clientOf, type OAuth2ClientConfig, serverOf } from "./config.ts";

export interface AuthorizationStart {
  /** Where to send the end user's browser. */
  url: string;
  /** Random, single-use; must come back unchanged on the redirect. Secret until then. */
  state: string;
  /** PKCE verifier to send with the code (undefined when the provider does not do PKCE). Secret. */
  codeVerifier: string | undefined;
}

/** A fresh `state` (and PKCE verifier) and the authorization URL carrying them; nothing is stored here. */
export async function startAuthorization(
  config: OAuth2ClientConfig,
  redirectUri: string,
): Promise<AuthorizationStart> {
  const url = new URL(serverOf(config).authorization_endpoint ?? config.authorizationUrl);
  const state = oauth.generateRandomState();
  const codeVerifier = config.pkce ? oauth.generateRandomCodeVerifier() : undefined;
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", config.clientId);
  url.searchParams.set("redirect_uri", redirectUri);
  if (config.scopes.length > 0) url.searchParams.set("scope", config.scopes.join(" "));
  url.searchParams.set("state", state);
  if (codeVerifier) {
    url.searchParams.set("code_challenge", await oauth.calculatePKCECodeChallenge(codeVerifier));
    url.searchParams.set("code_challenge_method", "S256");
  }
  return { url: url.href, state, codeVerifier };
}

/**
 * Checks the provider's redirect (`?code=…&state=…` or `?error=…`) against the expected state. Returns the
 * parameters to exchange; throws OAuth2AuthorizationError when the user declined or the state is wrong.
 */
export function readAuthorizationResponse(
  config: OAuth2ClientConfig,
  parameters: URLSearchParams,
  expectedState: string,
): URLSearchParams {
  try {
    return oauth.validateAuthResponse(serverOf(config), clientOf(config), parameters, expectedState);
  } catch (error) {
    if (error instanceof oauth.AuthorizationResponseError) {
      const reason = error.error_description ? `${error.error}: ${error.error_description}` : error.error;
      throw new OAuth2AuthorizationError(config.provider, `the provider answered "${reason}"`, {
        error: error.error,
      });
    }
    throw new OAuth2AuthorizationError(
      config.provider,
      "the provider's redirect did not match this request",
      {
        cause: error instanceof Error ? error.message : String(error),
      },
    );
  }
}
