import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticateApiKey } from "../../src/app/api-keys/api-keys.ts";
import { openWorkspace } from "../../src/app/workspace.ts";
import type { EmulatorHandle } from "../../src/core/index.ts";
import { sendJson, startTestServer } from "../../src/http/test-server.ts";
import { PROBLEM_CONTENT_TYPE, problem } from "../../src/server/problem.ts";
import { ensureEnvironment, findConnection } from "../../src/store/index.ts";
import { runCli } from "../helpers/cli.ts";
import { cliWorld } from "../helpers/cli-world.ts";
import { liveRecordCount, providerWithEmulator, startEmulator } from "../helpers/emulators.ts";
import { tempDir } from "../helpers/temp-store.ts";

const TOKEN = "pat-cli-test-token-123456";
const world = cliWorld({
  provider: providerWithEmulator("hubspot"),
  emulator: { seed: 3, records: 250, token: TOKEN, unlimited: true },
});

// The emulator is on loopback: the environment must allow private addresses.
const common = () => [
  "--base-url",
  world.emulator.url,
  "--allow-private-network",
  "--data-dir",
  world.dataDir,
];

describe("switchyard CLI", () => {
  let runId = "";

  it("syncs HubSpot into the records cache and DuckDB and prints the run as JSON", async () => {
    const result = await runCli(["sync", "hubspot", "--token", TOKEN, ...common(), "--json"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const run = JSON.parse(result.stdout);
    expect(run.status).toBe("succeeded");
    expect(run.stats.recordsAdded).toBe(await liveRecordCount(world.emulator));
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
    const runs = await runCli(["runs", "--json", "--data-dir", world.dataDir]);
    expect(runs.code).toBe(0);
    const list = JSON.parse(runs.stdout) as { id: string; status: string }[];
    expect(list.map((r) => r.id)).toContain(runId);

    const logs = await runCli(["logs", runId, "--level", "debug", "--data-dir", world.dataDir]);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/GET .*\/crm\/v3\/objects\/contacts.* → 200/);
    expect(logs.stdout).toMatch(/Run succeeded/);
    expect(logs.stdout).not.toContain(TOKEN);
  });

  it("explains bad arguments with exit code 2", async () => {
    const badLimit = await runCli(["runs", "--limit", "zero", "--data-dir", world.dataDir]);
    expect(badLimit.code).toBe(2);
    expect(badLimit.stderr).toMatch(/--limit must be a whole number above 0, not "zero"/);

    const unknownProvider = await runCli(["sync", "nosuch", "--token", "x", "--data-dir", world.dataDir]);
    expect(unknownProvider.code).toBe(2);
    expect(unknownProvider.stderr).toMatch(/There is no provider "nosuch"/);
    expect(unknownProvider.stderr).toMatch(/hint:.*hubspot/);

    const unknownOption = await runCli(["sync", "hubspot", "--tokn", "x"]);
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toMatch(/unknown option '--tokn'/);

    const noToken = await runCli([
      "sync",
      "hubspot",
      "--connection",
      "never-stored",
      "--data-dir",
      world.dataDir,
    ]);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/Pass --token once/);

    const missingLog = await runCli(["logs", "run_nope", "--data-dir", world.dataDir]);
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
    expect(result.stderr).toMatch(/HubSpot rejected the credentials \(HTTP 401/);
    expect(result.stderr).toMatch(/switchyard logs run_/);
    expect(result.stderr).not.toContain("pat-wrong-token");
  });

  it("creates an API key for another environment that authenticates as that environment, or an admin key", async () => {
    const created = await runCli([
      "keys",
      "create",
      "--environment",
      "prod",
      "--data-dir",
      world.dataDir,
      "--json",
    ]);
    expect(created.code, created.stderr).toBe(0);
    const { secret, environment } = JSON.parse(created.stdout);
    expect(environment).toBe("prod");
    expect(secret).toMatch(/^sy_prod_/);
    const workspace = await openWorkspace({ dataDir: world.dataDir });
    try {
      expect(await authenticateApiKey(workspace.store.db, secret)).toMatchObject({
        environmentName: "prod",
        admin: false,
      });
    } finally {
      await workspace.close();
    }
    const admin = await runCli([
      "keys",
      "create",
      "--admin",
      "--environment",
      "dev",
      "--data-dir",
      world.dataDir,
      "--json",
    ]);
    expect(admin.code, admin.stderr).toBe(0);
    expect(JSON.parse(admin.stdout)).toMatchObject({ environment: "dev", admin: true });
    const again = await openWorkspace({ dataDir: world.dataDir });
    try {
      expect((await authenticateApiKey(again.store.db, JSON.parse(admin.stdout).secret))?.admin).toBe(true);
    } finally {
      await again.close();
    }

    const unknown = await runCli(["keys", "create", "--environment", "staging", "--data-dir", world.dataDir]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/There is no environment "staging"/);
  });
});

/** The stored config of a CLI connection, read straight from the workspace. */
async function storedConfig(dataDir: string, endUserId: string): Promise<Record<string, unknown>> {
  const workspace = await openWorkspace({ dataDir });
  try {
    const env = await ensureEnvironment(workspace.store.db, "dev");
    const row = await findConnection(workspace.store.db, {
      environmentId: env.id,
      provider: "hubspot",
      endUserId,
    });
    return JSON.parse(row!.config);
  } finally {
    await workspace.close();
  }
}

describe("switchyard sync: private addresses", () => {
  it("refuses a loopback --base-url unless the environment allows private addresses, calling nothing", async () => {
    const target = await startTestServer((_req, res) => sendJson(res, 200, { results: [] }));
    const fresh = tempDir();
    try {
      const args = ["sync", "hubspot", "--token", TOKEN, "--data-dir", fresh.path, "--no-duckdb"];
      const refused = await runCli([...args, "--base-url", target.url.replace("127.0.0.1", "localhost")]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(
        /does not send requests to localhost: it resolves to .*a loopback address/,
      );
      expect(refused.stderr).toMatch(/--allow-private-network/);
      const decimal = await runCli([...args, "--base-url", `http://2130706433:${new URL(target.url).port}`]);
      expect(decimal.stderr).toMatch(/does not send requests to 127\.0\.0\.1, a loopback address/);
      expect(target.requests).toHaveLength(0);
    } finally {
      await target.close();
      fresh.cleanup();
    }
  });
});

describe("switchyard sync: --token and --base-url", () => {
  const OTHER_TOKEN = "pat-other-emulator-token-99";
  let other: EmulatorHandle;
  let otherRecords: number;
  beforeAll(async () => {
    other = await startEmulator(providerWithEmulator("hubspot"), {
      seed: 9,
      records: 12,
      token: OTHER_TOKEN,
      unlimited: true,
    });
    otherRecords = await liveRecordCount(other);
  });
  afterAll(async () => {
    await other.close();
  });

  it("stores --base-url given without --token, and the sync goes there", async () => {
    // First stored against the first emulator, which does not know OTHER_TOKEN.
    const first = await runCli([
      "sync",
      "hubspot",
      "--token",
      OTHER_TOKEN,
      "--connection",
      "moved",
      ...common(),
      "--no-duckdb",
    ]);
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/rejected the credentials/);

    const moved = await runCli([
      "sync",
      "hubspot",
      "--connection",
      "moved",
      "--base-url",
      other.url,
      "--data-dir",
      world.dataDir,
      "--no-duckdb",
      "--json",
    ]);
    expect(moved.code, moved.stderr).toBe(0);
    expect(JSON.parse(moved.stdout).stats.recordsAdded).toBe(otherRecords);
    expect(await storedConfig(world.dataDir, "moved")).toEqual({ baseUrl: other.url });
  });

  it("keeps the stored base URL when --token comes without --base-url", async () => {
    // An unknown stream fails the run before any request, so nothing leaves loopback even before the fix.
    const result = await runCli([
      "sync",
      "hubspot",
      "--connection",
      "moved",
      "--token",
      OTHER_TOKEN,
      "--streams",
      "nosuch",
      "--data-dir",
      world.dataDir,
      "--no-duckdb",
    ]);
    expect(result.stderr).toMatch(/has no stream "nosuch"/);
    expect(await storedConfig(world.dataDir, "moved")).toEqual({ baseUrl: other.url });

    const synced = await runCli([
      "sync",
      "hubspot",
      "--connection",
      "moved",
      "--data-dir",
      world.dataDir,
      "--no-duckdb",
      "--full-refresh",
      "--json",
    ]);
    expect(synced.code, synced.stderr).toBe(0);
    // The other emulator's records again (archived ones a full refresh lists count as unchanged too).
    const stats = JSON.parse(synced.stdout).stats;
    expect(stats).toMatchObject({ recordsAdded: 0, recordsUpdated: 0 });
    expect(stats.recordsUnchanged).toBeGreaterThanOrEqual(otherRecords);
  });

  it("checks a --base-url given without --token as it checks one given with it", async () => {
    // Stored without a base URL, in an environment that keeps private addresses out. The unknown stream
    // fails each run before any request.
    const strict = ["--connection", "strict", "--environment", "strict", "--data-dir", world.dataDir];
    const stored = await runCli([
      "sync",
      "hubspot",
      "--token",
      TOKEN,
      ...strict,
      "--streams",
      "nosuch",
      "--no-duckdb",
    ]);
    expect(stored.stderr).toMatch(/has no stream "nosuch"/);

    const moved = await runCli([
      "sync",
      "hubspot",
      ...strict,
      "--base-url",
      world.emulator.url,
      "--streams",
      "nosuch",
      "--no-duckdb",
    ]);
    expect(moved.code).not.toBe(0);
    expect(moved.stderr).toMatch(/--allow-private-network/);
    expect(moved.stderr).not.toMatch(/has no stream/);
    const workspace = await openWorkspace({ dataDir: world.dataDir });
    try {
      const env = await ensureEnvironment(workspace.store.db, "strict");
      const row = await findConnection(workspace.store.db, {
        environmentId: env.id,
        provider: "hubspot",
        endUserId: "strict",
      });
      expect(JSON.parse(row!.config)).toEqual({});
    } finally {
      await workspace.close();
    }
  });

  it("says nothing listens at the base URL when the connection is refused, not that the provider is down", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const result = await runCli([
      "sync",
      "hubspot",
      "--token",
      TOKEN,
      "--connection",
      "dead",
      "--base-url",
      deadUrl,
      "--data-dir",
      world.dataDir,
      "--no-duckdb",
      "--streams",
      "companies",
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/ECONNREFUSED/);
    expect(result.stderr).toMatch(
      /hint: +Nothing accepts connections at the provider's address: check the connection's base URL/,
    );
    expect(result.stderr).not.toMatch(/down or throttling/);
  });

  it("prints each stream's own record count in its progress lines", async () => {
    const result = await runCli(world.syncArgs("--connection", "progress", "--no-duckdb"));
    expect(result.code, result.stderr).toBe(0);
    const last = (stream: string) =>
      [...result.stderr.matchAll(new RegExp(`^${stream}: (\\d+) records`, "gm"))]
        .map((m) => Number(m[1]))
        .at(-1);
    for (const stream of ["contacts", "companies", "deals"])
      expect(last(stream), stream).toBe((await world.emulator.truth(stream)).live.size);
  });
});

describe("switchyard --version", () => {
  it("prints the package's version", async () => {
    const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    const result = await runCli(["--version"]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  });
});

/**
 * A stand-in for the Switchyard API on loopback: it answers with the server's own problem documents, so the
 * CLI's handling of URLs, problems and hints can be tested without a whole server.
 */
describe("REST-backed commands", () => {
  let api: Server;
  let apiUrl = "";
  const requests: string[] = [];
  const API_KEY = "sy_dev_test_key";
  const send = (
    res: import("node:http").ServerResponse,
    status: number,
    body: unknown,
    type = "application/json",
  ) => {
    res.writeHead(status, { "content-type": type }).end(JSON.stringify(body));
  };
  beforeAll(async () => {
    api = createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      const url = new URL(req.url!, "http://x");
      if (req.headers.authorization !== `Bearer ${API_KEY}`)
        return send(res, 401, problem("unauthenticated", "The API key is not valid."), PROBLEM_CONTENT_TYPE);
      if (url.pathname === "/v1/connections")
        return send(res, 200, {
          data: [{ id: "conn_1", provider: "hubspot", status: "active", end_user: { id: "acme" } }],
          next_cursor: null,
        });
      if (url.pathname.startsWith("/v1/connections/"))
        return send(
          res,
          404,
          problem("not_found", `Connection "${url.pathname.split("/").at(-1)}" does not exist.`),
          PROBLEM_CONTENT_TYPE,
        );
      if (url.pathname === "/v1/syncs") return send(res, 200, { data: [], next_cursor: null });
      if (url.pathname === "/v1/syncs/sync_gone/trigger")
        return send(
          res,
          409,
          problem("conflict", "The sync is paused.", { hint: "Resume it with PATCH /v1/syncs/sync_gone." }),
          PROBLEM_CONTENT_TYPE,
        );
      send(res, 404, problem("not_found", "No such route."), PROBLEM_CONTENT_TYPE);
    });
    await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
    apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => api.close(resolve));
  });
  const noApiUrl = { SWITCHYARD_API_URL: undefined, SWITCHYARD_API_KEY: API_KEY };

  it("reach the API on PORT when neither --api-url nor SWITCHYARD_API_URL is set", async () => {
    const port = new URL(apiUrl).port;
    const result = await runCli(["connections", "list", "--data-dir", world.dataDir], {
      env: { ...noApiUrl, PORT: port },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^conn_1 +hubspot/);
  });

  it("say which URL they tried, and where it came from, when nothing answers", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));

    const viaPort = await runCli(["connections", "list", "--data-dir", world.dataDir], {
      env: { ...noApiUrl, PORT: String(port) },
    });
    expect(viaPort.code).toBe(1);
    expect(viaPort.stderr).toContain(`No Switchyard API answered at http://127.0.0.1:${port} (from PORT)`);
    expect(viaPort.stderr).toMatch(/hint:.*SWITCHYARD_API_URL/);

    const viaEnv = await runCli(["connections", "list", "--data-dir", world.dataDir], {
      env: { ...noApiUrl, SWITCHYARD_API_URL: `http://127.0.0.1:${port}`, PORT: "1" },
    });
    expect(viaEnv.stderr).toContain(
      `No Switchyard API answered at http://127.0.0.1:${port} (from SWITCHYARD_API_URL)`,
    );
  });

  it("syncs list --connection with an unknown connection says so and fails", async () => {
    const result = await runCli(["syncs", "list", "--connection", "conn_nope", "--api-url", apiUrl], {
      env: noApiUrl,
    });
    expect(result.code).toBe(1);
    expect(result.stdout).not.toMatch(/No syncs yet/);
    expect(result.stderr).toMatch(/Connection "conn_nope" does not exist/);
  });

  it("print a problem's title, detail and hint, or a hint of their own", async () => {
    const paused = await runCli(["syncs", "trigger", "sync_gone", "--api-url", apiUrl], { env: noApiUrl });
    expect(paused.code).toBe(1);
    expect(paused.stderr).toContain("error: Conflict (HTTP 409): The sync is paused.");
    expect(paused.stderr).toContain("hint:  Resume it with PATCH /v1/syncs/sync_gone.");

    const badKey = await runCli(["connections", "list", "--api-url", apiUrl], {
      env: { ...noApiUrl, SWITCHYARD_API_KEY: "sy_dev_wrong" },
    });
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toContain("error: Unauthenticated (HTTP 401): The API key is not valid.");
    expect(badKey.stderr).toMatch(/hint: .*--api-key.*SWITCHYARD_API_KEY/);
  });
});
