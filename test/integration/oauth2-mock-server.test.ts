/**
 * The OAuth2 client against an independently written authorization server (oauth2-mock-server) on
 * loopback: authorization code with state and PKCE (the server checks the verifier), both client
 * authentication methods, refresh with a rotating refresh token, a refused refresh, and the HTTP client
 * renewing after a 401 from a resource server that accepts only the server's newest token.
 */
import { OAuth2Server } from "oauth2-mock-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  OAuth2AuthorizationError,
  type OAuth2Credentials,
  ReauthorizationRequiredError,
} from "../../src/core/index.ts";
import {
  createHttpClient,
  exchangeCode,
  type OAuth2ClientConfig,
  OAuth2TokenManager,
  readAuthorizationResponse,
  startAuthorization,
} from "../../src/http/index.ts";
import { sendJson, startTestServer, type TestServer } from "../../src/http/test-server.ts";

const REDIRECT = "http://127.0.0.1:9/callback";
const server = new OAuth2Server();
let config: OAuth2ClientConfig;
/** Grants the server answered, and the Authorization header of each token request. */
const grants: { grant: string; authorization: string | undefined }[] = [];
let refusal: { statusCode: number; body: Record<string, unknown> } | undefined;
let latestAccessToken = "";
let resource: TestServer;

beforeAll(async () => {
  await server.issuer.keys.generate("RS256");
  await server.start(0, "127.0.0.1");
  const issuer = server.issuer.url as string;
  server.service.on(
    "beforeResponse",
    (response: { statusCode: number; body: Record<string, unknown> }, req) => {
      const body = (req as unknown as { body: Record<string, string> }).body;
      grants.push({ grant: body.grant_type ?? "", authorization: req.headers.authorization });
      if (refusal && body.grant_type === "refresh_token") {
        response.statusCode = refusal.statusCode;
        response.body = refusal.body;
        return;
      }
      latestAccessToken = String(response.body.access_token);
    },
  );
  config = {
    provider: "mock",
    issuer,
    authorizationUrl: `${issuer}/authorize`,
    tokenUrl: `${issuer}/token`,
    // Alphanumeric: the mock server does not form-decode HTTP Basic credentials (RFC 6749 §2.3.1 says it should).
    clientId: "mockclient",
    clientSecret: "mocksecret51f0",
    clientAuth: "client_secret_post",
    scopes: ["openid", "read"],
    pkce: true,
  };
  resource = await startTestServer((request, res) => {
    if (request.headers.authorization === `Bearer ${latestAccessToken}`) sendJson(res, 200, { ok: true });
    else sendJson(res, 401, { error: "invalid_token" });
  });
});
afterAll(async () => {
  await resource.close();
  await server.stop();
});

/** Runs the authorize step (the mock server approves at once) and exchanges the code. */
async function authorise(overrides: Partial<OAuth2ClientConfig> = {}): Promise<OAuth2Credentials> {
  const client = { ...config, ...overrides };
  const start = await startAuthorization(client, REDIRECT);
  const reply = await fetch(start.url, { redirect: "manual" });
  const location = new URL(reply.headers.get("location") ?? "");
  expect(location.searchParams.get("state")).toBe(start.state);
  const callback = readAuthorizationResponse(client, location.searchParams, start.state);
  return exchangeCode(client, callback, REDIRECT, start.codeVerifier);
}

describe("OAuth2 client against oauth2-mock-server", () => {
  it("exchanges a code with its PKCE verifier (client_secret_post)", async () => {
    const credentials = await authorise();
    expect(credentials.accessToken.split(".")).toHaveLength(3);
    expect(credentials.refreshToken).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(credentials.expiresAt!) - Date.now()).toBeGreaterThan(3_500_000);
    expect(grants.at(-1)).toEqual({ grant: "authorization_code", authorization: undefined });
  });

  it("authenticates with HTTP Basic when configured so", async () => {
    await authorise({ clientAuth: "client_secret_basic" });
    const expected = `Basic ${Buffer.from("mockclient:mocksecret51f0").toString("base64")}`;
    expect(grants.at(-1)).toEqual({ grant: "authorization_code", authorization: expected });
  });

  it("fails clearly when the verifier does not match what the server saw", async () => {
    const start = await startAuthorization(config, REDIRECT);
    const reply = await fetch(start.url, { redirect: "manual" });
    const params = new URL(reply.headers.get("location") ?? "").searchParams;
    const callback = readAuthorizationResponse(config, params, start.state);
    const error = await exchangeCode(config, callback, REDIRECT, "x".repeat(43)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OAuth2AuthorizationError);
    expect((error as Error).message).toContain("code_verifier provided does not match code_challenge");
  });

  it("refreshes single-flight, keeps the rotated refresh token, and renews after a resource 401", async () => {
    const credentials = await authorise();
    const issuedBefore = grants.length;
    const manager = new OAuth2TokenManager({ config, credentials });
    // The resource server only takes the newest token; ours is current, then the server issues another.
    const http = createHttpClient({
      provider: "mock",
      baseUrl: resource.url,
      // The resource server listens on loopback.
      allowPrivateAddresses: true,
      auth: { type: "bearer" },
      credentials,
      tokens: manager,
      maxAttempts: 1,
    });
    await http.request({ path: "/me" });
    latestAccessToken = "revoked-by-the-resource-server";
    const replies = await Promise.all(Array.from({ length: 20 }, () => http.request({ path: "/me" })));
    expect(replies.every((reply) => reply.status === 200)).toBe(true);
    const refreshes = grants.slice(issuedBefore).filter((g) => g.grant === "refresh_token");
    expect(refreshes).toHaveLength(1);
    expect(manager.snapshot.refreshToken).not.toBe(credentials.refreshToken);
    expect(manager.snapshot.accessToken).toBe(latestAccessToken);
    await http.close();
  });

  it("turns a refused refresh (invalid_grant) into ReauthorizationRequiredError", async () => {
    const credentials = { ...(await authorise()), expiresAt: new Date(Date.now() - 1).toISOString() };
    refusal = {
      statusCode: 400,
      body: { error: "invalid_grant", error_description: "refresh token revoked" },
    };
    try {
      const manager = new OAuth2TokenManager({ config, credentials });
      const error = await manager.current().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ReauthorizationRequiredError);
      expect((error as Error).message).toBe("mock refused the refresh token: refresh token revoked");
    } finally {
      refusal = undefined;
    }
  });
});
