/**
 * The emulated HubSpot OAuth flow: the consent screen, the token endpoint's grants and refusals in HubSpot's
 * shape, PKCE, access tokens the CRM API accepts until they lapse, and the controls.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call } from "../../../emulator/testing.ts";
import { DEFAULT_OAUTH_SCOPES, type HubSpotEmulator, startHubSpotEmulator } from "./index.ts";
import { approveInEmulator, postHubSpotTokenForm as postTokenForm } from "./oauth-testing.ts";

const APP = {
  clientId: "5a1c0b9e-3d7f-4e2a-9c61-0f4b8d2e7a10",
  clientSecret: "emu-secret-4b8d2e7a",
  name: "Acme Sync",
  redirectUris: ["http://127.0.0.1:9/callback"],
  scopes: [...DEFAULT_OAUTH_SCOPES],
};
const VERIFIER = "v".repeat(43);
const CHALLENGE = createHash("sha256").update(VERIFIER).digest("base64url");

let emulator: HubSpotEmulator;
beforeAll(async () => {
  emulator = await startHubSpotEmulator({
    counts: { contacts: 5, companies: 1, deals: 1 },
    oauthApps: [APP],
  });
});
afterAll(async () => {
  await emulator.close();
});

function authorizeUrl(params: Record<string, string> = {}): string {
  const url = new URL("/oauth/authorize", emulator.url);
  url.search = new URLSearchParams({
    client_id: APP.clientId,
    redirect_uri: APP.redirectUris[0]!,
    scope: APP.scopes.join(" "),
    state: "st-123",
    code_challenge: CHALLENGE,
    code_challenge_method: "S256",
    ...params,
  }).toString();
  return url.href;
}

async function codeFor(params: Record<string, string> = {}): Promise<string> {
  const redirect = await approveInEmulator(authorizeUrl(params));
  return redirect.searchParams.get("code")!;
}

function exchange(code: string, extra: Record<string, string> = {}) {
  return postTokenForm(emulator.url, {
    grant_type: "authorization_code",
    client_id: APP.clientId,
    client_secret: APP.clientSecret,
    redirect_uri: APP.redirectUris[0]!,
    code,
    code_verifier: VERIFIER,
    ...extra,
  });
}

describe("authorize", () => {
  it("shows a consent screen naming the app and scopes, then redirects with code and state", async () => {
    const page = await fetch(authorizeUrl());
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain("Acme Sync");
    expect(html).toContain("crm.objects.contacts.read");
    expect(html).toMatch(/<button[^>]*value="allow"[^>]*>Authorize<\/button>/);
    const redirect = await approveInEmulator(authorizeUrl());
    expect(redirect.origin + redirect.pathname).toBe(APP.redirectUris[0]);
    expect(redirect.searchParams.get("state")).toBe("st-123");
    expect(redirect.searchParams.get("code")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("redirects with access_denied when the user cancels", async () => {
    const redirect = await approveInEmulator(authorizeUrl(), false);
    expect(redirect.searchParams.get("error")).toBe("access_denied");
    expect(redirect.searchParams.get("state")).toBe("st-123");
    expect(redirect.searchParams.has("code")).toBe(false);
  });

  it.each([
    [{ client_id: "nope" }, "Couldn't find an app"],
    [{ redirect_uri: "http://127.0.0.1:9/elsewhere" }, "redirect URL doesn't match"],
    [{ scope: "oauth crm.objects.contacts.write crm.import" }, "isn't configured for these scopes"],
    [{ scope: "oauth" }, "required scopes"],
    [{ code_challenge_method: "plain" }, "S256"],
  ])("refuses %o on the page, without redirecting", async (params, message) => {
    const page = await fetch(authorizeUrl(params), { redirect: "manual" });
    expect(page.status).toBe(400);
    expect(await page.text()).toContain(message.replaceAll("'", "&#39;"));
  });
});

describe("token endpoint", () => {
  it("exchanges a code (with its PKCE verifier) for tokens the CRM API accepts", async () => {
    const { status, body } = await exchange(await codeFor());
    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: "bearer", expires_in: 1800 });
    expect(body.refresh_token).toMatch(/^[0-9a-f-]{36}$/);
    const contacts = await call(emulator, "GET", "/crm/v3/objects/contacts?limit=1", {
      token: body.access_token as string,
    });
    expect(contacts.status).toBe(200);
  });

  it("refuses a reused code, a wrong verifier, a wrong redirect URI and wrong client credentials", async () => {
    const code = await codeFor();
    expect((await exchange(code)).status).toBe(200);
    expect((await exchange(code)).body).toMatchObject({ status: "BAD_AUTH_CODE" });
    const wrongVerifier = await exchange(await codeFor(), { code_verifier: "w".repeat(43) });
    expect(wrongVerifier).toMatchObject({ status: 400, body: { status: "BAD_AUTH_CODE" } });
    expect(wrongVerifier.body.message).toContain("code_verifier");
    const wrongRedirect = await exchange(await codeFor(), { redirect_uri: "http://127.0.0.1:9/x" });
    expect(wrongRedirect.body).toMatchObject({ status: "BAD_REDIRECT_URI" });
    expect((await exchange(await codeFor(), { client_id: "other" })).body).toMatchObject({
      status: "BAD_CLIENT_ID",
    });
    const badSecret = await exchange(await codeFor(), { client_secret: "nope" });
    expect(badSecret.body).toMatchObject({ status: "BAD_CLIENT_SECRET" });
    expect(badSecret.body.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await postTokenForm(emulator.url, { grant_type: "password" })).body).toMatchObject({
      status: "BAD_GRANT_TYPE",
    });
  });

  it("refreshes expired access tokens, keeps the refresh token, and refuses revoked ones", async () => {
    const first = (await exchange(await codeFor())).body;
    const oldAccess = first.access_token as string;
    expect(emulator.oauth.expireAccessTokens(oldAccess)).toBe(1);
    const expired = await call<{ category: string }>(emulator, "GET", "/crm/v3/objects/contacts", {
      token: oldAccess,
    });
    expect(expired.status).toBe(401);
    expect(expired.json.category).toBe("EXPIRED_AUTHENTICATION");

    const before = emulator.oauth.tokenRequests().refresh_token;
    const refreshForm = {
      grant_type: "refresh_token",
      client_id: APP.clientId,
      client_secret: APP.clientSecret,
      refresh_token: first.refresh_token as string,
    };
    const refreshed = await postTokenForm(emulator.url, refreshForm);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).toBe(first.refresh_token);
    expect(refreshed.body.access_token).not.toBe(oldAccess);
    expect(emulator.oauth.tokenRequests().refresh_token).toBe(before + 1);
    const works = await call(emulator, "GET", "/crm/v3/objects/contacts", {
      token: refreshed.body.access_token as string,
    });
    expect(works.status).toBe(200);

    emulator.oauth.revokeRefreshTokens(first.refresh_token as string);
    const refused = await postTokenForm(emulator.url, refreshForm);
    expect(refused).toMatchObject({
      status: 400,
      body: { status: "BAD_REFRESH_TOKEN", message: "missing or invalid refresh token" },
    });
  });

  it("lets access tokens lapse after their lifetime", async () => {
    emulator.oauth.setAccessTokenTtl(1);
    try {
      const { body } = await exchange(await codeFor());
      expect(body.expires_in).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const lapsed = await call(emulator, "GET", "/crm/v3/objects/contacts", {
        token: body.access_token as string,
      });
      expect(lapsed.status).toBe(401);
    } finally {
      emulator.oauth.setAccessTokenTtl(1800);
    }
  });

  it("answers JSON bodies with 415 and exposes its counters without secrets", async () => {
    const json = await fetch(`${emulator.url}/oauth/v1/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ grant_type: "refresh_token" }),
    });
    expect(json.status).toBe(415);
    const state = await call<{ tokenRequests: { total: number }; apps: unknown[] }>(
      emulator,
      "GET",
      "/_emulator/oauth",
    );
    expect(state.json.tokenRequests.total).toBeGreaterThan(5);
    expect(state.text).not.toContain(APP.clientSecret);
  });
});
