/**
 * The OAuth2 path of Connect against the HubSpot emulator, over real loopback HTTP (no browser: the consent
 * form is answered with fetch): start, consent, callback, a usable connection; then the platform refreshing
 * its token (in a live check and in a scheduled run), and a refused refresh token turning it `needs_reauth`
 * with an actionable error and event.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storedCredentialsSchema } from "../../src/app/connections/connections.ts";
import { approveInEmulator } from "../../src/emulator/testing.ts";
import { type ConnectWorld, startConnectWorld } from "../helpers/connect-world.ts";
import { providerWithEmulator } from "../helpers/emulators.ts";

let world: ConnectWorld;
beforeAll(async () => {
  world = await startConnectWorld(providerWithEmulator("hubspot"));
});
afterAll(async () => {
  expect(await world.leakedSecrets()).toEqual([]);
  await world.close();
});

const END_USER = { id: "customer-oauth", email: "admin@initech.example", organization: "Initech" };

async function openSession() {
  const session = await world.dev.post("/v1/connect-sessions", { body: { end_user: END_USER } });
  world.secret(session.token);
  return session;
}

/** The browser binding cookies each started attempt set, by its authorize URL's state. */
const cookies = new Map<string, string>();

async function startOAuth(token: string): Promise<URL> {
  const response = await fetch(`${world.url}/connect/api/oauth/start`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ provider: "hubspot" }),
  });
  expect(response.status).toBe(200);
  const authorize = new URL(((await response.json()) as { authorize_url: string }).authorize_url);
  const setCookie = response.headers.get("set-cookie") ?? "";
  cookies.set(authorize.searchParams.get("state") ?? "", world.secret(setCookie.split(";")[0] ?? ""));
  return authorize;
}

/** Follows the provider's redirect back as the browser that started the attempt (sending its cookie). */
function returnTo(callback: URL, state = callback.searchParams.get("state") ?? "") {
  return fetch(callback, { headers: { cookie: cookies.get(state) ?? "" } });
}

/** The secrets of the pending attempt (its PKCE verifier), read from the session as the server sealed it. */
async function trackPendingVerifier(sessionId: string): Promise<void> {
  const row = await world.store.db
    .selectFrom("connect_sessions")
    .select("oauth_pending")
    .where("id", "=", sessionId)
    .executeTakeFirstOrThrow();
  const pending = JSON.parse(world.deps.vault.open(row.oauth_pending ?? "")) as { codeVerifier: string };
  world.secret(pending.codeVerifier);
}

async function storedTokens(connectionId: string) {
  const row = await world.store.db
    .selectFrom("connections")
    .select("credentials")
    .where("id", "=", connectionId)
    .executeTakeFirstOrThrow();
  const credentials = storedCredentialsSchema.parse(JSON.parse(world.deps.vault.open(row.credentials)));
  if (credentials.type !== "oauth2") throw new Error("not OAuth2 credentials");
  world.secret(credentials.accessToken);
  if (credentials.refreshToken) world.secret(credentials.refreshToken);
  return credentials;
}

