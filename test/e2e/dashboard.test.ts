/**
 * The dashboard in real Chromium (Debian's, driven by playwright-core), against Switchyard with the HubSpot
 * emulator behind it and a scheduler running: three customers' connections, one whose provider is down (a
 * failed run, an open issue). It signs in with an API key and clicks through every page, asserting what a
 * person would see: names, counts, statuses, the error's hint, live runs. Screenshots of the pages go to
 * docs/screenshots/ (1280 px wide, and one at phone width). Needs the built dashboard (`npm run build:ui`;
 * built here when missing). Skips, saying how to enable it, when /usr/bin/chromium is not installed and CI
 * is unset.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle, ProviderDefinition } from "../../src/core/index.ts";
import { chromiumFor, launchChromium } from "../helpers/chromium.ts";
import { type ConnectWorld, startConnectWorld } from "../helpers/connect-world.ts";
import { providerWithEmulator, startEmulator } from "../helpers/emulators.ts";

const { available, suffix } = chromiumFor("dashboard browser test");

const ROOT = new URL("../../", import.meta.url);
const BUILT = new URL("web/dashboard/dist/index.html", ROOT);
const SHOTS = new URL("docs/screenshots/", ROOT);

const provider = providerWithEmulator("hubspot");
const CUSTOMERS = {
  healthy: { id: "cust-initech", email: "ops@initech.example", organization: "Initech" },
  down: { id: "cust-umbrella", email: "it@umbrella.example", organization: "Umbrella" },
  paused: { id: "cust-soylent", email: "data@soylent.example", organization: "Soylent" },
};

let world: ConnectWorld;
let browser: Browser;
let apiKey: string;
const ids = { healthy: "", down: "", paused: "" };
const contactsInEmulator = { count: 0 };
/** Waits for what a person would see; generous, as a busy CI machine renders slowly. */
function poll<T>(read: () => T | Promise<T>, options: { timeout?: number } = {}) {
  return expect.poll(read, { timeout: 15_000, interval: 100, ...options });
}

const pipedrive = providerWithEmulator("pipedrive");
let pipedriveEmulator: EmulatorHandle | undefined;
let warehouseDir: string | undefined;

/** People of Initech's warehouse, one with an email HubSpot refuses: what the reverse-ETL sync sends. */
const PEOPLE = [
  [1, "ada@initech.example", "Ada"],
  [2, "grace@initech.example", "Grace"],
  [3, "linus-at-initech.example", "Linus"],
  [4, "barbara@initech.example", "Barbara"],
  [5, "edsger@initech.example", "Edsger"],
] as const;

/**
 * A DuckDB warehouse for the world (npm start has one), holding the table the reverse-ETL model reads, its
 * rows belonging to `connectionId` (a query sees only its environment's connections' rows).
 */
