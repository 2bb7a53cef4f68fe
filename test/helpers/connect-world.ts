/**
 * Test helper (not shipped behaviour): Switchyard listening on loopback with one provider, its emulator
 * behind it (started through the provider's declaration, with an OAuth app registered when the emulator has
 * an OAuth server), a second provider for the Connect page's list, a dev API key, and every log line and
 * secret tracked — what the Connect tests (API and real Chromium) walk through, for any provider.
 */
import type { FastifyInstance } from "fastify";
import { issueApiKey } from "../../src/app/api-keys/api-keys.ts";
import type { PlatformDeps } from "../../src/app/platform.ts";
import type { ProviderSettings } from "../../src/app/provider-settings.ts";
import { buildSyncJob } from "../../src/app/syncs/sync-connection.ts";
import { createClient, type SwitchyardClient } from "../../src/client/index.ts";
import {
  CredentialsRejectedError,
  type EmulatorHandle,
  type ProviderDefinition,
} from "../../src/core/index.ts";
import { createScheduler, createStoreSyncQueue, createSyncRunner } from "../../src/scheduler/index.ts";
import { buildServer } from "../../src/server/app.ts";
import { type SecretTracker, trackSecrets } from "../../src/server/test-harness.ts";
import {
  ensureEnvironment,
  type Run,
  type Store,
  setEnvironmentPrivateNetwork,
} from "../../src/store/index.ts";
import { generateVaultKey, parseVaultKey, Vault } from "../../src/vault/index.ts";
import { emulatorOAuth, startEmulator, tokenOf } from "./emulators.ts";
import { openTempStore } from "./temp-store.ts";

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
  provider: ProviderDefinition;
  emulator: EmulatorHandle;
  /** The emulator's OAuth server controls (expire, revoke, count token requests). */
  oauth: ReturnType<typeof emulatorOAuth>;
  /** A token (or API key) the emulator accepts, and a well-formed one it refuses, as Connect's form takes them. */
  token: string;
  wrongToken: string;
  dev: SwitchyardClient;
  logs: string[];
  /** Runs the connection's sync now (as the scheduler would), into the records cache. */
  sync(connectionId: string, options?: { streams?: readonly string[] }): Promise<Run>;
  close(): Promise<void>;
}

export interface ConnectWorldOptions {
  /** About how many records each stream of the emulator seeds (default 20). */
  records?: number;
  /**
   * False: the deployment names no base URL for the provider, so an OAuth connection lives only where the
   * token response says (the field the provider's `oauth2.instanceUrlField` names). Default: the emulator's URL.
   */
  baseUrl?: false;
  /** Runs a scheduler in the world, so that syncs triggered or due through the API run (as in `npm start`). */
  scheduler?: true;
}

/** Starts the world on `provider`; `close()` stops everything and removes its files. */
export async function startConnectWorld(
  provider: ProviderDefinition,
  options: ConnectWorldOptions = {},
): Promise<ConnectWorld> {
  const { store, dir, cleanup } = await openTempStore();
  const emulator = await startEmulator(provider, { records: options.records ?? 20 });
  const logs: string[] = [];
  const settings: ProviderSettings = options.baseUrl === false ? {} : { baseUrl: emulator.url };
  const deps: PlatformDeps = {
    db: store.db,
    vault: new Vault({ current: parseVaultKey(generateVaultKey()), previous: [] }),
    providers: { [provider.name]: provider, acme: acmeProvider },
    checkHttp: { maxAttempts: 1, timeoutMs: 5_000 },
    providerSettings: { [provider.name]: settings },
  };
  const jobDeps = {
    store,
    vault: deps.vault,
    providers: deps.providers,
    providerSettings: deps.providerSettings,
  };
  const runner = createSyncRunner({ store, buildJob: (id, job) => buildSyncJob(jobDeps, id, job) });
  const stopScheduler = new AbortController();
  let scheduling: Promise<void> | undefined;
  if (options.scheduler) {
    const scheduler = createScheduler({
      queue: createStoreSyncQueue(store.db),
      run: runner,
      concurrency: 2,
      onError: (error) => logs.push(`scheduler: ${String(error)}`),
    });
    deps.scheduler = scheduler;
    scheduling = scheduler.start(stopScheduler.signal);
  }
  const app = buildServer(deps, {
    log: { level: "trace", stream: { write: (line: string) => void logs.push(line) } },
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  deps.publicUrl = url;
  const endpoints = emulator.registerOAuthApp?.({
    ...OAUTH_CLIENT,
    name: "Switchyard test app",
    redirectUris: [`${url}/connect/oauth/callback`],
  });
  if (endpoints) settings.oauth2 = { ...OAUTH_CLIENT, ...endpoints };
  const dev = await ensureEnvironment(store.db, "dev");
  // The emulator is on 127.0.0.1: the dev environment allows private addresses.
  await setEnvironmentPrivateNetwork(store.db, dev.id, true);
  const devKey = (await issueApiKey(store.db, dev, "test")).secret;
  const token = tokenOf(emulator.credentials);
  const wrongToken = tokenOf(emulator.rejectedCredentials);
  const tracker = trackSecrets(store, dir, logs, [token, wrongToken, OAUTH_CLIENT.clientSecret, devKey]);
  return {
    url,
    app,
    deps,
    store,
    provider,
    emulator,
    oauth: emulatorOAuth(emulator.url),
    token,
    wrongToken,
    dev: createClient({ baseUrl: url, apiKey: devKey }),
    logs,
    ...tracker,
    async sync(connectionId, syncOptions = {}) {
      const sync = await store.db
        .selectFrom("syncs")
        .select("id")
        .where("connection_id", "=", connectionId)
        .executeTakeFirstOrThrow();
      const claim = {
        syncId: sync.id,
        connectionId,
        streams: [...(syncOptions.streams ?? emulator.streams)],
        fullRefresh: false,
        warehouse: false,
        claimedAt: new Date(),
      };
      return runner(claim, new AbortController().signal);
    },
    async close() {
      stopScheduler.abort();
      await scheduling;
      await app.close();
      await emulator.close();
      await cleanup();
    },
  };
}
