/**
 * docs/scale-out.md's local example (a server, two workers and the HubSpot emulator, as plain commands)
 * works as written: its three shell blocks run as one bash script, with only what must differ on a shared
 * machine changed: the database name, the data directory and the two ports (free ones), and the fixed
 * `sleep 30` replaced by waiting (up to three minutes) until every run has ended. The script must print
 * the server's first API key and three succeeded runs, stop every process with `kill` (SIGTERM) and drop
 * its database.
 */
import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { freePorts } from "../helpers/free-ports.ts";
import { postgresAvailable } from "../helpers/postgres.ts";
import { tempDir } from "../helpers/temp-store.ts";

const available = await postgresAvailable();
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DOC = readFileSync(`${ROOT}docs/scale-out.md`, "utf8");
const ADMIN_URL = process.env.SWITCHYARD_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** The `sh` blocks of the section, in order. */
function shellBlocks(section: string): string[] {
  const start = DOC.indexOf(section);
  const end = DOC.indexOf("\n### ", start + section.length);
  const text = DOC.slice(start, end < 0 ? undefined : end);
  return [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!);
}

/** Ended (and its output shown) before the test's own timeout, so that a hang says where it was. */
const EXAMPLE_DEADLINE_MS = 270_000;

/** `ps` of a process group: which of the example's processes were still there. */
function processesOf(groupId: number): string {
  try {
    const table = execFileSync("ps", ["-eo", "pgid=,pid=,stat=,etime=,args="], { encoding: "utf8" });
    return table
      .split("\n")
      .filter((line) => line.trim().split(/\s+/)[0] === String(groupId))
      .join("\n");
  } catch (error) {
    return `(ps failed: ${(error as Error).message})`;
  }
}

describe.skipIf(!available)("docs/scale-out.md's local example", () => {
  it("runs as written: three succeeded runs, every process stopped, the database dropped", async () => {
    const blocks = shellBlocks("### Local example: a server and two workers");
    expect(blocks.length, "the example's shell blocks").toBe(3);
    const database = `switchyard_scale_${process.pid}`;
    const dataDir = tempDir();
    const [emulatorPort, apiPort] = await freePorts(2);
    const admin = new URL(ADMIN_URL);
    const waitForRuns = [
      "for attempt in $(seq 1 180); do",
      '  statuses=$(curl -s -H "Authorization: Bearer $EMULATORS_KEY" $API/v1/runs \\',
      '    | node -pe \'JSON.parse(require("fs").readFileSync(0, "utf8")).data.map((run) => run.status).join(" ")\')',
      '  case "$statuses" in *running*|"") sleep 1 ;; *) [ $(echo $statuses | wc -w) -ge 3 ] && break; sleep 1 ;; esac',
      "done",
    ].join("\n");
    // Each block says when it starts, so a run that hangs says where.
    const marked = blocks.flatMap((block, n) => [
      `echo "[example] block ${n + 1} of ${blocks.length}"`,
      block,
    ]);
    const script = ["set -u", ...marked]
      .join("\n")
      .replaceAll("postgres://postgres@127.0.0.1:5432", `${admin.protocol}//${admin.username}@${admin.host}`)
      .replaceAll("switchyard_scale", database)
      .replaceAll(".switchyard-scale", dataDir.path)
      .replaceAll("4110", String(emulatorPort))
      .replaceAll("3100", String(apiPort))
      .replace("sleep 30", waitForRuns);
    expect(script).not.toContain("sleep 30");
    try {
      const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
        // Its own process group, so that a hung example is stopped whole (the servers it started too)
        // rather than left running beside the rest of the suite.
        const child = spawn("bash", ["-c", script], {
          cwd: ROOT,
          stdio: ["ignore", "pipe", "pipe"],
          detached: true,
        });
        let output = "";
        child.stdout.on("data", (chunk) => {
          output += chunk;
        });
        child.stderr.on("data", (chunk) => {
          output += chunk;
        });
        const deadline = setTimeout(() => {
          output += `\n[test] the example had not ended after ${EXAMPLE_DEADLINE_MS / 1000} s: its processes:\n`;
          output += processesOf(child.pid!);
          process.kill(-child.pid!, "SIGKILL");
        }, EXAMPLE_DEADLINE_MS);
        child.once("exit", (code) => {
          clearTimeout(deadline);
          resolve({ code, output });
        });
      });
      expect(result.output).toContain("Dev API key");
      expect(result.output).toContain("succeeded succeeded succeeded");
      expect(result.output).toMatch(/Sync sync_\S+: run run_\S+ succeeded: \d+ added/);
      expect(result.code, result.output).toBe(0);
      const client = new pg.Client({ connectionString: ADMIN_URL });
      await client.connect();
      const { rows } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
      await client.end();
      expect(rows, "the example drops its database").toEqual([]);
    } finally {
      const client = new pg.Client({ connectionString: ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await client.end();
      dataDir.cleanup();
    }
  }, 300_000);
});