describe("Connect with OAuth2 (HubSpot emulator)", () => {
  let connectionId: string;

  it("sends the end user to the provider with state and PKCE, and comes back to a usable connection", async () => {
    const session = await openSession();
    const authorize = await startOAuth(session.token);
    expect(authorize.origin + authorize.pathname).toBe(`${world.emulator.url}/oauth/authorize`);
    expect(authorize.searchParams.get("redirect_uri")).toBe(`${world.url}/connect/oauth/callback`);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("scope")).toContain("crm.objects.contacts.read");
    const state = world.secret(authorize.searchParams.get("state") ?? "");
    expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await trackPendingVerifier(session.id);

    const callback = await approveInEmulator(authorize.href);
    world.secret(callback.searchParams.get("code") ?? "");
    const page = await returnTo(callback);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain("HubSpot is connected");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");

    const done = await world.dev.get("/v1/connect-sessions/:id", { params: { id: session.id } });
    expect(done.status).toBe("connected");
    connectionId = done.connection_id ?? "";
    const connection = await world.dev.get("/v1/connections/:id", { params: { id: connectionId } });
    expect(connection).toMatchObject({
      provider: "hubspot",
      status: "active",
      end_user: END_USER,
      config: { base_url: world.emulator.url },
    });
    const tokens = await storedTokens(connectionId);
    expect(tokens).toMatchObject({ type: "oauth2", refreshToken: expect.any(String) });
    const created = await world.dev.get("/v1/events", { query: { type: "connection.created" } });
    expect(created.data[0]?.data).toMatchObject({ connect_session_id: session.id, end_user: END_USER });
    const tested = await world.dev.post("/v1/connections/:id/test", { params: { id: connectionId } });
    expect(tested.ok).toBe(true);

    // The redirect works once: replaying it is refused without touching the connection.
    const replay = await returnTo(callback);
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain("not one we started");
  });

  it("refreshes an expired access token, storing the new one sealed", async () => {
    const before = await storedTokens(connectionId);
    await world.oauth.expireAccessTokens(before.accessToken);
    const refreshesBefore = (await world.oauth.tokenRequests()).refresh_token;
    await world.dev.post("/v1/connections/:id/test", { params: { id: connectionId } });
    expect((await world.oauth.tokenRequests()).refresh_token - refreshesBefore).toBe(1);
    const after = await storedTokens(connectionId);
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).toBe(before.refreshToken);
    // The next check uses the stored token as it is: no further refresh.
    await world.dev.post("/v1/connections/:id/test", { params: { id: connectionId } });
    expect((await world.oauth.tokenRequests()).refresh_token - refreshesBefore).toBe(1);
  });

  it("a scheduled run of the connection refreshes its expired token and syncs", async () => {
    const before = await storedTokens(connectionId);
    await world.oauth.expireAccessTokens(before.accessToken);
    const refreshesBefore = (await world.oauth.tokenRequests()).refresh_token;
    const run = await world.sync(connectionId, { streams: ["contacts"] });
    expect(run.error).toBeNull();
    expect(run.status).toBe("succeeded");
    expect(run.stats.recordsAdded).toBe(20);
    expect((await world.oauth.tokenRequests()).refresh_token - refreshesBefore).toBe(1);
    expect((await storedTokens(connectionId)).accessToken).not.toBe(before.accessToken);
  });

  it("a refused refresh token makes the connection needs_reauth with an actionable error and event", async () => {
    const tokens = await storedTokens(connectionId);
    await world.oauth.revokeRefreshTokens(tokens.refreshToken);
    await world.oauth.expireAccessTokens(tokens.accessToken);
    const reply = await world.dev.request("POST", "/v1/connections/:id/test", {
      params: { id: connectionId },
    });
    expect(reply.ok).toBe(false);
    if (reply.ok) return;
    expect(reply.status).toBe(422);
    expect(reply.problem).toMatchObject({
      code: "reauthorization_required",
      detail: "HubSpot refused the refresh token: missing or invalid refresh token",
    });
    expect(reply.problem.hint).toContain("connect session");
    const connection = await world.dev.get("/v1/connections/:id", { params: { id: connectionId } });
    expect(connection).toMatchObject({
      status: "needs_reauth",
      last_error: { code: "reauthorization_required" },
    });
    const changed = await world.dev.get("/v1/events", { query: { type: "connection.status_changed" } });
    expect(changed.data[0]?.data).toMatchObject({
      connection_id: connectionId,
      from: "active",
      to: "needs_reauth",
      error: { code: "reauthorization_required" },
    });

    // Re-authorising through a reconnect session makes it active again.
    const session = await world.dev.post("/v1/connect-sessions", {
      body: { end_user: END_USER, connection_id: connectionId },
    });
    world.secret(session.token);
    const authorize = await startOAuth(session.token);
    world.secret(authorize.searchParams.get("state") ?? "");
    await trackPendingVerifier(session.id);
    const callback = await approveInEmulator(authorize.href);
    world.secret(callback.searchParams.get("code") ?? "");
    expect((await returnTo(callback)).status).toBe(200);
    expect(await world.dev.get("/v1/connections/:id", { params: { id: connectionId } })).toMatchObject({
      status: "active",
      last_error: null,
    });
    await storedTokens(connectionId);
    expect((await world.dev.post("/v1/connections/:id/test", { params: { id: connectionId } })).ok).toBe(
      true,
    );
  });

  it("shows a declined consent on the page and leaves the session open for another try", async () => {
    const session = await openSession();
    const authorize = await startOAuth(session.token);
    world.secret(authorize.searchParams.get("state") ?? "");
    await trackPendingVerifier(session.id);
    const declined = await approveInEmulator(authorize.href, false);
    const page = await returnTo(declined);
    const html = await page.text();
    expect(page.status).toBe(400);
    expect(html).toContain("The account was not connected");
    expect(html).toContain("access_denied");
    expect((await world.dev.get("/v1/connect-sessions/:id", { params: { id: session.id } })).status).toBe(
      "pending",
    );
  });

  it("binds the attempt to the browser that started it: a code and state alone do not connect", async () => {
    const session = await openSession();
    const response = await fetch(`${world.url}/connect/api/oauth/start`, {
      method: "POST",
      headers: { authorization: `Bearer ${session.token}`, "content-type": "application/json" },
      body: JSON.stringify({ provider: "hubspot" }),
    });
    const authorize = new URL(((await response.json()) as { authorize_url: string }).authorize_url);
    const state = world.secret(authorize.searchParams.get("state") ?? "");
    const setCookie = response.headers.get("set-cookie") ?? "";
    const cookie = world.secret(setCookie.split(";")[0] ?? "");
    expect(cookie).toMatch(new RegExp(`^switchyard_connect_${session.id}=[A-Za-z0-9_-]{43}$`));
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("SameSite=Lax");
    expect(setCookie).toContain("Path=/connect/oauth/callback");
    expect(setCookie).not.toContain("Secure"); // served over http here; Secure when the public URL is https
    await trackPendingVerifier(session.id);
    const callback = await approveInEmulator(authorize.href);
    world.secret(callback.searchParams.get("code") ?? "");

    // Another browser (no cookie, or a wrong one) is refused, and the attempt stays open.
    const stranger = await fetch(callback);
    expect(stranger.status).toBe(400);
    expect(await stranger.text()).toContain("started in another browser");
    const forged = await fetch(callback, {
      headers: { cookie: `switchyard_connect_${session.id}=${"A".repeat(43)}` },
    });
    expect(forged.status).toBe(400);
    expect((await world.dev.get("/v1/connect-sessions/:id", { params: { id: session.id } })).status).toBe(
      "pending",
    );
    // The browser that started finishes it.
    const page = await fetch(callback, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.headers.get("set-cookie")).toMatch(
      new RegExp(`^switchyard_connect_${session.id}=; .*Max-Age=0`),
    );
    expect(await page.text()).toContain("HubSpot is connected");
    expect(state).not.toBe("");
  });

  it("answers a redirect with a valid state but no code as a refusal, and the session stays open", async () => {
    const session = await openSession();
    const authorize = await startOAuth(session.token);
    const state = world.secret(authorize.searchParams.get("state") ?? "");
    await trackPendingVerifier(session.id);
    const tokenRequestsBefore = (await world.oauth.tokenRequests()).authorization_code;
    const cancelled = new URL(`${world.url}/connect/oauth/callback`);
    cancelled.searchParams.set("state", state);
    const page = await returnTo(cancelled, state);
    const html = await page.text();
    expect(page.status).toBe(400);
    expect(html).toContain("The account was not connected");
    expect(html).toContain("HubSpot sent you back without an authorization");
    expect(html).not.toContain("kept failing");
    expect((await world.oauth.tokenRequests()).authorization_code).toBe(tokenRequestsBefore);

    // An error with a description is shown in the page's words, with the provider's reason.
    const again = await startOAuth(session.token);
    const againState = world.secret(again.searchParams.get("state") ?? "");
    await trackPendingVerifier(session.id);
    const refused = new URL(`${world.url}/connect/oauth/callback`);
    refused.searchParams.set("state", againState);
    refused.searchParams.set("error", "access_denied");
    refused.searchParams.set("error_description", "The user said no");
    const refusedPage = await returnTo(refused, againState);
    expect(refusedPage.status).toBe(400);
    expect(await refusedPage.text()).toContain(
      "access was declined at HubSpot (access_denied: The user said no)",
    );
    expect((await world.dev.get("/v1/connect-sessions/:id", { params: { id: session.id } })).status).toBe(
      "pending",
    );
  });
});
