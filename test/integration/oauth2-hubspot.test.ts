/**
 * The OAuth2 client against the HubSpot emulator, end to end over loopback: authorise with state and PKCE,
 * exchange the code, call the CRM API through the HTTP client, and refresh single-flight — 50 concurrent
 * requests on an expired token make exactly one token-endpoint call, counted by the emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ReauthorizationRequiredError } from "../../src/core/index.ts";
import { authorizeInEmulator } from "../../src/emulator/testing.ts";
import { createHttpClient, type OAuth2ClientConfig, OAuth2TokenManager } from "../../src/http/index.ts";
import {
  DEFAULT_OAUTH_SCOPES,
  type HubSpotEmulator,
  startHubSpotEmulator,
} from "../../src/providers/hubspot/emulator/index.ts";
import { hubspot } from "../../src/providers/hubspot/index.ts";

const REDIRECT = "http://127.0.0.1:9/connect/oauth/callback";
let emulator: HubSpotEmulator;
let config: OAuth2ClientConfig;

beforeAll(async () => {
  emulator = await startHubSpotEmulator({
    counts: { contacts: 30, companies: 2, deals: 2 },
    rateLimit: { maxPerInterval: 100_000 },
    oauthApps: [
      {
        clientId: "emu-client-7d1e",
        clientSecret: "emu-secret-2c9a51",
        redirectUris: [REDIRECT],
        scopes: [...DEFAULT_OAUTH_SCOPES],
      },
    ],
  });
  config = {
    provider: "hubspot",
    authorizationUrl: `${emulator.url}/oauth/authorize`,
    tokenUrl: `${emulator.url}/oauth/v1/token`,
    clientId: "emu-client-7d1e",
    clientSecret: "emu-secret-2c9a51",
    clientAuth: "client_secret_post",
    scopes: hubspot.oauth2?.scopes ?? [],
    pkce: true,
  };
});
afterAll(async () => {
  await emulator.close();
});

/** Authorises in the emulator and exchanges the code: fresh OAuth2 credentials. */
function authorise() {
  return authorizeInEmulator(config, REDIRECT);
}

function clientFor(manager: OAuth2TokenManager) {
  return createHttpClient({
    provider: "hubspot",
    baseUrl: emulator.url,
    // The emulator listens on loopback.
    allowPrivateAddresses: true,
    auth: hubspot.auth,
    credentials: manager.snapshot,
    tokens: manager,
    maxAttempts: 1,
  });
}

function contacts(http: ReturnType<typeof clientFor>, n: number) {
  return Promise.all(
    Array.from({ length: n }, () => http.request({ path: "/crm/v3/objects/contacts", query: { limit: 1 } })),
  );
}

describe("OAuth2 against the HubSpot emulator", () => {
  it("authorises with PKCE and exchanges the code for tokens the API accepts", async () => {
    const credentials = await authorise();
    expect(credentials).toMatchObject({ type: "oauth2", refreshToken: expect.any(String) });
    expect(Date.parse(credentials.expiresAt!) - Date.now()).toBeGreaterThan(1_700_000);
    const manager = new OAuth2TokenManager({ config, credentials });
    const http = clientFor(manager);
    await hubspot.checkCredentials(http);
    await http.close();
  });

  it("50 concurrent requests on a known-expired token: one refresh, all succeed", async () => {
    const credentials = { ...(await authorise()), expiresAt: new Date(Date.now() - 1_000).toISOString() };
    const before = emulator.oauth.tokenRequests().refresh_token;
    const manager = new OAuth2TokenManager({ config, credentials });
    const http = clientFor(manager);
    const responses = await contacts(http, 50);
    expect(responses.every((response) => response.status === 200)).toBe(true);
    expect(emulator.oauth.tokenRequests().refresh_token - before).toBe(1);
    expect(manager.snapshot.accessToken).not.toBe(credentials.accessToken);
    await http.close();
  });

  it("50 concurrent requests whose token the provider expired early: each 401 renews, one refresh", async () => {
    const credentials = await authorise();
    emulator.oauth.expireAccessTokens(credentials.accessToken);
    const before = emulator.oauth.tokenRequests().refresh_token;
    const manager = new OAuth2TokenManager({ config, credentials });
    const http = clientFor(manager);
    const responses = await contacts(http, 50);
    expect(responses).toHaveLength(50);
    expect(emulator.oauth.tokenRequests().refresh_token - before).toBe(1);
    await http.close();
  });

  it("a revoked refresh token fails the requests with ReauthorizationRequiredError, reported once", async () => {
    const credentials = await authorise();
    emulator.oauth.expireAccessTokens(credentials.accessToken);
    emulator.oauth.revokeRefreshTokens(credentials.refreshToken);
    let reported = 0;
    const manager = new OAuth2TokenManager({
      config,
      credentials,
      onRejected: async () => {
        reported++;
      },
    });
    const http = clientFor(manager);
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => contacts(http, 1)));
    expect(
      results.every((r) => r.status === "rejected" && r.reason instanceof ReauthorizationRequiredError),
    ).toBe(true);
    const reason = (results[0] as PromiseRejectedResult).reason as ReauthorizationRequiredError;
    expect(reason.message).toBe("hubspot refused the refresh token: missing or invalid refresh token");
    expect(reported).toBe(1);
    await http.close();
  });
});
