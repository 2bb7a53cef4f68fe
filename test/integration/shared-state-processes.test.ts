/**
 * OAuth2 refresh single-flight across real processes: four worker processes (test/integration/fixtures/
 * refresh-process.ts), each with its own memory, share one Postgres store, and Redis when REDIS_URL is set.
 * All four find the token expired at the same moment and send 50 requests each: the token endpoint (a
 * loopback server that counts its calls) is called exactly once, and every request carries the new token.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEndUserConnection } from "../../src/app/connections/lifecycle.ts";
import type { ProviderDefinition } from "../../src/core/index.ts";
import { sendJson, startTestServer, type TestServer } from "../../src/http/test-server.ts";
import { ensureEnvironment, openStore, type Store } from "../../src/store/index.ts";
import { generateVaultKey, parseVaultKey, Vault } from "../../src/vault/index.ts";
import { createTestDatabase, postgresAvailable } from "../helpers/postgres.ts";
import { redisAvailable, TEST_REDIS_URL } from "../helpers/redis.ts";

const PROCESSES = 4;
const pgReady = postgresAvailable();

let database: { url: string; drop: () => Promise<void> } | undefined;
let store: Store | undefined;
let tokenServer: TestServer;
let resource: TestServer;
let refreshes = 0;
const vaultKey = generateVaultKey();

beforeAll(async () => {
  if (!(await pgReady)) return;
  database = await createTestDatabase();
  store = await openStore({ kind: "postgres", connectionString: database.url });
  tokenServer = await startTestServer(async (_request, res) => {
    refreshes++;
    // Slow enough that all four processes find the token expired before the first refresh is stored.
    await new Promise((resolve) => setTimeout(resolve, 300));
    sendJson(res, 200, { token_type: "bearer", access_token: `at-new-${refreshes}`, expires_in: 3600 });
  });
  resource = await startTestServer((request, res) => {
    if (request.headers.authorization === `Bearer at-new-${refreshes}`) sendJson(res, 200, { ok: true });
    else sendJson(res, 401, { error: "invalid_token" });
  });
}, 60_000);
afterAll(async () => {
  await tokenServer?.close();
  await resource?.close();
  await store?.close();
  await database?.drop();
});

/** A connection of its own whose OAuth2 token has expired. */
async function expiredConnection(db: Store["db"]): Promise<string> {
  const provider = {
    name: "acme",
    displayName: "Acme",
    baseUrl: resource.url,
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
  } as ProviderDefinition;
  const env = await ensureEnvironment(db, "dev");
  const row = await createEndUserConnection(
    {
      db,
      vault: new Vault({ current: parseVaultKey(vaultKey), previous: [] }),
      providers: { acme: provider },
    },
    {
      environmentId: env.id,
      provider: "acme",
      credentials: {
        type: "oauth2",
        accessToken: "at-old",
        refreshToken: "rt-1",
        expiresAt: new Date(Date.now() - 1_000).toISOString(),
      },
      endUser: { id: `u-${Math.random()}` },
    },
  );
  return row.id;
}

/** Starts the four processes, lets them go at once, and returns the statuses each saw. */
async function runProcesses(env: Record<string, string>): Promise<unknown[][]> {
  const children: ChildProcessWithoutNullStreams[] = [];
  try {
    const lines = Array.from({ length: PROCESSES }, () => {
      const child = spawn(
        process.execPath,
        ["--import", "tsx", "test/integration/fixtures/refresh-process.ts"],
        {
          env: { ...process.env, ...env },
        },
      );
      children.push(child);
      let stderr = "";
      child.stderr.on("data", (chunk) => {
        stderr += chunk;
      });
      const reader = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
      const next = async (): Promise<string> => {
        const line = await reader.next();
        if (line.done) throw new Error(`a worker process ended early: ${stderr}`);
        return line.value;
      };
      return next;
    });
    for (const next of lines) expect(await next()).toBe("ready");
    for (const child of children) child.stdin.write("go\n");
    return await Promise.all(lines.map(async (next) => JSON.parse(await next()) as unknown[]));
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill();
  }
}

describe("OAuth2 refresh across worker processes", () => {
  it("makes one token-endpoint call for 4 processes × 50 requests, sharing Postgres", async (context) => {
    if (!store || !database) return context.skip();
    refreshes = 0;
    const connectionId = await expiredConnection(store.db);
    const statuses = await runProcesses({
      DATABASE_URL: database.url,
      CONNECTION_ID: connectionId,
      VAULT_KEY: vaultKey,
      TOKEN_URL: tokenServer.url,
      RESOURCE_URL: resource.url,
      REDIS_URL: "",
    });
    expect(statuses.flat()).toEqual(Array(PROCESSES * 50).fill(200));
    expect(refreshes).toBe(1);
  }, 120_000);

  it("makes one token-endpoint call for 4 processes × 50 requests, locking in Redis (REDIS_URL)", async (context) => {
    if (!store || !database || !(await redisAvailable())) return context.skip();
    refreshes = 0;
    const connectionId = await expiredConnection(store.db);
    const statuses = await runProcesses({
      DATABASE_URL: database.url,
      CONNECTION_ID: connectionId,
      VAULT_KEY: vaultKey,
      TOKEN_URL: tokenServer.url,
      RESOURCE_URL: resource.url,
      REDIS_URL: TEST_REDIS_URL,
    });
    expect(statuses.flat()).toEqual(Array(PROCESSES * 50).fill(200));
    expect(refreshes).toBe(1);
  }, 120_000);
});
