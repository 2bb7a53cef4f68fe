/**
 * Single-flight refresh against a loopback token endpoint that counts its calls: concurrent callers share
 * one refresh, a 401 renews once, a refused refresh token is reported once and then fails fast.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, type OAuth2Credentials, ReauthorizationRequiredError } from "../../core/index.ts";
import { MemoryBudgetStore } from "../budget-store/memory-store.ts";
import { sendJson, startTestServer, type TestServer } from "../test-server.ts";
import type { OAuth2ClientConfig } from "./config.ts";
import { OAuth2TokenManager, type SharedRefresh } from "./token-manager.ts";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A token endpoint that issues `at-<n>` after `delayMs`, or refuses with `refusal`. */
async function tokenEndpoint(
  options: { delayMs?: number; refusal?: { status: number; body: unknown } } = {},
) {
  let issued = 0;
  server = await startTestServer(async (request, res) => {
    await new Promise((resolve) => setTimeout(resolve, options.delayMs ?? 0));
    if (options.refusal) return sendJson(res, options.refusal.status, options.refusal.body);
    const form = new URLSearchParams(request.body);
    issued++;
    sendJson(res, 200, {
      token_type: "bearer",
      access_token: `at-${issued}`,
      expires_in: 1800,
      ...(form.get("refresh_token") === "rt-rotate" ? { refresh_token: "rt-2" } : {}),
    });
  });
  const config: OAuth2ClientConfig = {
    provider: "acme",
    authorizationUrl: `${server.url}/authorize`,
    tokenUrl: `${server.url}/token`,
    clientId: "cid",
    clientSecret: "csecret-9f8e",
    clientAuth: "client_secret_post",
    scopes: [],
    pkce: true,
  };
  return { config, server };
}

const expired = (refreshToken = "rt-1"): OAuth2Credentials => ({
  type: "oauth2",
  accessToken: "at-0",
  refreshToken,
  expiresAt: new Date(Date.now() - 1_000).toISOString(),
});

