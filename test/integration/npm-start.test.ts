/**
 * `npm start` as a newcomer runs it: the build, then `node dist/main.js` — embedded mode, an emulator and a
 * demo connection per provider, a first sync of each, the API on PORT. Also the built `switchyard` command (bin/switchyard.js runs dist/).
 * The two share this file so that only one build writes dist/ at a time.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { providers } from "../../src/providers/registry.ts";
import { BUILT_BIN, runCli } from "../helpers/cli.ts";
import { freePort, freePorts } from "../helpers/free-ports.ts";
import { tempDir } from "../helpers/temp-store.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

const dir = tempDir();
let child: ChildProcess | undefined;
beforeAll(async () => {
  // What `npm start` does first. tsc prints type errors on stdout; a failed build fails every test here.
  try {
    await promisify(execFile)("npm", ["run", "build", "--silent"], { cwd: ROOT });
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(`npm run build failed:\n${stdout}${stderr}`);
  }
}, 300_000);
afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child!.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
  dir.cleanup();
});

describe("npm start", () => {
  it("runs a first sync of every provider's demo connection, serves /health and /v1/runs, and stops on SIGTERM", async () => {
    // The test runs the second half of the start script itself, so that SIGTERM reaches the server.
    const scripts = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts;
    const [build, startCommand] = String(scripts.start).split(" && node ");
    // The server's build, then the dashboard's (the e2e dashboard test covers what the latter serves).
    expect(build).toBe("npm run build --silent && npm run build:ui --silent");
    const nodeArgs = startCommand!.split(" ");
    expect(nodeArgs.at(-1)).toBe("dist/main.js");
    const [port, emulatorPort] = await freePorts(2);
    child = spawn(process.execPath, nodeArgs, {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        SWITCHYARD_DATA_DIR: dir.path,
        // Not the default port, which another Switchyard on this machine may hold.
        SWITCHYARD_EMULATOR_PORT: String(emulatorPort),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stderr!.on("data", (chunk) => {
      output += chunk;
    });
    // Every provider that declares an emulator is in the demo, each with its own emulator and connection.
    const demoProviders = Object.values(providers).filter((provider) => provider.emulator !== undefined);
    expect(demoProviders.length).toBeGreaterThanOrEqual(3);
    const demoRun = (displayName: string) =>
      new RegExp(`${displayName} demo sync (run_\\w+) (succeeded|failed)`);
    const synced = await new Promise<Map<string, string>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no completed syncs within 90 s:\n${output}`)), 90_000);
      child!.stdout!.on("data", (chunk) => {
        output += chunk;
        const runs = demoProviders.map((provider) => demoRun(provider.displayName).exec(output));
        if (runs.every(Boolean)) {
          clearTimeout(timer);
          resolve(new Map(runs.map((match, i) => [demoProviders[i]!.name, `${match![1]} ${match![2]}`])));
        }
      });
      child!.once("exit", (code) => reject(new Error(`npm start exited (${code}):\n${output}`)));
    });
    for (const [provider, run] of synced) expect(run, provider).toMatch(/succeeded$/);
    expect(output).toMatch(/Dev API key: +sy_dev_/);

    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok" });

    const key = readFileSync(join(dir.path, "dev-api-key"), "utf8").trim();
    const get = (path: string, headers: Record<string, string> = {}) =>
      fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: `Bearer ${key}`, ...headers } });
    const runs = await get("/v1/runs");
    expect(runs.status).toBe(200);
    const body = (await runs.json()) as {
      data: { id: string; status: string; stats: { records_added: number } }[];
    };
    const runOf = (provider: string) => body.data.find((r) => r.id === synced.get(provider)!.split(" ")[0]);
    for (const provider of demoProviders) {
      expect(runOf(provider.name)?.status, provider.name).toBe("succeeded");
      expect(runOf(provider.name)?.stats.records_added, provider.name).toBeGreaterThan(0);
    }
    // HubSpot's demo seeds 2,000 contacts, 300 companies and 600 deals (and its owners).
    expect(runOf("hubspot")?.stats.records_added).toBeGreaterThanOrEqual(2_900);
    const run = runOf("hubspot");

    const unauthorised = await fetch(`http://127.0.0.1:${port}/v1/runs`);
    expect(unauthorised.status).toBe(401);

    // The CLI drives the running server through the typed API client, with the dev key file.
    const api = ["--api-url", `http://127.0.0.1:${port}`, "--data-dir", dir.path, "--json"];
    const connections = await runCli(["connections", "list", ...api]);
    expect(connections.code, connections.stderr).toBe(0);
    const demoConnections = JSON.parse(connections.stdout) as { id: string; provider: string }[];
    expect(demoConnections.map((connection) => connection.provider).sort()).toEqual(
      demoProviders.map((provider) => provider.name).sort(),
    );
    for (const connection of demoConnections) {
      // The banner names each connection, and its account token file opens the unified API on it.
      expect(output).toContain(connection.id);
      const accountToken = readFileSync(
        join(dir.path, `${connection.provider}-account-token`),
        "utf8",
      ).trim();
      const details = await get("/api/crm/v1/account-details", { "x-account-token": accountToken });
      expect(details.status, connection.provider).toBe(200);
      expect(await details.json()).toMatchObject({ integration_slug: connection.provider });
    }
    const demo = demoConnections.find((connection) => connection.provider === "hubspot");
    const syncs = await runCli(["syncs", "list", "--connection", demo!.id, ...api]);
    expect(syncs.code, syncs.stderr).toBe(0);
    const [sync] = JSON.parse(syncs.stdout) as { id: string }[];
    const triggered = await runCli(["syncs", "trigger", sync!.id, "--full-refresh", ...api]);
    expect(triggered.code, triggered.stderr).toBe(0);
    expect(JSON.parse(triggered.stdout).run_requested).toMatchObject({ full_refresh: true });
    const status = await runCli(["syncs", "status", sync!.id, ...api]);
    expect(JSON.parse(status.stdout).data.map((s: { stream: string }) => s.stream)).toEqual(
      providers.hubspot!.streams.map((stream) => stream.name),
    );

    const exited = new Promise<number | null>((resolve) => child!.once("exit", resolve));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);

    const noServer = await runCli([
      "connections",
      "list",
      "--api-url",
      `http://127.0.0.1:${port}`,
      "--data-dir",
      dir.path,
    ]);
    expect(noServer.code).toBe(1);
    expect(noServer.stderr).toMatch(/No Switchyard API answered/);

    // The built command reads the same workspace.
    const builtRuns = await runCli(["runs", "--data-dir", dir.path, "--json"], { bin: BUILT_BIN });
    expect(builtRuns.code, builtRuns.stderr).toBe(0);
    const listed = JSON.parse(builtRuns.stdout) as { id: string; status: string }[];
    expect(listed.find((r) => r.id === run!.id)?.status).toBe("succeeded");
  });
});

/** `node dist/main.js` as `npm start` runs it, with its output collected and awaitable. */
function startSwitchyard(env: NodeJS.ProcessEnv) {
  const scripts = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts;
  const nodeArgs = String(scripts.start).split(" && node ")[1]!.split(" ");
  const process_ = spawn(process.execPath, nodeArgs, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const waiters = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    output += chunk;
    for (const check of waiters) check();
  };
  process_.stdout!.on("data", collect);
  process_.stderr!.on("data", collect);
  const exited = new Promise<number | null>((resolve) => process_.once("exit", resolve));
  return {
    process: process_,
    exited,
    output: () => output,
    /** Resolves with the first match of `pattern` in the output from `from` on. */
    waitFor(pattern: RegExp, from = 0, timeoutMs = 60_000): Promise<RegExpExecArray> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => done(new Error(`no ${pattern} within ${timeoutMs} ms:\n${output}`)),
          timeoutMs,
        );
        const check = () => {
          const match = pattern.exec(output.slice(from));
          if (match) done(undefined, match);
        };
        const done = (error?: Error, match?: RegExpExecArray) => {
          clearTimeout(timer);
          waiters.delete(check);
          if (error) reject(error);
          else resolve(match!);
        };
        waiters.add(check);
        void exited.then((code) => done(new Error(`npm start exited (${code}):\n${output}`)));
        check();
      });
    },
    async stop(): Promise<number | null> {
      if (process_.exitCode === null && process_.signalCode === null) process_.kill("SIGTERM");
      return exited;
    },
    /** Its exit code when it exits by itself within `ms`; otherwise it is stopped and this says so. */
    async exitWithin(ms: number): Promise<number | null | "still running"> {
      const timeout = new Promise<"still running">((resolve) => setTimeout(resolve, ms, "still running"));
      const result = await Promise.race([exited, timeout]);
      if (result === "still running") await this.stop();
      return result;
    },
  };
}

