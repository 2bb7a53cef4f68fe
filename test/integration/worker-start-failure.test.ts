/**
 * A `switchyard worker` whose database refuses it connections part of the way through its start-up never
 * hangs. Its database user may hold only 6 connections, fewer than a worker's job queues want (Postgres
 * answers "too many connections", as a crowded server answers "too many clients"). Either the start-up fails
 * (a queue could not open) and the worker stops what it had started and exits 1 with the reason, or it
 * starts degraded (graphile retries its listeners) and then stops on SIGTERM. It used to print the error
 * and stay alive for good, its open queues still taking jobs and deaf to SIGTERM (a shell's `kill %1;
 * wait` never returned; docs/scale-out.md's example hung so on CI).
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { postgresAvailable } from "../helpers/postgres.ts";
import { tempDir } from "../helpers/temp-store.ts";

const available = await postgresAvailable();
const ADMIN_URL = process.env.SWITCHYARD_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const CLI = fileURLToPath(new URL("../../src/cli/index.ts", import.meta.url));

async function admin(statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

describe.skipIf(!available)("a worker that cannot finish starting", () => {
  const suffix = randomBytes(6).toString("hex");
  const role = `switchyard_limited_${suffix}`;
  const database = `switchyard_test_limited_${suffix}`;
  const dataDir = tempDir();

  afterAll(async () => {
    await admin([`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`, `DROP ROLE IF EXISTS ${role}`]);
    dataDir.cleanup();
  });

  it("exits 1 naming the reason, or starts degraded and stops on SIGTERM; never hangs", async () => {
    // Not a superuser: Postgres exempts superusers from connection limits.
    await admin([
      `CREATE ROLE ${role} LOGIN CONNECTION LIMIT 6`,
      `CREATE DATABASE ${database} OWNER ${role}`,
    ]);
    const url = new URL(ADMIN_URL);
    url.username = role;
    url.pathname = `/${database}`;
    const child = spawn(process.execPath, ["--import", "tsx", CLI, "worker", "--data-dir", dataDir.path], {
      env: { ...process.env, DATABASE_URL: url.toString(), SWITCHYARD_STOP_TIMEOUT_MS: "20000" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    // Started (degraded) or exited, whichever comes first.
    const started = new Promise<"started">((resolve) => {
      const check = () => output.includes("is taking sync jobs") && resolve("started");
      child.stdout.on("data", check);
    });
    const deadline = setTimeout(() => child.kill("SIGKILL"), 60_000);
    const first = await Promise.race([exited.then(() => "exited" as const), started]);
    if (first === "started") child.kill("SIGTERM");
    const code = await exited;
    clearTimeout(deadline);
    expect(output).toContain(`too many connections for role "${role}"`);
    if (first === "exited") {
      expect(code, `the worker failed to start but did not exit 1:\n${output}`).toBe(1);
    } else {
      // SIGTERM reached it and it stopped (0, or 1 if it could not stop cleanly within the stop timeout).
      expect([0, 1], `the worker did not stop on SIGTERM:\n${output}`).toContain(code);
    }
  }, 90_000);
});
