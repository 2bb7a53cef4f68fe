/**
 * `POST /oauth/v1/token` as HubSpot documents it: a form-encoded body with `grant_type`
 * (`authorization_code` or `refresh_token`), `client_id` and `client_secret`; answers
 * `{ token_type, refresh_token, access_token, expires_in }`, or 400 `{ status, message, correlationId }`.
 */
import { createHash, randomUUID } from "node:crypto";
import type { OAuthState, RegisteredApp } from "./oauth-state.ts";

export interface TokenReply {
  status: number;
  body: Record<string, unknown>;
}

type Form = Record<string, string | undefined>;

function refusal(status: string, message: string): TokenReply {
  return { status: 400, body: { status, message, correlationId: randomUUID() } };
}

/** Serves one token request (counted whatever its outcome). */
export function tokenRequest(state: OAuthState, form: Form): TokenReply {
  state.requests.total++;
  const grantType = form.grant_type;
  if (grantType !== "authorization_code" && grantType !== "refresh_token") {
    state.requests.other++;
    return refusal("BAD_GRANT_TYPE", "missing or unknown grant type");
  }
  state.requests[grantType]++;
  const app = form.client_id ? state.apps.get(form.client_id) : undefined;
  if (!app) return refusal("BAD_CLIENT_ID", "missing or unknown client id");
  if (form.client_secret !== app.clientSecret) {
    return refusal("BAD_CLIENT_SECRET", "missing or invalid client secret");
  }
  return grantType === "authorization_code" ? exchangeCode(state, app, form) : refresh(state, app, form);
}

function exchangeCode(state: OAuthState, app: RegisteredApp, form: Form): TokenReply {
  const code = form.code ? state.codes.get(form.code) : undefined;
  // A code works once: any attempt with it uses it up.
  if (form.code) state.codes.delete(form.code);
  if (!code || code.clientId !== app.clientId || code.expiresAt <= Date.now()) {
    return refusal("BAD_AUTH_CODE", "missing or unknown auth code");
  }
  if (form.redirect_uri !== code.redirectUri) {
    return refusal("BAD_REDIRECT_URI", "redirect_uri does not match the one the code was issued for");
  }
  if (code.codeChallenge !== undefined) {
    const verifier = form.code_verifier ?? "";
    const challenge = createHash("sha256").update(verifier, "ascii").digest("base64url");
    if (challenge !== code.codeChallenge) {
      return refusal("BAD_AUTH_CODE", "code_verifier does not match the code_challenge of the auth code");
    }
  }
  const { refreshToken, grant } = state.openGrant(app, code.scopes);
  const access = state.issueAccessToken(grant);
  return tokens(refreshToken, access);
}

function refresh(state: OAuthState, app: RegisteredApp, form: Form): TokenReply {
  const grant = form.refresh_token ? state.refreshGrants.get(form.refresh_token) : undefined;
  if (!grant || grant.revoked || grant.clientId !== app.clientId) {
    return refusal("BAD_REFRESH_TOKEN", "missing or invalid refresh token");
  }
  // HubSpot keeps the refresh token: the same one comes back with every new access token.
  return tokens(form.refresh_token as string, state.issueAccessToken(grant));
}

function tokens(refreshToken: string, access: { token: string; expiresIn: number }): TokenReply {
  return {
    status: 200,
    body: {
      token_type: "bearer",
      refresh_token: refreshToken,
      access_token: access.token,
      expires_in: access.expiresIn,
    },
  };
}
