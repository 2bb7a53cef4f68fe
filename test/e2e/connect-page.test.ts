/**
 * The hosted Connect page in real Chromium (Debian's, driven by playwright-core), against Switchyard and a
 * provider's emulator on loopback, for every registered provider that declares one: the token path (a wrong
 * token shows the provider's own refusal, the right one connects) and, where its emulator has an OAuth
 * server, the OAuth2 path (consent in the emulator, callback, a connection whose live check passes and that
 * syncs — against the API base the token response named, for providers whose token response names one).
 * Then, on one provider, the pages for used and invalid links, on a phone-sized screen and by keyboard.
 * Skips, saying how to enable it, when /usr/bin/chromium is not installed.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { credentialFieldsOf } from "../../src/app/connections/credential-fields.ts";
import type { ProviderDefinition } from "../../src/core/index.ts";
import { chromiumFor, launchChromium } from "../helpers/chromium.ts";
import { type ConnectWorld, startConnectWorld } from "../helpers/connect-world.ts";
import { providersWithEmulators } from "../helpers/emulators.ts";

const { available, suffix } = chromiumFor("Connect page browser test");

const END_USER = { id: "customer-browser", email: "owner@umbrella.example", organization: "Umbrella" };
const declared = providersWithEmulators();

let browser: Browser;
beforeAll(async () => {
  if (available) browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** The world's Connect session for its provider only (the page opens on the provider's step). */
async function openSession(world: ConnectWorld): Promise<{ id: string; connect_url: string }> {
  const session = await world.dev.post("/v1/connect-sessions", {
    body: { end_user: END_USER, allowed_providers: [world.provider.name] },
  });
  world.secret(session.token);
  return session;
}

/** A phone-sized page (iPhone 12-ish viewport, touch). */
async function phonePage(): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    hasTouch: true,
    isMobile: true,
  });
  const page = await context.newPage();
  // Fail a step in seconds, not at the test's timeout.
  page.setDefaultTimeout(10_000);
  return page;
}

/** The provider's token field on the Connect form. */
function tokenField(provider: ProviderDefinition) {
  const field = credentialFieldsOf(provider).find((candidate) => candidate.type === "secret");
  if (!field) throw new Error(`${provider.displayName}'s Connect form has no secret field.`);
  return field;
}

/** A started world, stopped after the block's tests, with no secret left in its store or logs. */
function worldFor(provider: ProviderDefinition, options: Parameters<typeof startConnectWorld>[1] = {}) {
  let world: ConnectWorld | undefined;
  beforeAll(async () => {
    if (available) world = await startConnectWorld(provider, options);
  });
  afterAll(async () => {
    if (!world) return;
    expect(await world.leakedSecrets()).toEqual([]);
    await world.close();
  });
  return () => world!;
}

