/**
 * Test helper (not shipped behaviour): the API over a real SQLite file in a temp directory, a loopback
 * "provider" that accepts one token, API keys for `dev` and `prod`, a typed client per key, and every log
 * line captured — so that tests can assert that no secret reached the database or the logs.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { expect } from "vitest";
import { freshForEachTest } from "../../test/helpers/lifecycle.ts";
import { issueApiKey } from "../app/api-keys/api-keys.ts";
import type { PlatformDeps } from "../app/platform.ts";
import { createClient, type SwitchyardClient } from "../client/index.ts";
import { CredentialsRejectedError, type ProviderDefinition } from "../core/index.ts";
import { sendJson, startTestServer, type TestServer } from "../http/test-server.ts";
import { ensureEnvironment, openStore, type Store, setEnvironmentPrivateNetwork } from "../store/index.ts";
import { generateVaultKey, parseVaultKey, Vault } from "../vault/index.ts";
import { buildServer, type ServerOptions } from "./app.ts";

/** The only token the loopback provider accepts. */
export const GOOD_TOKEN = "tok-good-7f3a91c2e4b6";

/** A bearer-auth provider whose credential check calls the loopback server's `/me`. */
function loopbackProvider(baseUrl: string): ProviderDefinition {
  return {
    name: "loopback",
    displayName: "Loopback",
    baseUrl,
    auth: { type: "bearer" },
    streams: [
      {
        name: "items",
        primaryKey: "id",
        schema: { columns: { id: "string" } },
        async *read() {},
      },
    ],
    async checkCredentials(http) {
      await http.request({ path: "/me" });
    },
  };
}

/** A provider using API keys, to test that credentials must fit the provider's scheme. */
const keyProvider: ProviderDefinition = {
  name: "keyed",
  displayName: "Keyed",
  baseUrl: "http://127.0.0.1:9",
  auth: { type: "api_key", in: "header", name: "x-api-key" },
  streams: [],
  async checkCredentials() {
    throw new CredentialsRejectedError("keyed", 401);
  },
};

export interface Harness extends SecretTracker {
  app: FastifyInstance;
  store: Store;
  deps: PlatformDeps;
  dir: string;
  provider: TestServer;
  /** `dev` is an admin key (like `npm start`'s first key); `prod` an environment key. */
  keys: { dev: string; prod: string };
  environments: { dev: { id: string; name: string }; prod: { id: string; name: string } };
  /** Typed clients authenticated as the dev and prod keys, talking to the app through `inject`. */
  dev: SwitchyardClient;
  prod: SwitchyardClient;
  /** A client with any key (or none). */
  client(apiKey?: string): SwitchyardClient;
  /** Every log line the server wrote. */
  logs: string[];
  close(): Promise<void>;
}

/** Remembers secrets and looks for them in a test's SQLite files and logs. */
export interface SecretTracker {
  /** Remembers a secret so that `leakedSecrets` looks for it. Returns it. */
  secret(value: string): string;
  /** The tracked secrets found in the SQLite files or the logs (should be none). */
  leakedSecrets(): Promise<string[]>;
}

/**
 * Tracks `initial` (and every later `secret(…)`); `leakedSecrets` checkpoints the WAL, then reports each tracked
 * secret found in any `switchyard.sqlite*` file in `dir` or in `logs` as it is at the time of the call.
 */
export function trackSecrets(
  store: Store,
  dir: string,
  logs: readonly string[],
  initial: Iterable<string>,
): SecretTracker {
  const secrets = new Set<string>(initial);
  return {
    secret(value) {
      secrets.add(value);
      return value;
    },
    async leakedSecrets() {
      // Checkpoint the WAL so that the main file holds everything, then read every SQLite file there is.
      await sql`PRAGMA wal_checkpoint(FULL)`.execute(store.db);
      const files = readdirSync(dir)
        .filter((name) => name.startsWith("switchyard.sqlite"))
        .map((name) => readFileSync(join(dir, name)));
      const haystacks = [...files, Buffer.from(logs.join("\n"))];
      return [...secrets].filter((secret) => haystacks.some((bytes) => bytes.includes(secret)));
    },
  };
}

