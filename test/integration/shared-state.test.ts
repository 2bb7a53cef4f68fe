/**
 * State shared across processes, on the real Postgres and the real Redis (each skipped with a message when
 * absent locally, never on CI). Four "processes" are four independent clients, each with its own store
 * connections and in-memory state, sharing only the backend:
 *  - no update of shared state is lost, and a lock excludes;
 *  - a provider account's adaptive budget and its declared fixed window hold across all four clients,
 *    counted at a loopback server that enforces the limit and answers 429 over it;
 *  - 4 clients × 50 concurrent requests on an expired OAuth token make exactly one token-endpoint call;
 *  - API-key and Connect throttles hold across two server instances.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEndUserConnection } from "../../src/app/connections/lifecycle.ts";
import { connectionTokenSource } from "../../src/app/connections/tokens.ts";
import type { OAuth2Credentials, ProviderDefinition, RateLimitHeaderSpec } from "../../src/core/index.ts";
import {
  type BudgetStore,
  createHttpClient,
  openRedisBudgetStore,
  PostgresBudgetStore,
  StoredRateLimitBudget,
  useBudgetStore,
} from "../../src/http/index.ts";
import { sendJson, startTestServer, type TestServer } from "../../src/http/test-server.ts";
import { buildServer } from "../../src/server/app.ts";
import { ConnectThrottle } from "../../src/server/connect/limits.ts";
import { ensureEnvironment, getConnection, openStore, type Store } from "../../src/store/index.ts";
import { generateVaultKey, parseVaultKey, Vault } from "../../src/vault/index.ts";
import { createTestDatabase, postgresAvailable } from "../helpers/postgres.ts";
import { redisAvailable, redisTestPrefix, TEST_REDIS_URL } from "../helpers/redis.ts";

const PROCESSES = 4;

/** Four processes' worth of control-plane stores and shared-state backends over one database and backend. */
interface World {
  stores: Store[];
  shared: BudgetStore[];
  /** Writes a value that is not JSON under `key`, as something else sharing the backend might. */
  corrupt: (key: string) => Promise<void>;
  cleanup: () => Promise<void>;
}

/** Opens the control-plane stores one after the other (each runs the migrations). */
async function openStores(open: () => Promise<Store>): Promise<Store[]> {
  const stores: Store[] = [];
  for (let i = 0; i < PROCESSES; i++) stores.push(await open());
  return stores;
}