describe.skipIf(!available).each(declared)(`Connect page in Chromium: $displayName${suffix}`, (provider) => {
  const world = worldFor(provider);
  // A provider whose token response names the account's API base (`instance_url`, `api_domain`): the
  // deployment names none, so the connection works only if it follows the token response.
  const instanceUrl = provider.oauth2?.instanceUrlField !== undefined;
  const oauthWorld = instanceUrl ? worldFor(provider, { baseUrl: false }) : world;
  const { displayName } = provider;

  it("token: the provider's refusal for a wrong token, then the right token connects", async () => {
    const field = tokenField(provider);
    const session = await openSession(world());
    const page = await phonePage();
    await page.goto(session.connect_url);
    await expect
      .poll(() => page.getByRole("heading", { name: `Connect ${displayName}` }).isVisible())
      .toBe(true);
    // The token leaves the address bar once read.
    expect(page.url()).toBe(`${world().url}/connect`);
    await expect
      .poll(() => page.getByText(`For ${END_USER.email} · ${END_USER.organization}`).isVisible())
      .toBe(true);

    const input = page.getByLabel(field.label, { exact: true });
    if (field.pattern !== undefined) {
      await input.fill("not-a-token");
      await page.getByRole("button", { name: "Connect", exact: true }).click();
      await expect
        .poll(() => page.locator(`#field-${field.name}-error`).textContent())
        .toContain(`This doesn't look like a ${field.label}.`);
      expect(await input.getAttribute("aria-invalid")).toBe("true");
    }

    await input.fill(world().wrongToken);
    await page.getByRole("button", { name: "Connect", exact: true }).click();
    const alert = page.getByRole("alert").first();
    await expect
      .poll(() => alert.textContent())
      .toContain(`${displayName} rejected the credentials (HTTP 401`);
    expect((await world().dev.get("/v1/connections")).data).toEqual([]);

    // Keyboard: type into the field and submit with Enter.
    await input.fill("");
    await input.focus();
    await page.keyboard.type(world().token);
    await page.keyboard.press("Enter");
    await expect
      .poll(() => page.getByTestId("connect-success").textContent())
      .toContain(`${displayName} is connected`);

    const done = await world().dev.get("/v1/connect-sessions/:id", { params: { id: session.id } });
    expect(done.status).toBe("connected");
    const connection = await world().dev.get("/v1/connections/:id", {
      params: { id: done.connection_id ?? "" },
    });
    expect(connection).toMatchObject({ provider: provider.name, status: "active", end_user: END_USER });
    await page.context().close();
  });

  it.skipIf(!provider.oauth2)(
    "OAuth2: consent in the emulator, back through the callback; the connection's live check passes and it syncs",
    async () => {
      const current = oauthWorld();
      // A provider with OAuth2 must let its emulator stand in for the authorization server.
      expect(
        current.deps.providerSettings?.[provider.name]?.oauth2,
        `${displayName}'s emulator declaration registers no OAuth app (EmulatorHandle.registerOAuthApp)`,
      ).toBeDefined();
      const session = await openSession(current);
      const page = await phonePage();
      await page.goto(session.connect_url);
      const start = page.getByRole("button", { name: `Connect with ${displayName}` });
      await expect.poll(() => start.isVisible()).toBe(true);
      await start.click();
      const authorizeUrl = current.deps.providerSettings?.[provider.name]?.oauth2?.authorizationUrl ?? "";
      await page.waitForURL((url) => url.href.startsWith(authorizeUrl));
      const authorize = new URL(page.url());
      current.secret(authorize.searchParams.get("state") ?? "");
      expect(authorize.searchParams.get("code_challenge_method")).toBe(provider.oauth2!.pkce ? "S256" : null);
      await expect.poll(() => page.getByText("Switchyard test app is asking for:").isVisible()).toBe(true);
      await page.getByRole("button", { name: "Authorize" }).click();
      await page.waitForURL((url) => url.href.startsWith(`${current.url}/connect/oauth/callback`));
      current.secret(new URL(page.url()).searchParams.get("code") ?? "");
      await expect
        .poll(() => page.getByTestId("connect-success").textContent())
        .toContain(`${displayName} is connected`);

      const done = await current.dev.get("/v1/connect-sessions/:id", { params: { id: session.id } });
      expect(done.status).toBe("connected");
      const id = done.connection_id ?? "";
      const tested = await current.dev.post("/v1/connections/:id/test", { params: { id } });
      expect(tested.connection).toMatchObject({ status: "active", end_user: END_USER });
      // Where the connection lives: the emulator, named by the token response when the deployment names none.
      expect(tested.connection.config).toMatchObject({ base_url: current.emulator.url });
      const events = await current.dev.get("/v1/events", { query: { type: "connection.created" } });
      expect(events.data[0]?.data).toMatchObject({ connect_session_id: session.id });

      const run = await current.sync(id);
      expect(run.error).toBeNull();
      expect(run.status).toBe("succeeded");
      expect(run.stats.recordsAdded).toBeGreaterThan(0);
      await page.context().close();
    },
  );
});

