/**
 * `pipedrive.emulator()`: the handle the demo and the conformance suite drive, started without importing
 * the emulator by name.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CredentialsRejectedError, type EmulatorHandle } from "../../../core/index.ts";
import { approveInEmulator } from "../../../emulator/testing.ts";
import { createHttpClient } from "../../../http/index.ts";
import { pipedrive } from "../index.ts";

let handle: EmulatorHandle;
beforeAll(async () => {
  handle = await pipedrive.emulator!({ records: 20, unlimited: true, seed: 5 });
});
afterAll(() => handle.close());

const client = (credentials: EmulatorHandle["credentials"]) =>
  createHttpClient({
    provider: "pipedrive",
    baseUrl: handle.url,
    auth: pipedrive.auth,
    credentials,
    allowPrivateAddresses: true,
    maxAttempts: 1,
  });

describe("the Pipedrive emulator handle", () => {
  it("accepts its credentials and refuses the rejected ones through the check call", async () => {
    const good = client(handle.credentials);
    const bad = client(handle.rejectedCredentials);
    await expect(pipedrive.checkCredentials(good)).resolves.toBeUndefined();
    await expect(pipedrive.checkCredentials(bad)).rejects.toBeInstanceOf(CredentialsRejectedError);
    await good.close();
    await bad.close();
  });

  it("changes a stream's data and reports its truth as the connector lands it", async () => {
    expect(handle.streams).toEqual(["persons", "organizations", "deals", "activities"]);
    const before = await handle.truth("deals");
    expect(before.live.size).toBe(20);
    await handle.mutate({ deals: { creates: 2, updates: 3, deletes: 1 } });
    const after = await handle.truth("deals");
    expect(after.live.size).toBe(21);
    expect(after.deleted.size).toBe(1);
    const [deletedId] = after.deleted;
    expect(before.live.has(deletedId!)).toBe(true);
    const some = [...after.live.values()][0]!;
    expect(some.update_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/);
    await expect(handle.truth("leads")).rejects.toThrow(/no "leads"/);
  });

  it("accepts the token it is given instead of its own, and registers an OAuth app for Connect", async () => {
    const own = await pipedrive.emulator!({ records: 3, token: "a".repeat(40) });
    try {
      expect(own.credentials).toEqual({ type: "api_key", key: "a".repeat(40) });
      const http = client(own.credentials);
      await expect(pipedrive.checkCredentials(http)).rejects.toBeInstanceOf(CredentialsRejectedError);
      await http.close();
      const ownHttp = createHttpClient({
        provider: "pipedrive",
        baseUrl: own.url,
        auth: pipedrive.auth,
        credentials: own.credentials,
        allowPrivateAddresses: true,
        maxAttempts: 1,
      });
      await expect(pipedrive.checkCredentials(ownHttp)).resolves.toBeUndefined();
      await ownHttp.close();
      const redirect = "http://127.0.0.1:9/connect/oauth/callback";
      const app = { name: "Switchyard", clientId: "cid", clientSecret: "secret", redirectUris: [redirect] };
      const endpoints = own.registerOAuthApp!(app);
      expect(endpoints).toEqual({
        authorizationUrl: `${own.url}/oauth/authorize`,
        tokenUrl: `${own.url}/oauth/token`,
      });
      const authorize = `${endpoints.authorizationUrl}?client_id=cid&redirect_uri=${encodeURIComponent(redirect)}&response_type=code&scope=${encodeURIComponent(pipedrive.oauth2!.scopes.join(" "))}`;
      expect((await approveInEmulator(authorize)).searchParams.get("code")).toBeTruthy();
    } finally {
      await own.close();
    }
  });
});
