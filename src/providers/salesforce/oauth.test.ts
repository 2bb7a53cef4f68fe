/**
 * Salesforce's OAuth 2.0 web server flow against the emulator: the code exchange names the org's instance
 * (`instance_url`), which becomes the base URL of every API call; the connection works there (check call
 * and a read), and when the session expires the refresh token gets a new one and the read goes on. The
 * check call also refuses a bad token with credentials_rejected.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oauthClientFor } from "../../app/provider-settings.ts";
import { CredentialsRejectedError, type OAuth2Credentials } from "../../core/index.ts";
import { authorizeInEmulator } from "../../emulator/testing.ts";
import { createHttpClient, OAuth2TokenManager } from "../../http/index.ts";
import {
  OAUTH_AUTHORIZE_PATH,
  OAUTH_TOKEN_PATH,
  type SalesforceEmulator,
  startSalesforceEmulator,
} from "./emulator/index.ts";
import { salesforce } from "./index.ts";

const REDIRECT = "http://127.0.0.1:9/connect/oauth/callback";
const APP = {
  clientId: "3MVG9emulatedConsumerKey",
  clientSecret: "emulated-consumer-secret",
  redirectUris: [REDIRECT],
  scopes: ["api", "refresh_token", "full"],
};
let emulator: SalesforceEmulator;

beforeAll(async () => {
  emulator = await startSalesforceEmulator({ size: { contacts: 40 }, oauthApps: [APP] });
});
afterAll(() => emulator.close());

const config = () =>
  oauthClientFor(salesforce, {
    oauth2: {
      clientId: APP.clientId,
      clientSecret: APP.clientSecret,
      // The app's endpoints: here the emulator's (login.salesforce.com in production).
      authorizationUrl: `${emulator.url}${OAUTH_AUTHORIZE_PATH}`,
      tokenUrl: `${emulator.url}${OAUTH_TOKEN_PATH}`,
    },
  })!;

const clientOn = (baseUrl: string, credentials: OAuth2Credentials, tokens?: OAuth2TokenManager) =>
  createHttpClient({
    provider: "Salesforce",
    baseUrl,
    auth: salesforce.auth,
    credentials,
    ...(tokens ? { tokens } : {}),
    ...(salesforce.rateLimit ? { rateLimit: salesforce.rateLimit } : {}),
    allowPrivateAddresses: true,
    maxAttempts: 2,
  });

const authorize = () => authorizeInEmulator(config(), REDIRECT);

describe("Salesforce OAuth web server flow", () => {
  it("exchanges the code for tokens that name the instance URL, and the connection works there", async () => {
    const credentials = await authorize();
    expect(credentials.refreshToken).toBeTruthy();
    expect(credentials.instanceUrl).toBe(emulator.url);
    const http = clientOn(credentials.instanceUrl!, credentials);
    try {
      await salesforce.checkCredentials(http);
      const contacts = salesforce.streams.find((stream) => stream.name === "contacts")!;
      const controller = new AbortController();
      const log = { log: () => {} };
      for await (const page of contacts.read({
        http,
        state: undefined,
        fullRefresh: true,
        signal: controller.signal,
        log,
      })) {
        expect(page.records).toHaveLength(40);
      }
    } finally {
      await http.close();
    }
  });

  it("refreshes an expired session with the refresh token and carries on", async () => {
    const credentials = await authorize();
    const tokens = new OAuth2TokenManager({ config: config(), credentials });
    const http = clientOn(credentials.instanceUrl!, credentials, tokens);
    try {
      await salesforce.checkCredentials(http);
      expect(emulator.oauth.expireAccessTokens()).toBeGreaterThan(0);
      await salesforce.checkCredentials(http);
      expect(tokens.refreshes).toBe(1);
      expect(emulator.oauth.tokenRequests().refresh_token).toBe(1);
    } finally {
      await http.close();
    }
  });

  it("the check call refuses an unknown session id as credentials_rejected", async () => {
    const http = clientOn(emulator.url, { type: "oauth2", accessToken: "00Dnotasession!AQ" });
    try {
      await expect(salesforce.checkCredentials(http)).rejects.toBeInstanceOf(CredentialsRejectedError);
    } finally {
      await http.close();
    }
  });
});
