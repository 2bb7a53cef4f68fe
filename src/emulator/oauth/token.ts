/**
 * The token endpoint: a form-encoded body with `grant_type` (`authorization_code` or `refresh_token`) and the
 * client's credentials (in the body or a Basic header, as the provider allows); answers
 * `{ token_type, refresh_token, access_token, expires_in, ...extras }`, or the provider's refusal.
 */
import { createHash } from "node:crypto";
import type { TokenRefusal } from "./config.ts";
import type { OAuthState, RefreshGrant, RegisteredApp } from "./state.ts";

export interface TokenReply {
  status: number;
  body: unknown;
}

type Form = Record<string, string | undefined>;

const MESSAGES: Record<TokenRefusal, string> = {
  unsupported_grant_type: "missing or unknown grant type",
  unknown_client: "missing or unknown client id",
  bad_client_secret: "missing or invalid client secret",
  bad_code: "missing or unknown auth code",
  redirect_mismatch: "redirect_uri does not match the one the code was issued for",
  bad_code_verifier: "code_verifier does not match the code_challenge of the auth code",
  bad_refresh_token: "missing or invalid refresh token",
  unsupported_content_type: "Content-Type must be application/x-www-form-urlencoded.",
};

/** The provider's refusal, with the kit's wording. */
export function refusal(state: OAuthState, reason: TokenRefusal): TokenReply {
  return state.config.tokenError(reason, MESSAGES[reason]);
}

/** The client id and secret from the form or an `Authorization: Basic` header, as the provider allows. */
function clientCredentials(state: OAuthState, form: Form, authorization: string | undefined) {
  const basic = authorization ? /^Basic\s+(\S+)\s*$/i.exec(authorization)?.[1] : undefined;
  if (basic && state.config.clientAuth.includes("client_secret_basic")) {
    const decoded = Buffer.from(basic, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    return {
      id: decodeURIComponent(decoded.slice(0, colon < 0 ? undefined : colon)),
      secret: colon < 0 ? undefined : decodeURIComponent(decoded.slice(colon + 1)),
    };
  }
  if (!state.config.clientAuth.includes("client_secret_post")) return { id: undefined, secret: undefined };
  return { id: form.client_id, secret: form.client_secret };
}

/** Serves one token request (counted whatever its outcome). */
export function tokenRequest(state: OAuthState, form: Form, authorization?: string): TokenReply {
  state.requests.total++;
  const grantType = form.grant_type;
  if (grantType !== "authorization_code" && grantType !== "refresh_token") {
    state.requests.other++;
    return refusal(state, "unsupported_grant_type");
  }
  state.requests[grantType]++;
  const client = clientCredentials(state, form, authorization);
  const app = client.id ? state.apps.get(client.id) : undefined;
  if (!app) return refusal(state, "unknown_client");
  if (client.secret !== app.clientSecret) return refusal(state, "bad_client_secret");
  return grantType === "authorization_code" ? exchangeCode(state, app, form) : refresh(state, app, form);
}

function exchangeCode(state: OAuthState, app: RegisteredApp, form: Form): TokenReply {
  const code = form.code ? state.codes.get(form.code) : undefined;
  // A code works once: any attempt with it uses it up.
  if (form.code) state.codes.delete(form.code);
  if (!code || code.clientId !== app.clientId || code.expiresAt <= Date.now()) {
    return refusal(state, "bad_code");
  }
  if (form.redirect_uri !== code.redirectUri) return refusal(state, "redirect_mismatch");
  if (code.codeChallenge !== undefined) {
    const verifier = form.code_verifier ?? "";
    const challenge = createHash("sha256").update(verifier, "ascii").digest("base64url");
    if (challenge !== code.codeChallenge) return refusal(state, "bad_code_verifier");
  }
  const { refreshToken, grant } = state.openGrant(app, code.scopes);
  return tokens(state, refreshToken, grant);
}

function refresh(state: OAuthState, app: RegisteredApp, form: Form): TokenReply {
  const grant = form.refresh_token ? state.refreshGrants.get(form.refresh_token) : undefined;
  if (!grant || grant.revoked || grant.clientId !== app.clientId) {
    return refusal(state, "bad_refresh_token");
  }
  const refreshToken = form.refresh_token as string;
  return tokens(
    state,
    state.config.rotateRefreshTokens ? state.rotateGrant(refreshToken) : refreshToken,
    grant,
  );
}

function tokens(state: OAuthState, refreshToken: string, grant: RefreshGrant): TokenReply {
  const access = state.issueAccessToken(grant);
  return {
    status: 200,
    body: {
      token_type: "bearer",
      refresh_token: refreshToken,
      access_token: access.token,
      expires_in: access.expiresIn,
      ...state.config.tokenResponseExtras?.(grant),
    },
  };
}
