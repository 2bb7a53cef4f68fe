import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { OAuth2AuthorizationError } from "../../core/index.ts";
import { readAuthorizationResponse, startAuthorization } from "./authorize.ts";
import type { OAuth2ClientConfig } from "./config.ts";

const config: OAuth2ClientConfig = {
  provider: "acme",
  authorizationUrl: "https://auth.acme.example/oauth/authorize?prompt=consent",
  tokenUrl: "https://api.acme.example/oauth/token",
  clientId: "client-1",
  clientSecret: "secret-1",
  clientAuth: "client_secret_post",
  scopes: ["read", "write"],
  pkce: true,
};
const REDIRECT = "https://sy.example/connect/oauth/callback";

describe("startAuthorization", () => {
  it("sends state and an S256 challenge of the verifier, keeping the URL's own parameters", async () => {
    const start = await startAuthorization(config, REDIRECT);
    const url = new URL(start.url);
    expect(url.origin + url.pathname).toBe("https://auth.acme.example/oauth/authorize");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      prompt: "consent",
      response_type: "code",
      client_id: "client-1",
      redirect_uri: REDIRECT,
      scope: "read write",
      state: start.state,
      code_challenge: createHash("sha256").update(start.codeVerifier!).digest("base64url"),
      code_challenge_method: "S256",
    });
    // RFC 7636: 43–128 characters of the unreserved set; the state is as unguessable.
    expect(start.codeVerifier).toMatch(/^[A-Za-z0-9\-._~]{43,128}$/);
    expect(start.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(start.url).not.toContain(start.codeVerifier);
  });

  it("never repeats a state or verifier, and leaves PKCE out for providers without it", async () => {
    const starts = await Promise.all(Array.from({ length: 20 }, () => startAuthorization(config, REDIRECT)));
    expect(new Set(starts.map((s) => s.state)).size).toBe(20);
    expect(new Set(starts.map((s) => s.codeVerifier)).size).toBe(20);
    const plain = await startAuthorization({ ...config, pkce: false }, REDIRECT);
    expect(plain.codeVerifier).toBeUndefined();
    expect(new URL(plain.url).searchParams.has("code_challenge")).toBe(false);
  });

  it("refuses plain http except on loopback", async () => {
    await expect(
      startAuthorization({ ...config, authorizationUrl: "http://auth.acme.example/a" }, REDIRECT),
    ).rejects.toThrow(/must use https/);
    const loopback = await startAuthorization(
      {
        ...config,
        authorizationUrl: "http://127.0.0.1:4010/oauth/authorize",
        tokenUrl: "http://127.0.0.1:4010/t",
      },
      REDIRECT,
    );
    expect(loopback.url).toMatch(/^http:\/\/127\.0\.0\.1:4010\//);
  });
});

describe("readAuthorizationResponse", () => {
  it("returns the code when the state matches", () => {
    const params = readAuthorizationResponse(config, new URLSearchParams({ code: "c1", state: "s1" }), "s1");
    expect(params.get("code")).toBe("c1");
  });

  it("refuses a wrong or missing state, and reports a declined consent", () => {
    const wrong = () =>
      readAuthorizationResponse(config, new URLSearchParams({ code: "c", state: "x" }), "s1");
    expect(wrong).toThrow(OAuth2AuthorizationError);
    expect(wrong).toThrow(/did not match/);
    expect(() => readAuthorizationResponse(config, new URLSearchParams({ code: "c" }), "s1")).toThrow(
      OAuth2AuthorizationError,
    );
    const declined = new URLSearchParams({ error: "access_denied", error_description: "no", state: "s1" });
    expect(() => readAuthorizationResponse(config, declined, "s1")).toThrow(/access_denied: no/);
  });
});