/** A fetch that serves requests with `app.inject`: the client's real code path, without sockets. */
export function injectFetch(app: FastifyInstance): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const response = await app.inject({
      method: (init?.method ?? "GET") as "GET",
      url: `${url.pathname}${url.search}`,
      headers: (init?.headers ?? {}) as Record<string, string>,
      ...(init?.body !== undefined ? { payload: init.body as string } : {}),
    });
    const headers = new Headers();
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined) headers.set(name, String(value));
    }
    return new Response(response.statusCode === 204 ? null : new Uint8Array(response.rawPayload), {
      status: response.statusCode,
      headers,
    });
  }) as typeof fetch;
}

/**
 * Starts a harness; `close()` stops everything and removes the temp directory. `providers` are added to the
 * loopback and keyed ones.
 */
export async function startHarness(
  options: ServerOptions & { providers?: PlatformDeps["providers"] } = {},
): Promise<Harness> {
  const { providers: extraProviders, ...serverOptions } = options;
  const dir = mkdtempSync(join(tmpdir(), "switchyard-api-"));
  const store = await openStore({ kind: "sqlite", path: join(dir, "switchyard.sqlite") });
  const provider = await startTestServer((request, res) => {
    if (request.headers.authorization === `Bearer ${GOOD_TOKEN}`) sendJson(res, 200, { user: "me" });
    else sendJson(res, 401, { message: "invalid token" });
  });
  const logs: string[] = [];
  const deps: PlatformDeps = {
    db: store.db,
    vault: new Vault({ current: parseVaultKey(generateVaultKey()), previous: [] }),
    providers: { loopback: loopbackProvider(provider.url), keyed: keyProvider, ...extraProviders },
    checkHttp: { maxAttempts: 1, timeoutMs: 5_000 },
    publicUrl: "http://switchyard.test",
  };
  const app = buildServer(deps, {
    log: { level: "trace", stream: { write: (line: string) => void logs.push(line) } },
    ...serverOptions,
  });
  const dev = await ensureEnvironment(store.db, "dev");
  const prod = await ensureEnvironment(store.db, "prod");
  // The loopback provider is on 127.0.0.1: both environments allow private addresses (the SSRF guard's
  // tests turn it off again).
  for (const env of [dev, prod]) await setEnvironmentPrivateNetwork(store.db, env.id, true);
  // Like the key `npm start` writes, the dev key is an admin key; the prod key is an environment key.
  const devKey = (await issueApiKey(store.db, dev, "test dev", { admin: true })).secret;
  const prodKey = (await issueApiKey(store.db, prod, "test prod")).secret;
  const tracker = trackSecrets(store, dir, logs, [GOOD_TOKEN, devKey, prodKey]);
  const client = (apiKey?: string) =>
    createClient({
      baseUrl: "http://switchyard.test",
      fetch: injectFetch(app),
      ...(apiKey ? { apiKey } : {}),
    });
  return {
    app,
    store,
    deps,
    dir,
    provider,
    keys: { dev: devKey, prod: prodKey },
    environments: { dev, prod },
    dev: client(devKey),
    prod: client(prodKey),
    client,
    logs,
    ...tracker,
    async close() {
      await app.close();
      await provider.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Gives each test of the file a fresh harness (started before it, closed after it), and fails the test if
 * any tracked secret reached the database files or the logs. The returned harness always stands for the
 * current test's one.
 */
export function harnessPerTest(options?: Parameters<typeof startHarness>[0]): Harness {
  const current = freshForEachTest(
    "harnessPerTest's harness",
    () => startHarness(options),
    async (h) => {
      try {
        expect(await h.leakedSecrets()).toEqual([]);
      } finally {
        await h.close();
      }
    },
  );
  // A stand-in that forwards to the current test's harness, so that test files can keep one `h`.
  return new Proxy({} as Harness, { get: (_, key) => Reflect.get(current(), key) });
}
