/**
 * Refreshed OAuth2 tokens are stored compare-and-set: a refresh that finishes after the connection got other
 * credentials (a reconnect) leaves those alone, while one over the same grant is stored even if the row was
 * re-sealed meanwhile (key rotation). Managers are shared per connection while the row holds their tokens.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTempStore } from "../../../test/helpers/temp-store.ts";
import type { OAuth2Credentials, ProviderDefinition } from "../../core/index.ts";
import { sendJson, startTestServer, type TestServer } from "../../http/test-server.ts";
import { ensureEnvironment, getConnection, patchConnection, type Store } from "../../store/index.ts";
import { generateVaultKey, parseVaultKey, Vault } from "../../vault/index.ts";
import { openConnection } from "./connections.ts";
import { changeEndUserConnection, createEndUserConnection } from "./lifecycle.ts";
import { connectionTokenSource, type TokenDeps } from "./tokens.ts";

let store: Store;
let cleanup: () => Promise<void>;
let tokenServer: TestServer;
let deps: TokenDeps;
let issued = 0;

beforeEach(async () => {
  ({ store, cleanup } = await openTempStore());
  issued = 0;
  tokenServer = await startTestServer(async (_request, res) => {
    await new Promise((resolve) => setTimeout(resolve, 100));
    issued++;
    sendJson(res, 200, { token_type: "bearer", access_token: `at-new-${issued}`, expires_in: 3600 });
  });
  const provider: ProviderDefinition = {
    name: "acme",
    displayName: "Acme",
    baseUrl: "http://127.0.0.1:9",
    auth: { type: "bearer" },
    oauth2: {
      authorizationUrl: `${tokenServer.url}/authorize`,
      tokenUrl: `${tokenServer.url}/token`,
      scopes: [],
      pkce: true,
      clientAuth: "client_secret_post",
    },
    streams: [],
    async checkCredentials() {},
  };
  deps = {
    db: store.db,
    vault: new Vault({ current: parseVaultKey(generateVaultKey()), previous: [] }),
    providers: { acme: provider },
    providerSettings: { acme: { oauth2: { clientId: "cid", clientSecret: "csecret" } } },
  };
});
afterEach(async () => {
  await tokenServer.close();
  await cleanup();
});

const expired = (suffix: string): OAuth2Credentials => ({
  type: "oauth2",
  accessToken: `at-${suffix}`,
  refreshToken: `rt-${suffix}`,
  expiresAt: new Date(Date.now() - 1_000).toISOString(),
});

async function connectionWith(credentials: OAuth2Credentials) {
  const env = await ensureEnvironment(store.db, "dev");
  return createEndUserConnection(deps, {
    environmentId: env.id,
    provider: "acme",
    credentials,
    endUser: { id: "u1" },
  });
}

function stored(id: string) {
  return getConnection(store.db, id).then((row) => openConnection(deps.vault, row).credentials);
}

describe("connectionTokenSource", () => {
  it("stores a refresh and shares the manager while the row holds its tokens", async () => {
    const row = await connectionWith(expired("a"));
    const source = connectionTokenSource(deps, row, expired("a"));
    expect(await source?.current()).toBe("at-new-1");
    expect(await stored(row.id)).toMatchObject({ accessToken: "at-new-1", refreshToken: "rt-a" });
    // The stale row the caller read, and the fresh one, both get the same manager back: no second refresh.
    const fresh = await getConnection(store.db, row.id);
    expect(connectionTokenSource(deps, fresh, openConnection(deps.vault, fresh).credentials)).toBe(source);
    expect(connectionTokenSource(deps, row, expired("a"))).toBe(source);
    expect(issued).toBe(1);
  });

  it("does not overwrite credentials a reconnect stored while the refresh was in flight", async () => {
    const row = await connectionWith(expired("a"));
    const source = connectionTokenSource(deps, row, expired("a"));
    const refreshing = source?.current();
    await changeEndUserConnection(deps, row, {
      credentials: { type: "oauth2", accessToken: "at-b", refreshToken: "rt-b" },
    });
    expect(await refreshing).toBe("at-new-1");
    expect(await stored(row.id)).toMatchObject({ accessToken: "at-b", refreshToken: "rt-b" });
    // The reconnected row gets a manager of its own.
    const fresh = await getConnection(store.db, row.id);
    expect(connectionTokenSource(deps, fresh, openConnection(deps.vault, fresh).credentials)).not.toBe(
      source,
    );
  });

  it("stores a refresh over the same grant even when the row was re-sealed meanwhile", async () => {
    const row = await connectionWith(expired("a"));
    const source = connectionTokenSource(deps, row, expired("a"));
    const refreshing = source?.current();
    await patchConnection(store.db, row.id, {
      sealedCredentials: deps.vault.seal(JSON.stringify(expired("a"))),
    });
    await refreshing;
    expect(await stored(row.id)).toMatchObject({ accessToken: "at-new-1", refreshToken: "rt-a" });
  });

  it("gives no token source for other credentials or without an OAuth app", async () => {
    const row = await connectionWith(expired("a"));
    expect(connectionTokenSource(deps, row, { type: "bearer", token: "t" })).toBeUndefined();
    expect(connectionTokenSource({ ...deps, providerSettings: {} }, row, expired("a"))).toBeUndefined();
  });
});
