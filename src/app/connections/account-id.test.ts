/**
 * OAuth2 connections learn their provider account's id (HubSpot's portal id, from the emulator's
 * `/account-info/v3/details`), so two connections of one portal, whose tokens differ, get ONE rate-limit
 * budget key; the id is asked once and then read back; static credentials keep their credential key.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../../../test/helpers/temp-store.ts";
import type { OAuth2Credentials } from "../../core/index.ts";
import { authorizeInEmulator } from "../../emulator/testing.ts";
import { providerAccountKey } from "../../http/index.ts";
import {
  DEFAULT_OAUTH_SCOPES,
  type HubSpotEmulator,
  startHubSpotEmulator,
} from "../../providers/hubspot/emulator/index.ts";
import { hubspot } from "../../providers/hubspot/index.ts";
import { ensureEnvironment, openStore, type Store, setEnvironmentPrivateNetwork } from "../../store/index.ts";
import { loadVault, type Vault } from "../../vault/index.ts";
import { buildSyncJob } from "../syncs/sync-connection.ts";
import { upsertConnection } from "./connections.ts";

const REDIRECT = "http://127.0.0.1:9/callback";
const APP = { clientId: "emu-client-acct", clientSecret: "emu-secret-acct" };

let emulator: HubSpotEmulator;
let store: Store;
let vault: Vault;
let dir: { path: string; cleanup: () => void };

beforeAll(async () => {
  emulator = await startHubSpotEmulator({
    counts: { contacts: 3, companies: 1, deals: 1 },
    oauthApps: [{ ...APP, redirectUris: [REDIRECT], scopes: [...DEFAULT_OAUTH_SCOPES] }],
  });
  dir = tempDir();
  store = await openStore({ kind: "sqlite", path: join(dir.path, "switchyard.sqlite") });
  vault = loadVault({ dataDir: dir.path });
  const env = await ensureEnvironment(store.db, "dev");
  await setEnvironmentPrivateNetwork(store.db, env.id, true);
});
afterAll(async () => {
  await store?.close();
  await emulator?.close();
  dir?.cleanup();
});

const authorise = (): Promise<OAuth2Credentials> =>
  authorizeInEmulator(
    {
      provider: "hubspot",
      authorizationUrl: `${emulator.url}/oauth/authorize`,
      tokenUrl: `${emulator.url}/oauth/v1/token`,
      ...APP,
      clientAuth: "client_secret_post",
      scopes: hubspot.oauth2?.scopes ?? [],
      pkce: true,
    },
    REDIRECT,
  );

async function jobOf(endUserId: string, credentials: Parameters<typeof upsertConnection>[1]["credentials"]) {
  const connection = await upsertConnection(
    {
      store,
      vault,
      dataDir: dir.path,
      warehousePath: join(dir.path, "warehouse.duckdb"),
      close: async () => {},
    },
    { environment: "dev", provider: "hubspot", endUserId, credentials, config: { baseUrl: emulator.url } },
  );
  return buildSyncJob({ store, vault, providers: { hubspot } }, connection.id);
}

const budgetKey = (job: Awaited<ReturnType<typeof jobOf>>) =>
  providerAccountKey({
    provider: "hubspot",
    baseUrl: job.connection.baseUrl ?? hubspot.baseUrl,
    credentials: job.connection.credentials,
    connectionId: job.connection.id,
    accountId: job.connection.accountId,
  });

const accountInfoCalls = () => emulator.state().requests["GET /account-info/v3/details"] ?? 0;

describe("an OAuth2 connection's provider account id", () => {
  it("gives two OAuth2 connections of one HubSpot portal one budget key, asking the portal id once each", async () => {
    const [first, second] = [await authorise(), await authorise()];
    expect(first.accessToken).not.toBe(second.accessToken);
    const before = accountInfoCalls();
    const a = await jobOf("acme", first);
    const b = await jobOf("globex", second);
    expect(a.connection.accountId).toBe("1");
    expect(b.connection.accountId).toBe("1");
    expect(budgetKey(a)).toBe(budgetKey(b));
    expect(budgetKey(a)).toMatch(/^hubspot:account:/);
    expect(accountInfoCalls() - before).toBe(2);
    // Known now: the next run of either reads it back, with no request.
    const again = await buildSyncJob({ store, vault, providers: { hubspot } }, a.connection.id);
    expect(again.connection.accountId).toBe("1");
    expect(accountInfoCalls() - before).toBe(2);
  });

  it("is not asked for static credentials: they are keyed by the credential", async () => {
    const before = accountInfoCalls();
    const job = await jobOf("initech", { type: "bearer", token: emulator.tokens[0]! });
    expect(job.connection.accountId).toBeUndefined();
    expect(accountInfoCalls()).toBe(before);
  });

  it("falls back to the connection's own budget when the provider cannot be asked", async () => {
    const credentials = await authorise();
    emulator.expireToken(credentials.accessToken);
    const job = await jobOf("hooli", { ...credentials, refreshToken: undefined });
    expect(job.connection.accountId).toBeUndefined();
    expect(budgetKey(job)).toBe(`hubspot:connection:${job.connection.id}`);
  });
});
