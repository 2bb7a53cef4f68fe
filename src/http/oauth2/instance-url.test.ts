/**
 * OAuth2Definition.instanceUrlField: the token response field naming the account's own API host
 * (Salesforce's `instance_url`) is kept on the credentials, held to the endpoint rule (https, or http on
 * loopback), and kept across a refresh that does not repeat it.
 */
import { afterEach, describe, expect, it } from "vitest";
import { sendJson, startTestServer, type TestServer } from "../test-server.ts";
import type { OAuth2ClientConfig } from "./config.ts";
import { refreshAccessToken } from "./token-endpoint.ts";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function tokenEndpoint(instanceUrl: unknown, field = "instance_url"): Promise<OAuth2ClientConfig> {
  server = await startTestServer((_request, res) =>
    sendJson(res, 200, {
      token_type: "Bearer",
      access_token: "00Dx!new",
      ...(instanceUrl === undefined ? {} : { instance_url: instanceUrl }),
    }),
  );
  return {
    provider: "Salesforce",
    authorizationUrl: `${server.url}/services/oauth2/authorize`,
    tokenUrl: `${server.url}/services/oauth2/token`,
    clientId: "cid",
    clientSecret: "csecret-7a6b",
    clientAuth: "client_secret_post",
    scopes: ["api"],
    pkce: false,
    instanceUrlField: field,
  };
}

const current = { type: "oauth2" as const, accessToken: "00Dx!old", refreshToken: "rt-1" };

describe("the instance URL of a token response", () => {
  it("is kept on the credentials, without a trailing slash", async () => {
    const config = await tokenEndpoint("https://acme.my.salesforce.com/");
    const credentials = await refreshAccessToken(config, current);
    expect(credentials.instanceUrl).toBe("https://acme.my.salesforce.com");
  });

  it("is kept from before when a refresh does not name it, and ignored when the provider declares no field", async () => {
    const config = await tokenEndpoint(undefined);
    const previous = { ...current, instanceUrl: "https://acme.my.salesforce.com" };
    expect((await refreshAccessToken(config, previous)).instanceUrl).toBe("https://acme.my.salesforce.com");
    await server?.close();
    const { instanceUrlField: _none, ...undeclared } = await tokenEndpoint("https://elsewhere.example");
    expect((await refreshAccessToken(undeclared, current)).instanceUrl).toBeUndefined();
  });

  it("is refused when it is plain http off loopback", async () => {
    const config = await tokenEndpoint("http://acme.my.salesforce.com");
    await expect(refreshAccessToken(config, current)).rejects.toThrow(/must use https/);
  });
});
