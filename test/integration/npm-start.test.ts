/**
 * `npm start` as a newcomer runs it: embedded mode, the emulator, a first sync, the API on PORT.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/temp-store.ts";

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
    const port = await freePort();
    child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
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

    const exited = new Promise<number | null>((resolve) => child!.once("exit", resolve));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});