describe("OAuth2TokenManager", () => {
  it("refreshes once for 50 concurrent callers of an expired token, and stores the result first", async () => {
    const { config, server } = await tokenEndpoint({ delayMs: 50 });
    const stored: OAuth2Credentials[] = [];
    const manager = new OAuth2TokenManager({
      config,
      credentials: expired(),
      onRefreshed: async (credentials) => void stored.push(credentials),
    });
    const tokens = await Promise.all(Array.from({ length: 50 }, () => manager.current()));
    expect(new Set(tokens)).toEqual(new Set(["at-1"]));
    expect(server.requests).toHaveLength(1);
    const form = new URLSearchParams(server.requests[0]!.body);
    expect(Object.fromEntries(form)).toMatchObject({
      grant_type: "refresh_token",
      refresh_token: "rt-1",
      client_id: "cid",
      client_secret: "csecret-9f8e",
    });
    expect(server.requests[0]!.headers["content-type"]).toMatch(/application\/x-www-form-urlencoded/);
    // The refresh token is kept when the provider sends none back; the expiry is stamped.
    expect(stored).toEqual([expect.objectContaining({ accessToken: "at-1", refreshToken: "rt-1" })]);
    expect(Date.parse(stored[0]!.expiresAt!)).toBeGreaterThan(Date.now() + 1_700_000);
    expect(await manager.current()).toBe("at-1");
    expect(server.requests).toHaveLength(1);
  });

  it("refreshes ahead of the expiry by the margin, and not before", async () => {
    const { config, server } = await tokenEndpoint();
    const soon = { ...expired(), expiresAt: new Date(Date.now() + 60_000).toISOString() };
    expect(await new OAuth2TokenManager({ config, credentials: soon, marginMs: 30_000 }).current()).toBe(
      "at-0",
    );
    expect(server.requests).toHaveLength(0);
    expect(await new OAuth2TokenManager({ config, credentials: soon, marginMs: 90_000 }).current()).toBe(
      "at-1",
    );
    expect(server.requests).toHaveLength(1);
  });

  it("renews once after a 401, whoever else saw the same token", async () => {
    const { config, server } = await tokenEndpoint({ delayMs: 30 });
    const fresh = { ...expired(), expiresAt: new Date(Date.now() + 3_600_000).toISOString() };
    const manager = new OAuth2TokenManager({ config, credentials: fresh });
    const renewed = await Promise.all(Array.from({ length: 20 }, () => manager.renew("at-0")));
    expect(new Set(renewed)).toEqual(new Set(["at-1"]));
    // A late caller still holding the old token gets the new one without another refresh.
    expect(await manager.renew("at-0")).toBe("at-1");
    expect(server.requests).toHaveLength(1);
    expect(manager.secrets()).toEqual(expect.arrayContaining(["at-0", "at-1", "rt-1"]));
  });

  it("keeps a rotated refresh token", async () => {
    const { config } = await tokenEndpoint();
    const manager = new OAuth2TokenManager({ config, credentials: expired("rt-rotate") });
    await manager.current();
    expect(manager.snapshot.refreshToken).toBe("rt-2");
  });

  it("reports a refused refresh token once, then fails fast without calling the provider", async () => {
    const { config, server } = await tokenEndpoint({
      delayMs: 20,
      refusal: {
        status: 400,
        body: { status: "BAD_REFRESH_TOKEN", message: "missing or invalid refresh token" },
      },
    });
    const rejected: ReauthorizationRequiredError[] = [];
    const manager = new OAuth2TokenManager({
      config,
      credentials: expired(),
      onRejected: async (error) => void rejected.push(error),
    });
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => manager.current()));
    for (const result of results) {
      expect(result.status).toBe("rejected");
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(ReauthorizationRequiredError);
    }
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.message).toContain("missing or invalid refresh token");
    expect(rejected[0]!.hint).toMatch(/connect session/);
    await expect(manager.renew("at-0")).rejects.toBeInstanceOf(ReauthorizationRequiredError);
    expect(server.requests).toHaveLength(1);
  });

  it("tells a refused client secret (config) apart from a refused grant, and never echoes secrets", async () => {
    const { config } = await tokenEndpoint({
      refusal: { status: 401, body: { error: "invalid_client", error_description: "bad csecret-9f8e" } },
    });
    const manager = new OAuth2TokenManager({ config, credentials: expired() });
    const error = await manager.current().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect(String((error as Error).message)).not.toContain("csecret-9f8e");
    expect(String((error as Error).message)).toContain("[REDACTED]");
  });

  it("asks for re-authorisation when there is no refresh token", async () => {
    const { config, server } = await tokenEndpoint();
    const { refreshToken: _none, ...withoutRefresh } = expired();
    const manager = new OAuth2TokenManager({ config, credentials: withoutRefresh });
    await expect(manager.current()).rejects.toThrow(/no refresh token/);
    expect(server.requests).toHaveLength(0);
  });

  it("with a shared lock and store, managers of separate processes refresh once and adopt each other's token", async () => {
    const { config, server } = await tokenEndpoint({ delayMs: 50 });
    // What the processes share: the stored row and a lock (here in one memory store).
    let row: OAuth2Credentials = expired("rt-rotate");
    const locks = new MemoryBudgetStore();
    const shared: SharedRefresh = {
      lock: (task) => locks.withLock("refresh", 10_000, task),
      load: async () => row,
    };
    const managers = Array.from(
      { length: 4 },
      () =>
        new OAuth2TokenManager({
          config,
          credentials: expired("rt-rotate"),
          shared,
          onRefreshed: async (next) => {
            row = next;
          },
        }),
    );
    const tokens = await Promise.all(
      managers.flatMap((manager) => Array.from({ length: 10 }, () => manager.current())),
    );
    expect(new Set(tokens)).toEqual(new Set(["at-1"]));
    expect(server.requests).toHaveLength(1);
    expect(managers.map((manager) => manager.refreshes)).toEqual([1, 0, 0, 0]);
    // The rotated refresh token was adopted too: a later refresh sends the newest one.
    expect(managers[3]!.snapshot.refreshToken).toBe("rt-2");
  });
});
