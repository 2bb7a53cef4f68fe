/**
 * Salesforce OAuth2 connections learn their org id (the emulator's `/services/oauth2/userinfo`
 * `organization_id`, the org the token response's `id` names), so two connections of one org, whose tokens
 * differ, share ONE rate-limit budget key; the id is asked once per connection and then read back.
 */
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { tempDir } from "../../../test/helpers/temp-store.ts";
import { upsertConnection } from "../../app/connections/connections.ts";
import { oauthClientFor } from "../../app/provider-settings.ts";
import { buildSyncJob } from "../../app/syncs/sync-connection.ts";
import type { OAuth2Credentials } from "../../core/index.ts";
import { authorizeInEmulator } from "../../emulator/testing.ts";
import { providerAccountKey } from "../../http/index.ts";
import { ensureEnvironment, openStore, type Store, setEnvironmentPrivateNetwork } from "../../store/index.ts";
import { loadVault, type Vault } from "../../vault/index.ts";
import {
  OAUTH_AUTHORIZE_PATH,
  OAUTH_TOKEN_PATH,
  type SalesforceEmulator,
  startSalesforceEmulator,
} from "./emulator/index.ts";
import { ORG_ID } from "./emulator/server.ts";
import { salesforce } from "./index.ts";

const REDIRECT = "http://127.0.0.1:9/callback";
const APP = { clientId: "3MVG9accountIdApp", clientSecret: "account-id-secret" };

let emulator: SalesforceEmulator;
let store: Store;
let vault: Vault;
let dir: { path: string; cleanup: () => void };

beforeAll(async () => {
  emulator = await startSalesforceEmulator({
    size: { accounts: 1, contacts: 1, opportunities: 1, users: 1 },
    oauthApps: [{ ...APP, redirectUris: [REDIRECT], scopes: ["api", "refresh_token"] }],
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
    oauthClientFor(salesforce, {
      oauth2: {
        ...APP,
        authorizationUrl: `${emulator.url}${OAUTH_AUTHORIZE_PATH}`,
        tokenUrl: `${emulator.url}${OAUTH_TOKEN_PATH}`,
      },
    })!,
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
    { environment: "dev", provider: "salesforce", endUserId, credentials, config: { baseUrl: emulator.url } },
  );
  return buildSyncJob({ store, vault, providers: { salesforce } }, connection.id);
}

const budgetKey = (job: Awaited<ReturnType<typeof jobOf>>) =>
  providerAccountKey({
    provider: "salesforce",
    baseUrl: job.connection.baseUrl ?? salesforce.baseUrl,
    credentials: job.connection.credentials,
    connectionId: job.connection.id,
    accountId: job.connection.accountId,
  });

const userinfoCalls = () => emulator.state().requests["GET /services/oauth2/userinfo"] ?? 0;

it("gives two OAuth2 connections of one org one budget key, asking the org id once each", async () => {
  const [first, second] = [await authorise(), await authorise()];
  expect(first.accessToken).not.toBe(second.accessToken);
  expect(first.instanceUrl).toBe(emulator.url);
  const before = userinfoCalls();
  const a = await jobOf("acme", first);
  const b = await jobOf("globex", second);
  expect(a.connection.accountId).toBe(ORG_ID);
  expect(ORG_ID).toMatch(/^00D[0-9A-Za-z]{15}$/);
  expect(b.connection.accountId).toBe(ORG_ID);
  expect(budgetKey(a)).toBe(budgetKey(b));
  expect(budgetKey(a)).toMatch(/^salesforce:account:/);
  expect(userinfoCalls() - before).toBe(2);
  const again = await buildSyncJob({ store, vault, providers: { salesforce } }, a.connection.id);
  expect(again.connection.accountId).toBe(ORG_ID);
  expect(userinfoCalls() - before).toBe(2);
});

it("is not asked for a session id pasted as a bearer token: it is keyed by the token itself", async () => {
  const before = userinfoCalls();
  const job = await jobOf("initech", { type: "bearer", token: emulator.tokens[0]! });
  expect(job.connection.accountId).toBeUndefined();
  expect(userinfoCalls()).toBe(before);
});
