import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticateApiKey } from "../../src/app/api-keys.ts";
import { openWorkspace } from "../../src/app/workspace.ts";
import { type HubSpotEmulator, startHubSpotEmulator } from "../../src/providers/hubspot/emulator/index.ts";
import { runCli } from "../helpers/cli.ts";
import { tempDir } from "../helpers/temp-store.ts";

let emulator: HubSpotEmulator;
let dir: ReturnType<typeof tempDir>;
const TOKEN = "pat-cli-test-token-123456";

beforeAll(async () => {
  emulator = await startHubSpotEmulator({
    seed: 3,
    counts: { contacts: 250, companies: 40, deals: 60 },
    tokens: [TOKEN],
    rateLimit: { maxPerInterval: 100_000 },
  });
  dir = tempDir();
});
afterAll(async () => {
  await emulator.close();
  dir.cleanup();
});

const common = () => ["--base-url", emulator.url, "--data-dir", dir.path];

describe("switchyard CLI", () => {
  let runId = "";

  it("syncs HubSpot into the records cache and DuckDB and prints the run as JSON", async () => {
    const result = await runCli(["sync", "hubspot", "--token", TOKEN, ...common(), "--json"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const run = JSON.parse(result.stdout);
    expect(run.status).toBe("succeeded");
    expect(run.stats.recordsAdded).toBe(250 + 40 + 60);
    runId = run.id;
  });

  it("syncs incrementally with the stored token, and re-reads everything on --full-refresh", async () => {
    const incremental = await runCli(["sync", "hubspot", ...common(), "--streams", "contacts"]);
    expect(incremental.code).toBe(0);
    expect(incremental.stdout).toMatch(/succeeded: 0 added, 0 updated, 0 unchanged, 0 deleted/);

    const result = await runCli(["sync", "hubspot", ...common(), "--streams", "contacts", "--full-refresh"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/succeeded: 0 added, 0 updated, 250 unchanged, 0 deleted/);
    // The token never shows up in output.
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
  });

  it("lists runs and shows a run's log", async () => {
    const runs = await runCli(["runs", "--json", "--data-dir", dir.path]);
    expect(runs.code).toBe(0);
    const list = JSON.parse(runs.stdout) as { id: string; status: string }[];
    expect(list.map((r) => r.id)).toContain(runId);

    const logs = await runCli(["logs", runId, "--level", "debug", "--data-dir", dir.path]);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/GET .*\/crm\/v3\/objects\/contacts.* → 200/);
    expect(logs.stdout).toMatch(/Run succeeded/);
    expect(logs.stdout).not.toContain(TOKEN);
  });

  it("explains bad arguments with exit code 2", async () => {
    const badLimit = await runCli(["runs", "--limit", "zero", "--data-dir", dir.path]);
    expect(badLimit.code).toBe(2);
    expect(badLimit.stderr).toMatch(/--limit must be a whole number above 0, not "zero"/);

    const unknownProvider = await runCli(["sync", "nosuch", "--token", "x", "--data-dir", dir.path]);
    expect(unknownProvider.code).toBe(1);
    expect(unknownProvider.stderr).toMatch(/There is no provider "nosuch"/);
    expect(unknownProvider.stderr).toMatch(/hint:.*hubspot/);

    const unknownOption = await runCli(["sync", "hubspot", "--tokn", "x"]);
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toMatch(/unknown option '--tokn'/);

    const noToken = await runCli(["sync", "hubspot", "--connection", "never-stored", "--data-dir", dir.path]);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/Pass --token once/);

    const missingLog = await runCli(["logs", "run_nope", "--data-dir", dir.path]);
    expect(missingLog.code).toBe(1);
    expect(missingLog.stderr).toMatch(/Run "run_nope" does not exist/);
  });

  it("fails the run with a clear message for an unknown stream", async () => {
    const result = await runCli([
      "sync",
      "hubspot",
      ...common(),
      "--streams",
      "contacts,tickets",
      "--no-duckdb",
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/has no stream "tickets"/);
    expect(result.stderr).toMatch(/Use one of: contacts, companies, deals/);
  });

  it("fails the run with a clear message when the token is rejected", async () => {
    const result = await runCli([
      "sync",
      "hubspot",
      "--token",
      "pat-wrong-token",
      "--connection",
      "wrong",
      ...common(),
      "--no-duckdb",
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/hubspot rejected the credentials \(HTTP 401/);
    expect(result.stderr).toMatch(/switchyard logs run_/);
    expect(result.stderr).not.toContain("pat-wrong-token");
  });

  it("creates an API key for another environment that authenticates as that environment", async () => {
    const created = await runCli([
      "keys",
      "create",
      "--environment",
      "prod",
      "--data-dir",
      dir.path,
      "--json",
    ]);
    expect(created.code, created.stderr).toBe(0);
    const { secret, environment } = JSON.parse(created.stdout);
    expect(environment).toBe("prod");
    expect(secret).toMatch(/^sy_prod_/);
    const workspace = await openWorkspace({ dataDir: dir.path });
    try {
      expect((await authenticateApiKey(workspace.store.db, secret))?.environmentName).toBe("prod");
    } finally {
      await workspace.close();
    }

    const unknown = await runCli(["keys", "create", "--environment", "staging", "--data-dir", dir.path]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/There is no environment "staging"/);
  });
});