describe.skipIf(!available)(`Connect page in Chromium: the page itself${suffix}`, () => {
  const provider = declared[0]!;
  const world = worldFor(provider);

  it("lists the providers and works by keyboard alone", async () => {
    const session = await world().dev.post("/v1/connect-sessions", { body: { end_user: END_USER } });
    world().secret(session.token);
    const page = await phonePage();
    await page.goto(session.connect_url);
    const list = page.getByRole("heading", { name: "Choose the app to connect" });
    await expect.poll(() => list.isVisible()).toBe(true);
    expect(await page.locator("#provider-list button").allTextContents()).toEqual([
      provider.displayName,
      "Acme Tickets",
    ]);
    // Tab to the second provider and open it with Enter; the step's heading takes focus.
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.textContent))
      .toBe("Connect Acme Tickets");
    expect(await page.getByRole("button", { name: "Connect with Acme Tickets" }).isVisible()).toBe(false);
    // From the heading, Tab reaches the key field (the back link sits before the heading).
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("field-key");
    await page.keyboard.type("ak_wrong");
    await page.keyboard.press("Enter");
    await expect.poll(() => page.getByRole("alert").first().textContent()).toContain("Acme Tickets rejected");
    await page.getByRole("button", { name: "← All apps" }).press("Enter");
    await expect.poll(() => list.isVisible()).toBe(true);
    await page.context().close();
  });

  it("says clearly when a link was already used or is not valid", async () => {
    const session = await openSession(world());
    await world().app.inject({
      method: "POST",
      url: "/connect/api/credentials",
      headers: { authorization: `Bearer ${new URL(session.connect_url).searchParams.get("token")}` },
      payload: { provider: provider.name, fields: { [tokenField(provider).name]: world().token } },
    });
    const page = await phonePage();
    await page.goto(session.connect_url);
    await expect
      .poll(() => page.getByTestId("connect-error").textContent())
      .toContain("This Connect link was already used");
    await page.goto(`${world().url}/connect?token=cst_not-a-real-token`);
    await page.reload();
    await expect
      .poll(() => page.getByTestId("connect-error").textContent())
      .toContain("This Connect link is not valid");
    await page.context().close();
  });

  it("says the link is locked after 5 wrong tokens, and to ask for a new one", async () => {
    const session = await openSession(world());
    const token = new URL(session.connect_url).searchParams.get("token");
    for (let i = 0; i < 5; i++) {
      await world().app.inject({
        method: "POST",
        url: "/connect/api/credentials",
        remoteAddress: "192.0.2.50",
        headers: { authorization: `Bearer ${token}` },
        payload: { provider: provider.name, fields: { [tokenField(provider).name]: world().wrongToken } },
      });
    }
    const page = await phonePage();
    await page.goto(session.connect_url);
    await expect
      .poll(() => page.locator("#fatal-title").textContent())
      .toBe("This Connect link has been locked");
    expect(await page.getByTestId("connect-error").textContent()).toContain("ask for a new Connect link");
    await page.context().close();
  });

  it("fits a phone screen with touch-sized controls", async () => {
    const session = await openSession(world());
    const page = await phonePage();
    await page.goto(session.connect_url);
    await expect
      .poll(() => page.getByRole("heading", { name: `Connect ${provider.displayName}` }).isVisible())
      .toBe(true);
    const layout = await page.evaluate(() => ({
      overflow: document.documentElement.scrollWidth - window.innerWidth,
      controls: [...document.querySelectorAll("button, input")]
        .filter((element) => (element as HTMLElement).offsetParent !== null)
        .map((element) => element.getBoundingClientRect().height),
    }));
    expect(layout.overflow).toBeLessThanOrEqual(0);
    expect(layout.controls.length).toBeGreaterThanOrEqual(4);
    for (const height of layout.controls) expect(height).toBeGreaterThanOrEqual(44);
    await page.context().close();
  });
});