describe("npm start, stopped and started again", () => {
  const restartDir = tempDir();
  afterAll(() => restartDir.cleanup());

  it("keeps the emulator's port and data: syncs still succeed and the cache equals the emulator", async () => {
    const [apiPort, emulatorPort] = await freePorts(2);
    const env = {
      PORT: String(apiPort),
      SWITCHYARD_DATA_DIR: restartDir.path,
      SWITCHYARD_EMULATOR_PORT: String(emulatorPort),
      // One provider is enough here (each emulator's journal is tested in src/demo), and it shows the subset.
      SWITCHYARD_DEMO_PROVIDERS: "hubspot",
      // The emulator's saved state keeps its own changes, not writes made through its API, so the demo's
      // reverse-ETL writes would make the restarted emulator's data differ (docs/reverse-etl.md).
      SWITCHYARD_DEMO_RETL: "off",
    };
    const api = `http://127.0.0.1:${apiPort}`;
    const first = startSwitchyard(env);
    try {
      await first.waitFor(/HubSpot demo sync run_\w+ succeeded/);
      const emulatorUrl = (await first.waitFor(/HubSpot emulator: (\S+)/))[1]!;
      expect(emulatorUrl).toBe(`http://127.0.0.1:${emulatorPort}`);
      const key = readFileSync(join(restartDir.path, "dev-api-key"), "utf8").trim();
      const call = async (method: string, path: string, body?: unknown) => {
        const response = await fetch(`${api}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${key}`,
            ...(body ? { "content-type": "application/json" } : {}),
          },
          ...(body ? { body: JSON.stringify(body) } : {}),
        });
        const json = await response.json();
        expect(response.ok, JSON.stringify(json)).toBe(true);
        return json as Record<string, unknown> & { id: string };
      };
      // A connection made the way docs/connect.md does it: the emulator's URL and its demo token.
      const connection = await call("POST", "/v1/connections", {
        provider: "hubspot",
        credentials: { type: "bearer", token: "pat-demo-switchyard-0000" },
        end_user: { id: "followed-the-docs" },
        config: { base_url: emulatorUrl },
      });
      // Creating a connection gives it a sync of every stream.
      const [docsSync] = (await call("GET", `/v1/syncs?connection_id=${connection.id}`)).data as {
        id: string;
      }[];
      // The demo's second run changes the emulator's data first (updates, creates, archives).
      const demoConnection = await demoConnectionId(call);
      const [demoSync] = (await call("GET", `/v1/syncs?connection_id=${demoConnection}`)).data as {
        id: string;
      }[];
      const mark = first.output().length;
      await call("POST", `/v1/syncs/${demoSync!.id}/trigger`, {});
      await first.waitFor(/HubSpot incremental sync run_\w+ succeeded/, mark);
      expect(await first.stop()).toBe(0);

      const second = startSwitchyard(env);
      try {
        await second.waitFor(/HubSpot demo sync run_\w+ succeeded/);
        expect((await second.waitFor(/HubSpot emulator: (\S+)/))[1]).toBe(emulatorUrl);
        expect(second.output()).toContain("same data as at the last stop");
        await expectCacheEqualsEmulator(restartDir.path, demoConnection!, emulatorUrl);

        // The connection made before the restart still reaches the emulator.
        await call("POST", `/v1/syncs/${docsSync!.id}/trigger`, {});
        const docsRun = await waitForRun(call, docsSync!.id);
        expect(docsRun.status, JSON.stringify(docsRun.error)).toBe("succeeded");
        await expectCacheEqualsEmulator(restartDir.path, connection.id, emulatorUrl);

        // The emulator's port is taken now: a second start says so and which setting to change.
        const other = tempDir();
        try {
          const blocked = startSwitchyard({
            ...env,
            PORT: String(await freePort()),
            SWITCHYARD_DATA_DIR: other.path,
          });
          expect(await blocked.exitWithin(30_000), blocked.output()).toBe(1);
          expect(blocked.output()).toContain(
            `Port ${emulatorPort} on 127.0.0.1, where the HubSpot emulator listens, is taken.`,
          );
          expect(blocked.output()).toMatch(/SWITCHYARD_EMULATOR_PORT/);
        } finally {
          other.cleanup();
        }

        // A record written through the emulator's API is not in its change journal: the next start cannot
        // replay it, so every sync on the emulator re-reads everything once, and the caches follow.
        const created = await fetch(`${emulatorUrl}/crm/v3/objects/contacts`, {
          method: "POST",
          headers: { authorization: "Bearer pat-demo-switchyard-0000", "content-type": "application/json" },
          body: JSON.stringify({ properties: { email: "written-through-the-api@example.com" } }),
        });
        expect(created.status).toBe(201);
        const beforeStop = second.output().length;
        await call("POST", `/v1/syncs/${docsSync!.id}/trigger`, {});
        await waitForRun(call, docsSync!.id);
        expect(await second.stop()).toBe(0);
        expect(second.output().slice(beforeStop)).not.toMatch(/failed/);

        const third = startSwitchyard(env);
        const restarted = Date.now();
        try {
          await third.waitFor(/HubSpot demo sync run_\w+ succeeded/);
          expect(third.output()).toContain("the syncs reading from it re-read everything once");
          const docsRefresh = await waitForRun(call, docsSync!.id, restarted);
          expect(docsRefresh.status, JSON.stringify(docsRefresh.error)).toBe("succeeded");
          expect(docsRefresh.full_refresh).toBe(true);
          await expectCacheEqualsEmulator(restartDir.path, demoConnection!, emulatorUrl);
          await expectCacheEqualsEmulator(restartDir.path, connection.id, emulatorUrl);
        } finally {
          await third.stop();
        }
      } finally {
        if (second.process.exitCode === null) await second.stop();
      }
    } finally {
      if (first.process.exitCode === null) await first.stop();
    }
  }, 240_000);
});

