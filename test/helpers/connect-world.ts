/**
 * Test helper (not shipped behaviour): Switchyard listening on loopback with the HubSpot provider, the
 * HubSpot emulator behind it (API and OAuth app), a dev API key, and every log line and secret tracked —
 * what the Connect tests (API and real Chromium) walk through.
 */
import type { FastifyInstance } from "fastify";
import { issueApiKey } from "../../src/app/api-keys/api-keys.ts";
import type { PlatformDeps } from "../../src/app/platform.ts";
import { createClient, type SwitchyardClient } from "../../src/client/index.ts";
import { CredentialsRejectedError, type ProviderDefinition } from "../../src/core/index.ts";
import {
  DEFAULT_OAUTH_SCOPES,
  type HubSpotEmulator,
  startHubSpotEmulator,
} from "../../src/providers/hubspot/emulator/index.ts";
import { hubspot } from "../../src/providers/hubspot/index.ts";
import { buildServer } from "../../src/server/app.ts";
import { type SecretTracker, trackSecrets } from "../../src/server/test-harness.ts";
import { ensureEnvironment, type Store, setEnvironmentPrivateNetwork } from "../../src/store/index.ts";
import { generateVaultKey, parseVaultKey, Vault } from "../../src/vault/index.ts";
import { openTempStore } from "./temp-store.ts";

export const PRIVATE_APP_TOKEN = "pat-na1-11111111-2222-4333-8444-555555555555";
export const OAUTH_CLIENT = {
  clientId: "c0ffee00-1111-4222-8333-444455556666",
  clientSecret: "oauth-secret-9d8c7b6a",
};

/** A second provider for the page's provider list: API keys only, and no key is ever right. */
const acmeProvider: ProviderDefinition = {
  name: "acme",
  displayName: "Acme Tickets",
  baseUrl: "http://127.0.0.1:9",
  auth: { type: "api_key", in: "header", name: "x-api-key" },
  streams: [],
  async checkCredentials() {
    throw new CredentialsRejectedError("Acme Tickets", 401, "unknown key");
  },
};

export interface ConnectWorld extends SecretTracker {
  url: string;
  app: FastifyInstance;
  deps: PlatformDeps;
  store: Store;
  emulator: HubSpotEmulator;
  dev: SwitchyardClient;
  logs: string[];
  close(): Promise<void>;
}

/** Starts the world; `close()` stops everything and removes its files. */
export async function startConnectWorld(): Promise<ConnectWorld> {
  const { store, dir, cleanup } = await openTempStore();
  const emulator = await startHubSpotEmulator({
    counts: { contacts: 20, companies: 3, deals: 3 },
    tokens: [PRIVATE_APP_TOKEN],
  });
  const logs: string[] = [];
  const deps: PlatformDeps = {
    db: store.db,
    vault: new Vault({ current: parseVaultKey(generateVaultKey()), previous: [] }),
    providers: { hubspot, acme: acmeProvider },
    checkHttp: { maxAttempts: 1, timeoutMs: 5_000 },
    providerSettings: {
      hubspot: {
        baseUrl: emulator.url,
        oauth2: {
          ...OAUTH_CLIENT,
          authorizationUrl: `${emulator.url}/oauth/authorize`,
          tokenUrl: `${emulator.url}/oauth/v1/token`,
        },
      },
    },
  };
  const app = buildServer(deps, {
    log: { level: "trace", stream: { write: (line: string) => void logs.push(line) } },
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  deps.publicUrl = url;
  emulator.oauth.registerApp({
    ...OAUTH_CLIENT,
    name: "Switchyard test app",
    redirectUris: [`${url}/connect/oauth/callback`],
    scopes: [...DEFAULT_OAUTH_SCOPES],
  });
  const dev = await ensureEnvironment(store.db, "dev");
  // The emulator is on 127.0.0.1: the dev environment allows private addresses.
  await setEnvironmentPrivateNetwork(store.db, dev.id, true);
  const devKey = (await issueApiKey(store.db, dev, "test")).secret;
  const tracker = trackSecrets(store, dir, logs, [PRIVATE_APP_TOKEN, OAUTH_CLIENT.clientSecret, devKey]);
  return {
    url,
    app,
    deps,
    store,
    emulator,
    dev: createClient({ baseUrl: url, apiKey: devKey }),
    logs,
    ...tracker,
    async close() {
      await app.close();
      await emulator.close();
      await cleanup();
    },
  };
}