const backends: { name: string; ready: () => Promise<boolean>; open: () => Promise<World> }[] = [
  {
    name: "Postgres",
    ready: postgresAvailable,
    open: async () => {
      const database = await createTestDatabase();
      const stores = await openStores(() => openStore({ kind: "postgres", connectionString: database.url }));
      return {
        stores,
        shared: stores.map((store) => new PostgresBudgetStore(store.db)),
        corrupt: async (key) => {
          await sql`INSERT INTO shared_state (key, state, expires_at) VALUES (${key}, '{not json', ${Date.now() + 60_000})`.execute(
            stores[0]!.db,
          );
        },
        cleanup: async () => {
          for (const store of stores) await store.close();
          await database.drop();
        },
      };
    },
  },
  {
    name: "Redis",
    ready: redisAvailable,
    open: async () => {
      // The rows live in one SQLite file the four stores share; the shared state lives in Redis.
      const dir = await mkdtemp(join(tmpdir(), "switchyard-shared-"));
      const stores = await openStores(() => openStore({ kind: "sqlite", path: join(dir, "control.sqlite") }));
      const keys = redisTestPrefix();
      const shared = await Promise.all(stores.map(() => openRedisBudgetStore(TEST_REDIS_URL, keys.prefix)));
      return {
        stores,
        shared,
        corrupt: async (key) => {
          const redis = new Redis(TEST_REDIS_URL, { keyPrefix: keys.prefix });
          await redis.set(key, "{not json", "PX", 60_000);
          redis.disconnect();
        },
        cleanup: async () => {
          for (const backend of shared) await backend.close();
          for (const store of stores) await store.close();
          await keys.cleanup();
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  },
];

for (const backend of backends) {
  describe(`shared state on ${backend.name}`, () => {
    let world: World | undefined;
    beforeAll(async () => {
      if (await backend.ready()) world = await backend.open();
    }, 60_000);
    afterAll(async () => {
      await world?.cleanup();
    });
    /** The world, or skips the test (the skip message was printed when the backend did not answer). */
    function ready(context: { skip: () => void }): World {
      if (!world) context.skip();
      return world as World;
    }

    it("loses no update when four processes change one key at once, and the lock excludes", async (context) => {
      const { shared } = ready(context);
      await Promise.all(
        shared.flatMap((store) =>
          Array.from({ length: 50 }, () =>
            store.update<number, void>("counter", 60_000, (count) => ({
              state: (count ?? 0) + 1,
              result: undefined,
            })),
          ),
        ),
      );
      expect(
        await shared[0]!.update<number, number>("counter", 60_000, (count) => ({ result: count ?? 0 })),
      ).toBe(200);

      // A value that is not ours counts as absent and is replaced, not a crash.
      await world!.corrupt("garbled");
      expect(
        await shared[1]!.update<number, number>("garbled", 60_000, (count) => ({
          state: 7,
          result: count ?? 0,
        })),
      ).toBe(0);
      expect(
        await shared[2]!.update<number, number>("garbled", 60_000, (count) => ({ result: count ?? 0 })),
      ).toBe(7);

      let holders = 0;
      let most = 0;
      await Promise.all(
        shared.flatMap((store) =>
          Array.from({ length: 3 }, () =>
            store.withLock("exclusive", 10_000, async () => {
              most = Math.max(most, ++holders);
              await new Promise((resolve) => setTimeout(resolve, 5));
              holders--;
            }),
          ),
        ),
      );
      expect(most).toBe(1);
    }, 60_000);

    it("keeps four clients of one account within the provider's limit, using most of it", async (context) => {
      const { shared } = ready(context);
      const provider = await limitedProvider({ limit: 20, windowMs: 1_000 });
      try {
        const account = `acme:account:${Math.random().toString(36).slice(2)}`;
        const clients = shared.map((store) =>
          providerClient(provider.server.url, new StoredRateLimitBudget(account, store)),
        );
        // 4 clients × 5 concurrent requests at a time (no more than the limit: the first burst is not paced).
        await Promise.all(
          clients.map((client) =>
            inParallel(5, 25, async () => {
              const response = await client.request({ path: "/items" });
              expect(response.status).toBe(200);
            }),
          ),
        );
        await Promise.all(clients.map((client) => client.close()));
        const { ok, refused, perWindow } = provider.counts();
        expect(ok).toBe(100);
        // ≤ 1% answered 429.
        expect(refused).toBeLessThanOrEqual(1);
        for (const count of perWindow.values()) expect(count).toBeLessThanOrEqual(20);
        // The budget is mostly used: the full windows the run spanned were on average more than 60% used.
        const windows = [...perWindow.keys()].sort((a, b) => a - b);
        const full = windows.slice(0, -1);
        const used = full.reduce((sum, window) => sum + perWindow.get(window)!, 0) / (full.length * 20);
        console.info(
          `${backend.name}: ${ok} requests, ${refused} answered 429, budget used ${(used * 100).toFixed(0)}%`,
        );
        expect(used).toBeGreaterThan(0.6);
      } finally {
        await provider.server.close();
      }
    }, 60_000);

    it("keeps a declared fixed window (5 per 500 ms) across four clients", async (context) => {
      const { shared } = ready(context);
      const provider = await limitedProvider({ limit: 1_000, windowMs: 60_000 });
      try {
        const account = `acme:account:${Math.random().toString(36).slice(2)}`;
        const fixed = [{ method: "GET" as const, pathPattern: "/search$", limit: 5, windowMs: 500 }];
        const clients = shared.map((store) =>
          providerClient(provider.server.url, new StoredRateLimitBudget(account, store), fixed),
        );
        await Promise.all(
          clients.map((client) => inParallel(5, 5, () => client.request({ path: "/search" }))),
        );
        await Promise.all(clients.map((client) => client.close()));
        const sent = provider.searches.sort((a, b) => a - b);
        expect(sent).toHaveLength(20);
        // Any 6 consecutive searches span a window; 50 ms of slack for request latency on a busy machine.
        for (let i = 0; i + 5 < sent.length; i++) expect(sent[i + 5]! - sent[i]!).toBeGreaterThanOrEqual(450);
      } finally {
        await provider.server.close();
      }
    }, 60_000);

    it("refreshes an expired OAuth token once for 4 processes × 50 concurrent requests", async (context) => {
      const { stores, shared } = ready(context);
      let refreshes = 0;
      const tokenServer = await startTestServer(async (_request, res) => {
        refreshes++;
        // Slow enough that every process finds the token expired before the first refresh is stored.
        await new Promise((resolve) => setTimeout(resolve, 200));
        sendJson(res, 200, { token_type: "bearer", access_token: `at-new-${refreshes}`, expires_in: 3600 });
      });
      const resource = await startTestServer((request, res) => {
        if (request.headers.authorization === "Bearer at-new-1") sendJson(res, 200, { ok: true });
        else sendJson(res, 401, { error: "invalid_token" });
      });
      try {
        const provider = oauthProvider(tokenServer.url, resource.url);
        const vault = new Vault({ current: parseVaultKey(generateVaultKey()), previous: [] });
        const depsOf = (i: number) => ({
          db: stores[i]!.db,
          vault,
          providers: { acme: provider },
          providerSettings: { acme: { oauth2: { clientId: "cid", clientSecret: "csecret" } } },
          budgetStore: shared[i]!,
        });
        const env = await ensureEnvironment(stores[0]!.db, `oauth-${Math.random().toString(36).slice(2)}`);
        const expired: OAuth2Credentials = {
          type: "oauth2",
          accessToken: "at-old",
          refreshToken: "rt-1",
          expiresAt: new Date(Date.now() - 1_000).toISOString(),
        };
        const created = await createEndUserConnection(depsOf(0), {
          environmentId: env.id,
          provider: "acme",
          credentials: expired,
          endUser: { id: "u1" },
        });
        const answers = await Promise.all(
          stores.map(async (_store, i) => {
            const deps = depsOf(i);
            const row = await getConnection(deps.db, created.id);
            const tokens = connectionTokenSource(deps, row, expired);
            const client = createHttpClient({
              provider: "acme",
              baseUrl: resource.url,
              auth: { type: "bearer" },
              credentials: expired,
              ...(tokens ? { tokens } : {}),
              allowPrivateAddresses: true,
              maxAttempts: 1,
            });
            try {
              return await Promise.all(Array.from({ length: 50 }, () => client.request({ path: "/me" })));
            } finally {
              await client.close();
            }
          }),
        );
        expect(answers.flat().map((answer) => answer.status)).toEqual(Array(200).fill(200));
        expect(refreshes).toBe(1);
      } finally {
        await tokenServer.close();
        await resource.close();
      }
    }, 60_000);

    it("holds the API-key failure limit and the Connect throttle across two server instances", async (context) => {
      const { stores, shared } = ready(context);
      const vault = new Vault({ current: parseVaultKey(generateVaultKey()), previous: [] });
      const serverOf = (i: number) => {
        // The server takes its shared backend at build time (budgetStoreFor); each gets its own instance.
        useBudgetStore(shared[i]);
        try {
          return buildServer({ db: stores[i]!.db, vault, providers: {} }, {
            authFailureLimit: { max: 3, windowMs: 60_000 },
            logger: false,
          } as Parameters<typeof buildServer>[1]);
        } finally {
          useBudgetStore(undefined);
        }
      };
      const [first, second] = [serverOf(0), serverOf(1)];
      try {
        const attempt = (server: typeof first) =>
          server.inject({
            method: "GET",
            url: "/v1/connections",
            headers: { authorization: "Bearer sy_wrong" },
          });
        expect((await attempt(first)).statusCode).toBe(401);
        expect((await attempt(second)).statusCode).toBe(401);
        expect((await attempt(first)).statusCode).toBe(401);
        // Three failures in all: a fourth is refused on either instance, though each saw fewer than three.
        const refused = await attempt(second);
        expect(refused.statusCode).toBe(429);
        expect(refused.headers["retry-after"]).toBeDefined();
      } finally {
        await first.close();
        await second.close();
      }

      const limits = { perAddress: { max: 2, windowMs: 60_000 } };
      const [one, two] = [new ConnectThrottle(limits, shared[2]), new ConnectThrottle(limits, shared[3])];
      const address = `192.0.2.${Math.floor(Math.random() * 250)}`;
      await one.admitAddress(address);
      await two.admitAddress(address);
      await expect(one.admitAddress(address)).rejects.toMatchObject({ code: "rate_limited" });
    }, 60_000);
  });
}

const SPEC: RateLimitHeaderSpec = {
  limit: "x-ratelimit-limit",
  remaining: "x-ratelimit-remaining",
  reset: { header: "x-ratelimit-reset", format: "seconds" },
};

/**
 * A loopback provider allowing `limit` requests per fixed window of `windowMs`: it says so in headers and
 * answers 429 (with the time to reset) over it. Counts per window, and records when each search arrived.
 */
async function limitedProvider(options: { limit: number; windowMs: number }) {
  const started = Date.now();
  const perWindow = new Map<number, number>();
  const searches: number[] = [];
  let ok = 0;
  let refused = 0;
  const server: TestServer = await startTestServer((request, res) => {
    const now = Date.now();
    if (request.url?.startsWith("/search")) searches.push(now);
    const window = Math.floor((now - started) / options.windowMs);
    const count = (perWindow.get(window) ?? 0) + 1;
    const resetSeconds = (started + (window + 1) * options.windowMs - now) / 1000;
    const headers = {
      "x-ratelimit-limit": String(options.limit),
      "x-ratelimit-remaining": String(Math.max(0, options.limit - count)),
      "x-ratelimit-reset": resetSeconds.toFixed(3),
    };
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    if (count > options.limit) {
      refused++;
      return sendJson(res, 429, { message: "over the limit" });
    }
    perWindow.set(window, count);
    ok++;
    sendJson(res, 200, { ok: true });
  });
  return { server, searches, counts: () => ({ ok, refused, perWindow }) };
}

function providerClient(
  baseUrl: string,
  budget: StoredRateLimitBudget,
  fixed?: RateLimitHeaderSpec["fixed"],
) {
  return createHttpClient({
    provider: "acme",
    baseUrl,
    auth: { type: "bearer" },
    credentials: { type: "bearer", token: "t" },
    rateLimit: fixed ? { ...SPEC, fixed } : SPEC,
    budget,
    allowPrivateAddresses: true,
    retryDelay: { baseMs: 10, maxMs: 100 },
  });
}

/** Runs `total` tasks, `width` at a time. */
async function inParallel(width: number, total: number, task: () => Promise<unknown>): Promise<void> {
  let started = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (started < total) {
        started++;
        await task();
      }
    }),
  );
}

function oauthProvider(tokenUrl: string, baseUrl: string): ProviderDefinition {
  return {
    name: "acme",
    displayName: "Acme",
    baseUrl,
    auth: { type: "bearer" },
    oauth2: {
      authorizationUrl: `${tokenUrl}/authorize`,
      tokenUrl: `${tokenUrl}/token`,
      scopes: [],
      pkce: true,
      clientAuth: "client_secret_post",
    },
    streams: [],
    async checkCredentials() {},
  };
}
