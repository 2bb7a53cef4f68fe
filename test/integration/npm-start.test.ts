/**
 * `npm start` as a newcomer runs it: the build, then `node dist/main.js` — embedded mode, the emulator, a
 * first sync, the API on PORT. Also the built `switchyard` command (bin/switchyard.js runs dist/).
 * The two share this file so that only one build writes dist/ at a time.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT_BIN, runCli } from "../helpers/cli.ts";
import { tempDir } from "../helpers/temp-store.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

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
  it("runs a first sync within a minute, serves /health and /v1/runs, and stops on SIGTERM", async () => {
    // The test runs the second half of the start script itself, so that SIGTERM reaches the server.
    const scripts = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts;
    const [build, startCommand] = String(scripts.start).split(" && node ");
    expect(build).toBe("npm run build --silent");
    const nodeArgs = startCommand!.split(" ");
    expect(nodeArgs.at(-1)).toBe("dist/main.js");
    const port = await freePort();
    child = spawn(process.execPath, nodeArgs, {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), SWITCHYARD_DATA_DIR: dir.path },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stderr!.on("data", (chunk) => {
      output += chunk;
    });
    const synced = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no completed sync within 60 s:\n${output}`)), 60_000);
      child!.stdout!.on("data", (chunk) => {
        output += chunk;
        const match = /Demo sync (run_\w+) (succeeded|failed)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(`${match[1]} ${match[2]}`);
        }
      });
      child!.once("exit", (code) => reject(new Error(`npm start exited (${code}):\n${output}`)));
    });
    expect(synced).toMatch(/succeeded$/);
    expect(output).toMatch(/Dev API key: +sy_dev_/);

    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok" });

    const key = readFileSync(join(dir.path, "dev-api-key"), "utf8").trim();
    const runs = await fetch(`http://127.0.0.1:${port}/v1/runs`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(runs.status).toBe(200);
    const body = (await runs.json()) as {
      data: { id: string; status: string; stats: { records_added: number } }[];
    };
    const [run] = body.data;
    expect(run?.id).toBe(synced.split(" ")[0]);
    expect(run?.status).toBe("succeeded");
    // The demo seeds 2,000 contacts, 300 companies and 600 deals.
    expect(run?.stats.records_added).toBe(2_900);

    const unauthorised = await fetch(`http://127.0.0.1:${port}/v1/runs`);
    expect(unauthorised.status).toBe(401);

    // The CLI drives the running server through the typed API client, with the dev key file.
    const api = ["--api-url", `http://127.0.0.1:${port}`, "--data-dir", dir.path, "--json"];
    const connections = await runCli(["connections", "list", ...api]);
    expect(connections.code, connections.stderr).toBe(0);
    const [demo] = JSON.parse(connections.stdout) as { id: string; provider: string }[];
    expect(demo?.provider).toBe("hubspot");
    const syncs = await runCli(["syncs", "list", "--connection", demo!.id, ...api]);
    expect(syncs.code, syncs.stderr).toBe(0);
    const [sync] = JSON.parse(syncs.stdout) as { id: string }[];
    const triggered = await runCli(["syncs", "trigger", sync!.id, "--full-refresh", ...api]);
    expect(triggered.code, triggered.stderr).toBe(0);
    expect(JSON.parse(triggered.stdout).run_requested).toMatchObject({ full_refresh: true });
    const status = await runCli(["syncs", "status", sync!.id, ...api]);
    expect(JSON.parse(status.stdout).data.map((s: { stream: string }) => s.stream)).toEqual([
      "contacts",
      "companies",
      "deals",
    ]);

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
