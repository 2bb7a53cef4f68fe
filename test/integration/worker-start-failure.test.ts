/**
 * A `switchyard worker` that cannot finish starting exits, with the reason, instead of hanging. Here its
 * database user may hold only 6 connections, fewer than a worker's job queues need (Postgres answers "too
 * many connections", as a crowded server answers "too many clients"): the worker had opened some queues
 * when the next one failed. It used to print the error and stay alive for good, its open queues still
 * taking jobs and its SIGTERM handler gone with the failed start-up (a shell's `kill %1; wait` never
 * returned). Now it stops what it had started and exits 1.
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

  it("exits 1 naming the reason, with nothing left running", async () => {
    // Not a superuser: Postgres exempts superusers from connection limits.
    await admin([
      `CREATE ROLE ${role} LOGIN CONNECTION LIMIT 6`,
      `CREATE DATABASE ${database} OWNER ${role}`,
    ]);
    const url = new URL(ADMIN_URL);
    url.username = role;
    url.pathname = `/${database}`;
    const child = spawn(process.execPath, ["--import", "tsx", CLI, "worker", "--data-dir", dataDir.path], {
      env: { ...process.env, DATABASE_URL: url.toString() },
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
    const deadline = setTimeout(() => child.kill("SIGKILL"), 60_000);
    const code = await exited;
    clearTimeout(deadline);
    expect(code, `the worker did not exit by itself:\n${output}`).toBe(1);
    expect(output).toContain(`too many connections for role "${role}"`);
    expect(output).not.toContain("is taking sync jobs");
  }, 90_000);
});