describe("npm start with an OAuth app of its own", () => {
  it("sends Connect's HubSpot OAuth to the app in SWITCHYARD_HUBSPOT_CLIENT_ID/_SECRET, not the emulator", async () => {
    const dataDir = tempDir();
    const [apiPort, emulatorPort] = await freePorts(2);
    const publicUrl = "https://switchyard.example.com";
    const started = startSwitchyard({
      PORT: String(apiPort),
      SWITCHYARD_DATA_DIR: dataDir.path,
      SWITCHYARD_EMULATOR_PORT: String(emulatorPort),
      SWITCHYARD_PUBLIC_URL: publicUrl,
      SWITCHYARD_HUBSPOT_CLIENT_ID: "my-hubspot-app-id",
      SWITCHYARD_HUBSPOT_CLIENT_SECRET: "my-hubspot-app-secret-000",
    });
    try {
      await started.waitFor(/Look at it/);
      expect(started.output()).toContain(
        `your OAuth app my-hubspot-app-id (SWITCHYARD_HUBSPOT_CLIENT_ID); its redirect URL must be ${publicUrl}/connect/oauth/callback`,
      );
      const key = readFileSync(join(dataDir.path, "dev-api-key"), "utf8").trim();
      const api = `http://127.0.0.1:${apiPort}`;
      const session = (await (
        await fetch(`${api}/v1/connect-sessions`, {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: JSON.stringify({ end_user: { id: "customer-1" } }),
        })
      ).json()) as { token: string };
      const start = await fetch(`${api}/connect/api/oauth/start`, {
        method: "POST",
        headers: { authorization: `Bearer ${session.token}`, "content-type": "application/json" },
        body: JSON.stringify({ provider: "hubspot" }),
      });
      const body = (await start.json()) as { authorize_url: string };
      expect(start.status, JSON.stringify(body)).toBe(200);
      // The browser would go to HubSpot itself; the test only reads the address.
      const authorize = new URL(body.authorize_url);
      expect(`${authorize.origin}${authorize.pathname}`).toBe("https://app.hubspot.com/oauth/authorize");
      expect(authorize.searchParams.get("client_id")).toBe("my-hubspot-app-id");
      expect(authorize.searchParams.get("redirect_uri")).toBe(`${publicUrl}/connect/oauth/callback`);
      expect(started.output()).not.toContain("my-hubspot-app-secret-000");
    } finally {
      await started.stop();
      dataDir.cleanup();
    }
  }, 120_000);

  it("refuses to start with half an app", async () => {
    const dataDir = tempDir();
    const started = startSwitchyard({
      PORT: String(await freePort()),
      SWITCHYARD_DATA_DIR: dataDir.path,
      SWITCHYARD_EMULATOR_PORT: "0",
      SWITCHYARD_HUBSPOT_CLIENT_ID: "my-hubspot-app-id",
    });
    try {
      expect(await started.exitWithin(30_000), started.output()).toBe(1);
      expect(started.output()).toMatch(
        /SWITCHYARD_HUBSPOT_CLIENT_ID is set but SWITCHYARD_HUBSPOT_CLIENT_SECRET is not/,
      );
    } finally {
      dataDir.cleanup();
    }
  }, 60_000);
});