async function warehouseWithPeople(connectionId: string): Promise<string> {
  warehouseDir = mkdtempSync(join(tmpdir(), "switchyard-dashboard-"));
  const path = join(warehouseDir, "warehouse.duckdb");
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  try {
    await connection.run(
      "CREATE TABLE initech_people (id INTEGER, email VARCHAR, first_name VARCHAR, _connection_id VARCHAR)",
    );
    for (const row of PEOPLE) {
      await connection.run("INSERT INTO initech_people VALUES ($1, $2, $3, $4)", [...row, connectionId]);
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return path;
}

/** Uncaught errors in the pages: none expected. */
const pageErrors: string[] = [];

async function connect(endUser: (typeof CUSTOMERS)[keyof typeof CUSTOMERS]) {
  const created = await world.dev.post("/v1/connections", {
    body: {
      provider: provider.name,
      credentials: { type: "bearer", token: world.token },
      end_user: endUser,
      config: { base_url: world.emulator.url },
    },
  });
  world.secret(created.account_token);
  return created;
}

/** Waits until every connection's sync has run once and no run is running (a minute at most). */
async function settled(): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const syncs = (await world.dev.get("/v1/syncs")).data;
    const running = (await world.dev.get("/v1/runs", { query: { status: "running" } })).data;
    if (syncs.length === 3 && syncs.every((sync) => sync.last_run_id !== null) && running.length === 0)
      return;
    if (Date.now() > deadline) throw new Error("The first syncs did not finish within a minute.");
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

beforeAll(async () => {
  if (!available) return;
  if (!existsSync(BUILT)) {
    execFileSync("npx", ["vite", "build", "--config", "web/dashboard/vite.config.ts"], {
      cwd: ROOT,
      stdio: "inherit",
    });
  }
  mkdirSync(SHOTS, { recursive: true });
  world = await startConnectWorld(provider, { scheduler: true, records: 30 });
  contactsInEmulator.count = (await world.emulator.truth("contacts")).live.size;

  ids.healthy = (await connect(CUSTOMERS.healthy)).id;
  ids.down = (await connect(CUSTOMERS.down)).id;
  ids.paused = (await connect(CUSTOMERS.paused)).id;
  // The scheduler runs each new connection's first sync at once; the counts below start once they are done.
  await settled();

  // Then the provider becomes unreachable for Umbrella: its run fails and opens a "provider down" issue.
  await world.dev.patch("/v1/connections/:id", {
    params: { id: ids.down },
    body: { config: { base_url: "http://127.0.0.1:9" } },
  });
  expect((await world.sync(ids.down, { streams: ["contacts"] })).status).toBe("failed");
  await world.dev.patch("/v1/connections/:id", { params: { id: ids.paused }, body: { status: "paused" } });

  apiKey = world.secret((await world.dev.post("/v1/api-keys", { body: { name: "dashboard" } })).secret);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await pipedriveEmulator?.close();
  if (warehouseDir) rmSync(warehouseDir, { recursive: true, force: true });
  if (!world) return;
  // The API key and account token typed into the dashboard never reach a log or the store in plain text.
  expect(await world.leakedSecrets()).toEqual([]);
  await world.close();
});

async function signedInPage(viewport: { width: number; height: number }, mobile = false): Promise<Page> {
  const context = await browser.newContext({
    viewport,
    ...(mobile ? { isMobile: true, hasTouch: true } : {}),
  });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.on("pageerror", (error) => pageErrors.push(error.message));
  // Error replies the pages handle (a provider without inbound webhooks answers 404) are not page errors.
  page.on("console", (message) => {
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource"))
      pageErrors.push(message.text());
  });
  await page.goto(`${world.url}/`);
  await page.getByLabel("API key").fill(apiKey);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Overview" }).waitFor();
  return page;
}

/** A screenshot of the viewport, or of the whole page (`fullPage`) when what matters runs below the fold. */
const shot = (page: Page, name: string, fullPage = false) =>
  page.screenshot({ path: new URL(name, SHOTS).pathname, fullPage });

/** The text of a `<dd>` after the `<dt>` named `label` (a stat card), on the page or in a part of it. */
const stat = (scope: Page | Locator, label: string) => {
  const page = "mainFrame" in scope ? scope : scope.page();
  return scope
    .locator(".stat", { has: page.locator("dt", { hasText: new RegExp(`^${label}$`) }) })
    .locator("dd");
};

describe.skipIf(!available)(`Dashboard in Chromium${suffix}`, () => {
  it("refuses a wrong API key with the API's reason, and keeps the key out of the address bar", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${world.url}/connections`);
    await page.getByLabel("API key").fill("sy_dev_not-a-real-key");
    await page.getByRole("button", { name: "Sign in" }).click();
    await poll(() => page.getByRole("alert").textContent()).toMatch(/API key/i);
    expect(page.url()).not.toContain("sy_");
    await context.close();
  });

  it("walks every page at 1280 px, as a person would", async () => {
    const page = await signedInPage({ width: 1280, height: 900 });

    // Overview: counts by provider and status, runs of the last 24 h, the open issue.
    await poll(() => stat(page, "Connections").textContent()).toBe("3");
    expect(await stat(page, "Runs succeeded").textContent()).toBe("3");
    expect(await stat(page, "Runs failed").textContent()).toBe("1");
    // A run becomes an issue once it has settled for 2 s (refresh-issues.ts) and the page refetches every 5 s,
    // so the issue of a run that failed just before the page opened shows on a later refetch.
    await poll(() => stat(page, "Open issues").textContent()).toBe("1");
    const hubspotRow = page.locator('tr[data-provider="hubspot"]');
    const byStatus = (await world.dev.get("/v1/overview")).connections.by_status;
    expect(byStatus.paused).toBe(1);
    const cells = ["active", "needs_reauth", "paused", "error"].map((status) =>
      String(byStatus[status] ?? 0),
    );
    expect(await hubspotRow.locator("td").allTextContents()).toEqual(["HubSpot", ...cells, "3"]);
    await poll(() =>
      page.getByLabel("Records synced per hour").locator("svg.recharts-surface").count(),
    ).toBeGreaterThan(0);
    await poll(() => page.locator(".issue-list").textContent()).toContain("Umbrella · HubSpot");
    await shot(page, "dashboard-overview.png");

    // Connections: the list, search and filters.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Connections" }).click();
    const rows = page.getByRole("table", { name: "Connections" }).locator("tbody tr");
    await poll(() => rows.count()).toBe(3);
    await page.getByLabel("Search").fill("umbr");
    await poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain("Umbrella");
    await page.getByLabel("Search").fill("");
    await page.getByLabel("Status").selectOption("paused");
    await poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain("Soylent");
    await page.getByLabel("Status").selectOption("");
    await page.getByLabel("End user id").fill(CUSTOMERS.healthy.id);
    await poll(() => rows.count()).toBe(1);
    await shot(page, "dashboard-connections.png");

    // Detail: streams with their status and record counts, the run, and the actions.
    await page.getByRole("link", { name: "Initech" }).click();
    await page.getByRole("heading", { name: /Initech · HubSpot/ }).waitFor();
    const contacts = page.locator('tr[data-stream="contacts"]');
    await poll(() => contacts.locator(".badge").textContent()).toBe("done");
    await poll(() => page.getByTestId("records-contacts").textContent()).toBe(
      String(contactsInEmulator.count),
    );
    const recentRuns = page.getByRole("table", { name: "Runs" }).locator("tbody tr");
    await poll(() => recentRuns.count()).toBe(1);
    expect(await recentRuns.first().locator(".badge").textContent()).toBe("succeeded");

    await page.getByRole("button", { name: "Test" }).click();
    await poll(() => page.getByRole("status").first().textContent()).toContain("HubSpot accepted");

    // Trigger: the scheduler runs it, and the page shows the new run and the new records without a reload.
    await world.emulator.mutate({ contacts: { creates: 2 } });
    const contactsNow = (await world.emulator.truth("contacts")).live.size;
    expect(contactsNow).toBe(contactsInEmulator.count + 2);
    await page.getByRole("button", { name: "Trigger sync" }).click();
    await poll(() => recentRuns.count(), { timeout: 20_000 }).toBe(2);
    await poll(() => recentRuns.first().locator(".badge").textContent(), { timeout: 20_000 }).toBe(
      "succeeded",
    );
    // Exact counts from GET /v1/records/count (no "N+" cap), refreshed when the run finished.
    await poll(() => page.getByTestId("records-contacts").textContent()).toBe(String(contactsNow));

    await page.getByRole("button", { name: "Pause", exact: true }).click();
    await poll(() => page.getByRole("heading", { level: 1 }).textContent()).toContain("paused");
    await page.getByRole("button", { name: "Resume", exact: true }).click();
    await poll(() => page.getByRole("heading", { level: 1 }).textContent()).toContain("active");

    // Re-auth link in a dialog; Escape closes it and focus returns to the button.
    await page.getByRole("button", { name: "Re-auth link" }).click();
    const dialog = page.getByRole("dialog", { name: "Re-auth link" });
    await dialog.waitFor();
    expect(await dialog.getByLabel("Connect link").inputValue()).toContain(`${world.url}/connect`);
    await page.keyboard.press("Escape");
    await poll(() => dialog.isVisible()).toBe(false);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Re-auth link");
    await shot(page, "dashboard-connection.png");

    // Delete (Soylent's), with its confirmation.
    await page.goto(`${world.url}/connections/${ids.paused}`);
    await page.getByRole("button", { name: "Delete" }).click();
    const confirm = page.getByRole("dialog", { name: /Delete Soylent's HubSpot connection/ });
    await confirm.getByRole("button", { name: "Delete connection" }).click();
    await page.getByRole("heading", { name: "Connections" }).waitFor();
    await poll(() => rows.count()).toBe(2);

    // Runs: the failed one, its error and what to do, its log and its chart.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Runs" }).click();
    const runRows = page.getByRole("table", { name: "Runs" }).locator("tbody tr");
    await poll(() => runRows.count()).toBeGreaterThanOrEqual(4);
    await page.getByLabel("Status").selectOption("failed");
    await poll(() => runRows.count()).toBe(1);
    await poll(() => runRows.first().textContent()).toContain("Umbrella · HubSpot");
    await runRows.first().getByRole("link").first().click();
    const error = page.getByRole("alert", { name: "Run error" });
    await poll(() => error.textContent()).toContain("HubSpot");
    expect(await error.textContent()).toContain("What to do:");
    await page.getByLabel("Level").selectOption("error");
    const lines = page.getByRole("list", { name: "Log lines" }).locator("li");
    await poll(() => lines.count()).toBeGreaterThan(0);
    expect(await lines.locator(".level").allTextContents()).toEqual(
      Array((await lines.count()) as number).fill("error"),
    );
    await page.getByLabel("Level").selectOption("debug");
    await page.getByLabel("Search the log").fill("Run started");
    await poll(() => lines.count()).toBe(1);
    await page.goBack();
    await page.getByLabel("Status").selectOption("succeeded");
    await poll(() => runRows.count()).toBeGreaterThanOrEqual(3);
    await runRows.last().getByRole("link").first().click();
    await poll(() => stat(page, "Records added").textContent()).not.toBe("0");
    await poll(() =>
      page.getByLabel("Run activity over time").locator("svg.recharts-surface").count(),
    ).toBeGreaterThan(0);
    await shot(page, "dashboard-run.png");

    // Records: raw beside unified.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Records" }).click();
    await page.getByLabel("Connection").selectOption(ids.healthy);
    await page.getByLabel("Stream").selectOption("contacts");
    const recordRows = page.getByRole("table", { name: "contacts records" }).locator("tbody tr");
    await poll(() => recordRows.count()).toBe(Math.min(25, contactsInEmulator.count));
    const firstId = (await recordRows.first().locator("button").textContent()) ?? "";
    await recordRows.first().locator("button").click();
    expect(await page.getByLabel("Raw record").textContent()).toContain(firstId);
    // The unified object comes with the API key alone: no account token is asked for.
    await poll(() => page.getByLabel("Unified object").textContent()).toContain(`"remote_id": "${firstId}"`);
    expect(await page.getByLabel("Account token").count()).toBe(0);
    await shot(page, "dashboard-records.png");

    // Reverse ETL: nothing set up yet, said plainly.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Reverse ETL" }).click();
    await page.getByText("No models yet").waitFor();
    await page.getByText("No reverse-ETL syncs yet").waitFor();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Flows" }).click();
    await page.getByText("No flows yet").waitFor();

    // Webhooks: HubSpot's receiving URL; an outbound endpoint added, its secret shown once.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Webhooks" }).click();
    const receiving = page.getByRole("table", { name: "Inbound webhook settings" });
    await poll(() => receiving.textContent()).toContain("HubSpot");
    await page.getByRole("tab", { name: "Outbound endpoints" }).click();
    await page.getByLabel("Endpoint URL").fill("http://127.0.0.1:9/hooks");
    await page.getByRole("button", { name: "Add endpoint" }).click();
    const secretDialog = page.getByRole("dialog", { name: "Endpoint signing secret" });
    expect(await secretDialog.getByLabel("Signing secret").inputValue()).toMatch(/^whsec_/);
    world.secret(await secretDialog.getByLabel("Signing secret").inputValue());
    await secretDialog.getByRole("button", { name: "Done" }).click();
    await poll(() => page.getByRole("table", { name: "Webhook endpoints" }).textContent()).toContain(
      "http://127.0.0.1:9/hooks",
    );

    // Settings: a key created (shown once) and revoked; a field mapping from the provider's remote fields.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
    const keys = page.getByRole("table", { name: "API keys" });
    await poll(() => keys.textContent()).toContain("dashboard");
    await page.getByLabel("Key name").fill("ci key");
    await page.getByRole("button", { name: "Create key" }).click();
    const keyDialog = page.getByRole("dialog", { name: "Your new API key" });
    const newKey = world.secret(await keyDialog.getByLabel("API key").inputValue());
    expect(newKey).toMatch(/^sy_/);
    await keyDialog.getByRole("button", { name: "I have saved it" }).click();
    const ciRow = keys.locator("tr", { hasText: "ci key" });
    await ciRow.getByRole("button", { name: "Revoke" }).click();
    await page
      .getByRole("dialog", { name: 'Revoke "ci key"?' })
      .getByRole("button", { name: "Revoke key" })
      .click();
    await poll(() => ciRow.locator(".badge").textContent()).toBe("revoked");

    await page.getByLabel("Connection (for its remote fields)").selectOption(ids.healthy);
    await page.getByLabel("Common Model").selectOption("Contact");
    const remoteField = page.getByLabel("Remote field");
    const options = await remoteField.locator("option").allTextContents();
    expect(options.length).toBeGreaterThan(0);
    await page.getByLabel("Target field name").fill("dashboard_field");
    await page.getByRole("button", { name: "Add mapping" }).click();
    await poll(() => page.getByRole("table", { name: "Field mappings" }).textContent()).toContain(
      "dashboard_field",
    );
    await shot(page, "dashboard-settings.png");

    // Issues: grouped by connection, with the cause; muting hides it until "Show muted".
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Issues" }).click();
    const group = page.locator(".card", { hasText: "Umbrella · HubSpot" });
    await poll(() => group.locator(".badge").first().textContent()).toBe("Provider down");
    await shot(page, "dashboard-issues.png");
    await group.getByRole("button", { name: "Mute" }).click();
    await page.getByText("No open issues").waitFor();
    await page.getByLabel("Muted").selectOption("any");
    await poll(() => group.getByRole("button", { name: "Unmute" }).isVisible()).toBe(true);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  }, 120_000);

  it("shows reverse ETL and flows with their runs: diff counts, the refused row, a dry run", async () => {
    // Initech's warehouse sent into its HubSpot (one row refused), and its HubSpot contacts flowing into its
    // Pipedrive: set up through the API, as docs/reverse-etl.md and docs/flows.md do.
    world.deps.warehouse = { path: await warehouseWithPeople(ids.healthy) };
    const model = await world.dev.post("/v1/reverse-etl/models", {
      body: {
        name: "initech_people",
        sql: "SELECT id, email, first_name FROM initech_people",
        primary_key: "id",
      },
    });
    await world.dev.post("/v1/reverse-etl/syncs", {
      body: {
        model_id: model.id,
        connection_id: ids.healthy,
        target: { type: "actions", create: "create_contact", update: "update_contact" },
        mapping: [
          { column: "email", field: "properties.email" },
          { column: "first_name", field: "properties.firstname" },
        ],
      },
    });
    pipedriveEmulator = await startEmulator(pipedrive, { records: 3 });
    (world.deps.providers as Record<string, ProviderDefinition>)[pipedrive.name] = pipedrive;
    const pipedriveConnection = await world.dev.post("/v1/connections", {
      body: {
        provider: pipedrive.name,
        credentials: pipedriveEmulator.credentials as never,
        end_user: CUSTOMERS.healthy,
        config: { base_url: pipedriveEmulator.url },
      },
    });
    world.secret(pipedriveConnection.account_token);
    const flow = await world.dev.post("/v1/flows", {
      body: {
        name: "initech-leads-to-pipedrive",
        from: { connection_id: ids.healthy, stream: "contacts" },
        to: {
          connection_id: pipedriveConnection.id,
          stream: "persons",
          target: { type: "actions", create: "create_person", update: "update_person" },
        },
        mapping: [
          { from: "firstname", to: "name" },
          { from: "email", to: "email", transforms: [{ op: "lowercase" }] },
        ],
      } as never,
    });

    const page = await signedInPage({ width: 1280, height: 900 });
    const nav = page.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "Reverse ETL" }).click();
    await poll(() => page.getByRole("table", { name: "Models" }).textContent()).toContain("initech_people");
    const syncRow = page.getByRole("table", { name: "Reverse-ETL syncs" }).locator("tbody tr");
    await poll(() => syncRow.textContent()).toContain("Initech · HubSpot");
    await syncRow.getByRole("button", { name: "Open" }).click();
    const runs = page.getByRole("table", { name: "Reverse-ETL runs" }).locator("tbody tr");
    await page.getByText("No runs yet").waitFor();

    // Run now: five rows added, four contacts created in HubSpot, the refused one with HubSpot's reason.
    await page.getByRole("button", { name: "Run now" }).click();
    await poll(() => runs.count()).toBe(1);
    const cells = runs.first().locator("td");
    expect(await cells.nth(1).locator(".badge").textContent()).toBe("partial");
    expect(await cells.nth(3).textContent()).toBe("5");
    expect(await cells.nth(6).textContent()).toBe("1");
    const created = [...(await world.emulator.truth("contacts")).live.values()].filter((contact) =>
      String(contact.email ?? "").endsWith("@initech.example"),
    );
    expect(created.map((contact) => contact.email).sort()).toEqual(
      PEOPLE.map((row) => row[1])
        .filter((email) => email.includes("@"))
        .sort(),
    );
    await runs.first().getByRole("button", { name: "Failed rows" }).click();
    const failed = page.getByRole("table", { name: "Failed rows" }).locator("tbody tr");
    await poll(() => failed.count()).toBe(1);
    expect(await failed.locator("td").first().textContent()).toBe("3");
    expect(await failed.textContent()).toContain("linus-at-initech.example is invalid");

    // Dry run: only the refused row would be sent again; nothing is written.
    await page.getByRole("button", { name: "Dry run" }).click();
    const preview = page.getByRole("region", { name: "Dry-run preview" });
    await poll(() => stat(preview, "Added").textContent()).toBe("1");
    expect(await stat(preview, "Unchanged").textContent()).toBe("4");
    expect(await preview.getByLabel("Preview samples").textContent()).toContain("linus-at-initech.example");
    await poll(() => runs.count()).toBe(2);
    expect(await runs.first().textContent()).toContain("dry run");
    await shot(page, "dashboard-reverse-etl.png", true);

    // Flows: the flow between Initech's two apps; Run now creates its contacts as Pipedrive persons.
    await nav.getByRole("link", { name: "Flows" }).click();
    const flowRow = page.getByRole("table", { name: "Flows" }).locator("tbody tr");
    await poll(() => flowRow.textContent()).toContain(flow.name);
    // Connections are named once their own list has loaded (until then the row shows their ids).
    await poll(() => flowRow.textContent()).toContain("Initech · Pipedrive");
    await flowRow.getByRole("button", { name: "Runs" }).click();
    const personsBefore = (await pipedriveEmulator.truth("persons")).live.size;
    await page.getByRole("button", { name: "Run now" }).click();
    const flowRuns = page.getByRole("table", { name: "Flow runs" }).locator("tbody tr");
    await poll(() => flowRuns.count()).toBe(1);
    await poll(() => flowRuns.first().locator(".badge").textContent()).toBe("succeeded");
    // What the page says was created is what Pipedrive now holds; every record read was written.
    const personsCreated = (await pipedriveEmulator.truth("persons")).live.size - personsBefore;
    expect(personsCreated).toBeGreaterThan(0);
    const flowCells = flowRuns.first().locator("td");
    expect(await flowCells.nth(3).textContent()).toBe(String(personsCreated));
    expect(await flowCells.nth(4).textContent()).toBe(String(personsCreated));
    expect(await flowCells.nth(7).textContent()).toBe("0");
    await shot(page, "dashboard-flows.png");
    expect(pageErrors).toEqual([]);
    await page.context().close();
  }, 120_000);

  it("reads at phone width and works from the keyboard", async () => {
    const page = await signedInPage({ width: 390, height: 844 }, true);
    await page.goto(`${world.url}/connections`);
    const rows = page.getByRole("table", { name: "Connections" }).locator("tbody tr");
    const connections = (await world.dev.get("/v1/connections")).data;
    await poll(() => rows.count()).toBe(connections.length);
    // Nothing but the tables scrolls sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(page, "dashboard-phone.png");
    // Keyboard: the skip link, then Tab through the navigation to Runs, Enter opens it.
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
    for (let step = 0; step < 10; step++) {
      await page.keyboard.press("Tab");
      if ((await page.evaluate(() => document.activeElement?.textContent)) === "Runs") break;
    }
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Runs" }).waitFor();

    // The reverse-ETL page, populated above, reads at phone width too (its tables scroll on their own).
    await page.goto(`${world.url}/reverse-etl`);
    await poll(() => page.getByRole("table", { name: "Models" }).textContent()).toContain("initech_people");
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    // An error state: a run that does not exist says what the API said, with Retry, reachable by keyboard.
    await page.goto(`${world.url}/runs/run_missing`);
    const problem = page.getByRole("alert");
    await poll(() => problem.textContent()).toContain("run_missing");
    const retry = problem.getByRole("button", { name: "Retry" });
    await retry.focus();
    await page.keyboard.press("Enter");
    await poll(() => problem.textContent()).toContain("run_missing");
    await page.context().close();
  });
});
