/**
 * The hosted Connect page in real Chromium (Debian's, driven by playwright-core), against Switchyard and the
 * HubSpot emulator on loopback: the API-key path (a wrong token shows HubSpot's own error, the right one
 * connects) and the OAuth2 path (consent in the emulator, callback, a connection whose live check passes),
 * plus the pages for used and invalid links, on a phone-sized screen and by keyboard.
 * Skips, saying how to enable it, when /usr/bin/chromium is not installed.
 */
import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConnectWorld, PRIVATE_APP_TOKEN, startConnectWorld } from "../helpers/connect-world.ts";

const CHROMIUM = "/usr/bin/chromium";
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
const available = existsSync(CHROMIUM);
const SKIP_NOTE = `${CHROMIUM} is not installed; \`apt-get install -y chromium\` enables this test`;
if (!available) console.warn(`Skipping the Connect page browser test: ${SKIP_NOTE}.`);

const END_USER = { id: "customer-browser", email: "owner@umbrella.example", organization: "Umbrella" };
/** Shaped like a private app token, so only HubSpot (the emulator) can say it is wrong. */
const WRONG_TOKEN = "pat-na1-00000000-dead-4bad-8bad-000000000000";

let world: ConnectWorld;
let browser: Browser;

beforeAll(async () => {
  if (!available) return;
  world = await startConnectWorld();
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
});
afterAll(async () => {
  if (!available) return;
  await browser.close();
  expect(await world.leakedSecrets()).toEqual([]);
  await world.close();
});

async function openSession(): Promise<{ id: string; connect_url: string }> {
  const session = await world.dev.post("/v1/connect-sessions", {
    body: { end_user: END_USER, allowed_providers: ["hubspot"] },
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

describe.skipIf(!available)(`Connect page in Chromium${available ? "" : ` (skipped: ${SKIP_NOTE})`}`, () => {
  it("API key: HubSpot's error for a wrong token, then the right token connects", async () => {
    const session = await openSession();
    const page = await phonePage();
    await page.goto(session.connect_url);
    await expect.poll(() => page.getByRole("heading", { name: "Connect HubSpot" }).isVisible()).toBe(true);
    // The token leaves the address bar once read.
    expect(page.url()).toBe(`${world.url}/connect`);
    await expect
      .poll(() => page.getByText(`For ${END_USER.email} · ${END_USER.organization}`).isVisible())
      .toBe(true);

    const input = page.getByLabel("Private app access token", { exact: true });
    await input.fill("not-a-token");
    await page.getByRole("button", { name: "Connect", exact: true }).click();
    await expect
      .poll(() => page.locator("#field-token-error").textContent())
      .toContain("This doesn't look like a Private app access token.");
    expect(await input.getAttribute("aria-invalid")).toBe("true");

    world.secret(WRONG_TOKEN);
    await input.fill(WRONG_TOKEN);
    await page.getByRole("button", { name: "Connect", exact: true }).click();
    const alert = page.getByRole("alert").first();
    await expect.poll(() => alert.textContent()).toContain("HubSpot rejected the credentials (HTTP 401");
    expect(await alert.textContent()).toContain("The access token provided is not valid.");
    expect((await world.dev.get("/v1/connections")).data).toEqual([]);

    // Keyboard: type into the field and submit with Enter.
    await input.fill("");
    await input.focus();
    await page.keyboard.type(PRIVATE_APP_TOKEN);
    await page.keyboard.press("Enter");
    await expect
      .poll(() => page.getByTestId("connect-success").textContent())
      .toContain("HubSpot is connected");

    const done = await world.dev.get("/v1/connect-sessions/:id", { params: { id: session.id } });
    expect(done.status).toBe("connected");
    const connection = await world.dev.get("/v1/connections/:id", {
      params: { id: done.connection_id ?? "" },
    });
    expect(connection).toMatchObject({ provider: "hubspot", status: "active", end_user: END_USER });
    await page.context().close();
  });

  it("OAuth2: consent in the emulator, back through the callback, and the connection's live check passes", async () => {
    const session = await openSession();
    const page = await phonePage();
    await page.goto(session.connect_url);
    const start = page.getByRole("button", { name: "Connect with HubSpot" });
    await expect.poll(() => start.isVisible()).toBe(true);
    await start.click();
    await page.waitForURL((url) => url.href.startsWith(`${world.emulator.url}/oauth/authorize`));
    const authorizeUrl = new URL(page.url());
    world.secret(authorizeUrl.searchParams.get("state") ?? "");
    expect(authorizeUrl.searchParams.get("code_challenge_method")).toBe("S256");
    await expect.poll(() => page.getByText("Switchyard test app is asking for:").isVisible()).toBe(true);
    await page.getByRole("button", { name: "Authorize" }).click();
    await page.waitForURL((url) => url.href.startsWith(`${world.url}/connect/oauth/callback`));
    world.secret(new URL(page.url()).searchParams.get("code") ?? "");
    await expect
      .poll(() => page.getByTestId("connect-success").textContent())
      .toContain("HubSpot is connected");

    const done = await world.dev.get("/v1/connect-sessions/:id", { params: { id: session.id } });
    expect(done.status).toBe("connected");
    const tested = await world.dev.post("/v1/connections/:id/test", {
      params: { id: done.connection_id ?? "" },
    });
    expect(tested.connection).toMatchObject({ status: "active", end_user: END_USER });
    const events = await world.dev.get("/v1/events", { query: { type: "connection.created" } });
    expect(events.data[0]?.data).toMatchObject({ connect_session_id: session.id });
    await page.context().close();
  });

  it("lists the providers and works by keyboard alone", async () => {
    const session = await world.dev.post("/v1/connect-sessions", { body: { end_user: END_USER } });
    world.secret(session.token);
    const page = await phonePage();
    await page.goto(session.connect_url);
    const list = page.getByRole("heading", { name: "Choose the app to connect" });
    await expect.poll(() => list.isVisible()).toBe(true);
    expect(await page.locator("#provider-list button").allTextContents()).toEqual([
      "HubSpot",
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
    const session = await openSession();
    await world.app.inject({
      method: "POST",
      url: "/connect/api/credentials",
      headers: { authorization: `Bearer ${new URL(session.connect_url).searchParams.get("token")}` },
      payload: { provider: "hubspot", fields: { token: PRIVATE_APP_TOKEN } },
    });
    const page = await phonePage();
    await page.goto(session.connect_url);
    await expect
      .poll(() => page.getByTestId("connect-error").textContent())
      .toContain("This Connect link was already used");
    await page.goto(`${world.url}/connect?token=cst_not-a-real-token`);
    await page.reload();
    await expect
      .poll(() => page.getByTestId("connect-error").textContent())
      .toContain("This Connect link is not valid");
    await page.context().close();
  });

  it("says the link is locked after 5 wrong tokens, and to ask for a new one", async () => {
    const session = await openSession();
    const token = new URL(session.connect_url).searchParams.get("token");
    for (let i = 0; i < 5; i++) {
      await world.app.inject({
        method: "POST",
        url: "/connect/api/credentials",
        remoteAddress: "192.0.2.50",
        headers: { authorization: `Bearer ${token}` },
        payload: { provider: "hubspot", fields: { token: WRONG_TOKEN } },
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
    const session = await openSession();
    const page = await phonePage();
    await page.goto(session.connect_url);
    await expect
      .poll(() => page.getByRole("button", { name: "Connect with HubSpot" }).isVisible())
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