type Call = (
  method: string,
  path: string,
  body?: unknown,
) => Promise<Record<string, unknown> & { id: string }>;

/** The id of the HubSpot connection `npm start` makes for its demo customer. */
async function demoConnectionId(call: Call): Promise<string | undefined> {
  const connections = (await call("GET", "/v1/connections")).data as {
    id: string;
    provider: string;
    end_user: { id: string };
  }[];
  return connections.find((c) => c.end_user.id === "demo-customer" && c.provider === "hubspot")?.id;
}

/** The newest run of a sync once it has finished (polling the API). */
async function waitForRun(call: Call, syncId: string, since = Date.now()) {
  for (let i = 0; i < 120; i++) {
    const [run] = (await call("GET", `/v1/runs?sync_id=${syncId}`)).data as {
      status: string;
      started_at: string;
      full_refresh: boolean;
      error: unknown;
    }[];
    if (run && Date.parse(run.started_at) >= since - 1000 && run.status !== "running") return run;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`no finished run of ${syncId} within 60 s`);
}

/** Every stream's live records in the records cache are the emulator's: same ids, same updatedAt. */
async function expectCacheEqualsEmulator(dataDir: string, connectionId: string, emulatorUrl: string) {
  const db = new Database(join(dataDir, "switchyard.sqlite"), { readonly: true });
  try {
    for (const stream of ["contacts", "companies", "deals"]) {
      const truth = (await (await fetch(`${emulatorUrl}/_emulator/ground-truth/${stream}`)).json()) as {
        records: { id: string; updatedAt: string }[];
      };
      const cached = db
        .prepare("SELECT pk, payload FROM records WHERE connection_id = ? AND stream = ? AND deleted = 0")
        .all(connectionId, stream) as { pk: string; payload: string }[];
      const updatedAt = (payload: string) => (JSON.parse(payload) as { updatedAt?: string }).updatedAt;
      expect(
        cached.map((row) => `${row.pk} ${updatedAt(row.payload)}`).sort(),
        `${stream} of ${connectionId}`,
      ).toEqual(truth.records.map((record) => `${record.id} ${record.updatedAt}`).sort());
    }
  } finally {
    db.close();
  }
}

