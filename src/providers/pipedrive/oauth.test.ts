/**
 * Pipedrive's OAuth2 authorization-code flow against the emulator: the client authenticates with HTTP Basic,
 * the token response names the company's API domain (`api_domain`), which becomes the connection's base
 * URL; the check call and a read work there, and an expired access token is refreshed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oauthClientFor } from "../../app/provider-settings.ts";
import type { OAuth2Credentials } from "../../core/index.ts";
import { authorizeInEmulator, postTokenForm } from "../../emulator/testing.ts";
import { createHttpClient, OAuth2TokenManager } from "../../http/index.ts";
import { type PipedriveEmulator, startPipedriveEmulator } from "./emulator/index.ts";
import { pipedrive } from "./index.ts";

const REDIRECT = "http://127.0.0.1:9/connect/oauth/callback";
const APP = {
  clientId: "pipedrive-app-1",
  clientSecret: "pipedrive-secret-1",
  redirectUris: [REDIRECT],
  scopes: [...pipedrive.oauth2!.scopes],
};
let emulator: PipedriveEmulator;

beforeAll(async () => {
  emulator = await startPipedriveEmulator({ counts: { persons: 30 }, oauthApps: [APP] });
});
afterAll(() => emulator.close());

const config = () =>
  oauthClientFor(pipedrive, {
    oauth2: {
      clientId: APP.clientId,
      clientSecret: APP.clientSecret,
      // oauth.pipedrive.com in production.
      authorizationUrl: `${emulator.url}/oauth/authorize`,
      tokenUrl: `${emulator.url}/oauth/token`,
    },
  })!;

const authorize = () => authorizeInEmulator(config(), REDIRECT);

const clientOn = (credentials: OAuth2Credentials, tokens?: OAuth2TokenManager) =>
  createHttpClient({
    provider: "pipedrive",
    // The company's API domain from the token response, not api.pipedrive.com.
    baseUrl: credentials.instanceUrl!,
    auth: pipedrive.auth,
    credentials,
    ...(tokens ? { tokens } : {}),
    allowPrivateAddresses: true,
    maxAttempts: 2,
  });

describe("Pipedrive OAuth2", () => {
  it("exchanges the code (client secret in a Basic header) for tokens naming the API domain, which serves the connection", async () => {
    const credentials = await authorize();
    expect(credentials.refreshToken).toBeTruthy();
    expect(credentials.instanceUrl).toBe(emulator.url);
    const http = clientOn(credentials);
    try {
      await pipedrive.checkCredentials(http);
      const persons = pipedrive.streams.find((stream) => stream.name === "persons")!;
      const signal = new AbortController().signal;
      let read = 0;
      for await (const page of persons.read({
        http,
        state: undefined,
        fullRefresh: true,
        signal,
        log: { log: () => {} },
      }))
        read += page.records.length;
      expect(read).toBe(30);
    } finally {
      await http.close();
    }
  });

  it("refuses the client secret in the form body, as Pipedrive wants a Basic header", async () => {
    const refused = await postTokenForm(`${emulator.url}/oauth/token`, {
      grant_type: "refresh_token",
      refresh_token: "whatever",
      client_id: APP.clientId,
      client_secret: APP.clientSecret,
    });
    expect(refused.status).toBe(401);
  });

  it("refreshes an expired access token and carries on", async () => {
    const credentials = await authorize();
    const tokens = new OAuth2TokenManager({ config: config(), credentials });
    const http = clientOn(credentials, tokens);
    try {
      await pipedrive.checkCredentials(http);
      expect(emulator.oauth.expireAccessTokens()).toBeGreaterThan(0);
      await pipedrive.checkCredentials(http);
      expect(tokens.refreshes).toBe(1);
    } finally {
      await http.close();
    }
  });
});
