/**
 * The OAuth server's rules as configuration: the scope rule, PKCE, which client authentication is allowed,
 * refresh rotation, and refusals in the configured shape (RFC 6749 by default).
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { TokenRegistry } from "../tokens.ts";
import { checkAuthorizeRequest, decideConsent } from "./authorize.ts";
import { defineOAuthServer, type OAuthServerConfig } from "./config.ts";
import { OAuthState } from "./state.ts";
import { tokenRequest } from "./token.ts";

const APP = {
  clientId: "client",
  clientSecret: "secret",
  redirectUris: ["http://127.0.0.1:9/cb"],
  scopes: ["read", "write"],
  optionalScopes: ["admin"],
};
const VERIFIER = "v".repeat(43);
const CHALLENGE = createHash("sha256").update(VERIFIER).digest("base64url");

function server(config: Partial<OAuthServerConfig> = {}) {
  return new OAuthState(new TokenRegistry([]), defineOAuthServer(config), [APP]);
}

/** Approves an authorize request and returns its code. */
function codeFor(state: OAuthState, query: Record<string, string>): string {
  const checked = checkAuthorizeRequest(state, {
    client_id: APP.clientId,
    redirect_uri: APP.redirectUris[0],
    ...query,
  });
  if ("problem" in checked) throw new Error(checked.problem);
  const location = decideConsent(state, state.holdConsent(checked.consent), true)!;
  return new URL(location).searchParams.get("code")!;
}

const exchange = (code: string, extra: Record<string, string> = {}) => ({
  grant_type: "authorization_code",
  code,
  redirect_uri: APP.redirectUris[0]!,
  client_id: APP.clientId,
  client_secret: APP.clientSecret,
  ...extra,
});

describe("authorize", () => {
  it("grants the app's scopes without a scope parameter under the subset rule, and refuses unknown ones", () => {
    const state = server();
    const checked = checkAuthorizeRequest(state, { client_id: "client", redirect_uri: APP.redirectUris[0] });
    expect(checked).toMatchObject({ consent: { scopes: ["read", "write"] } });
    expect(
      checkAuthorizeRequest(state, {
        client_id: "client",
        redirect_uri: APP.redirectUris[0],
        scope: "read delete",
      }),
    ).toEqual({
      problem: "The app isn't configured for these scopes: delete.",
    });
  });

  it("requires every app scope under require-all, and adds optional ones from the provider's parameter", () => {
    const state = server({ scopeRule: "require-all", optionalScopeParam: "optional_scope" });
    const base = { client_id: "client", redirect_uri: APP.redirectUris[0] };
    expect(checkAuthorizeRequest(state, { ...base, scope: "read" })).toEqual({
      problem: "The authorization URL must include the app's required scopes: write.",
    });
    expect(checkAuthorizeRequest(state, base)).toEqual({ problem: "scope is missing" });
    expect(
      checkAuthorizeRequest(state, { ...base, scope: "read write", optional_scope: "admin" }),
    ).toMatchObject({
      consent: { scopes: ["read", "write", "admin"] },
    });
  });
});

describe("token endpoint", () => {
  it("checks the PKCE verifier and uses a code up once, with RFC 6749 refusals", () => {
    const state = server();
    const code = codeFor(state, { code_challenge: CHALLENGE, code_challenge_method: "S256" });
    expect(tokenRequest(state, exchange(code, { code_verifier: "w".repeat(43) }))).toMatchObject({
      status: 400,
      body: { error: "invalid_grant", error_description: expect.stringContaining("code_verifier") },
    });
    // The failed attempt used the code up.
    expect(tokenRequest(state, exchange(code, { code_verifier: VERIFIER })).body).toMatchObject({
      error: "invalid_grant",
    });
    const fresh = codeFor(state, { code_challenge: CHALLENGE, code_challenge_method: "S256" });
    const granted = tokenRequest(state, exchange(fresh, { code_verifier: VERIFIER }));
    expect(granted).toMatchObject({ status: 200, body: { token_type: "bearer", expires_in: 3600 } });
    const access = (granted.body as { access_token: string }).access_token;
    expect(state.tokens.authenticate(access, undefined)).toEqual({ token: access });
    expect(state.requests).toMatchObject({ authorization_code: 3, total: 3 });
  });

  it("accepts only the client authentication the provider allows", () => {
    const state = server({ clientAuth: ["client_secret_basic"] });
    const viaForm = tokenRequest(state, exchange(codeFor(state, {})));
    expect(viaForm).toMatchObject({ status: 401, body: { error: "invalid_client" } });
    const basic = `Basic ${Buffer.from("client:secret").toString("base64")}`;
    const { client_id: _id, client_secret: _secret, ...form } = exchange(codeFor(state, {}));
    expect(tokenRequest(state, form, basic).status).toBe(200);
  });

  it("keeps or rotates the refresh token as configured, and refuses revoked ones", () => {
    for (const rotate of [false, true]) {
      const state = server({ rotateRefreshTokens: rotate });
      const first = (tokenRequest(state, exchange(codeFor(state, {}))).body as { refresh_token: string })
        .refresh_token;
      const refresh = (token: string) =>
        tokenRequest(state, {
          grant_type: "refresh_token",
          refresh_token: token,
          client_id: "client",
          client_secret: "secret",
        });
      const next = (refresh(first).body as { refresh_token: string }).refresh_token;
      expect(next === first).toBe(!rotate);
      expect(refresh(first).status).toBe(rotate ? 400 : 200);
      state.revokeRefreshTokens();
      expect(refresh(next).body).toMatchObject({ error: "invalid_grant" });
    }
  });
});