describe("the built switchyard command", () => {
  it("prints its help and lists runs through bin/switchyard.js", async () => {
    const help = await runCli(["--help"], { bin: BUILT_BIN });
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Usage: switchyard /);
    expect(help.stdout).toMatch(/sync \[options\] <provider>/);

    const empty = tempDir();
    try {
      const runs = await runCli(["runs", "--data-dir", empty.path, "--json"], { bin: BUILT_BIN });
      expect(runs.code, runs.stderr).toBe(0);
      expect(JSON.parse(runs.stdout)).toEqual([]);
    } finally {
      empty.cleanup();
    }
  });

  it("runs when dist/cli/index.js is started directly", async () => {
    const help = await runCli(["--help"], { bin: join(ROOT, "dist/cli/index.js") });
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Usage: switchyard /);
  });

  it("says to run npm run build when there is no build", async () => {
    const checkout = tempDir();
    try {
      writeFileSync(join(checkout.path, "package.json"), '{ "type": "module" }\n');
      mkdirSync(join(checkout.path, "bin"));
      copyFileSync(BUILT_BIN, join(checkout.path, "bin/switchyard.js"));
      const result = await runCli(["--help"], { bin: join(checkout.path, "bin/switchyard.js") });
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toBe(
        "error: Switchyard is not built (dist/cli/index.js is missing). Run `npm run build` first.",
      );
    } finally {
      checkout.cleanup();
    }
  });
});
