import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { afterEach, beforeEach, expect, it } from "vitest";
import { DestinationError } from "../../core/index.ts";
import { createDuckDbDestination, type DuckDbDestination, DuckDbFileLockedError } from "./index.ts";
import { batch, contactsTarget, record, tempDir } from "./test-fixtures.ts";

// Another process holding the file, as a second `switchyard` would; it lets go after argv[2] ms if given.
const HOLDER = `
import { DuckDBInstance } from "@duckdb/node-api";
const instance = await DuckDBInstance.create(process.argv[1]);
await instance.connect();
console.log("ready");
const holdMs = Number(process.argv[2] ?? 0);
if (holdMs > 0) setTimeout(() => { instance.closeSync(); process.exit(0); }, holdMs);
else setInterval(() => {}, 1000);
`;

// Another process reading the warehouse, as `duckdb -readonly` would: prints the row count or the error.
const READER = `
import { DuckDBInstance } from "@duckdb/node-api";
try {
  const instance = await DuckDBInstance.create(process.argv[1], { access_mode: "READ_ONLY" });
  const connection = await instance.connect();
  const result = await connection.runAndReadAll("SELECT count(*)::INTEGER AS n FROM test_contacts");
  console.log(JSON.stringify({ rows: result.getRowObjectsJS()[0].n }));
  connection.closeSync();
  instance.closeSync();
} catch (error) {
  console.log(JSON.stringify({ error: String(error.message) }));
}
`;

let dir: Awaited<ReturnType<typeof tempDir>>;
let holder: ChildProcess | undefined;
let dest: DuckDbDestination | undefined;

beforeEach(async () => {
  dir = await tempDir();
});

afterEach(async () => {
  if (holder && holder.exitCode === null && holder.signalCode === null) {
    holder.kill();
    await once(holder, "exit");
  }
  await dest?.close();
  dest = undefined;
  await dir.cleanup();
});

async function startHolder(path: string, holdMs?: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ["--input-type=module", "-e", HOLDER, path, ...(holdMs ? [String(holdMs)] : [])],
    { cwd: process.cwd(), stdio: ["ignore", "pipe", "inherit"] },
  );
  const [chunk] = await once(child.stdout!, "data");
  expect(String(chunk)).toContain("ready");
  return child;
}

/** Reads the file from another process, read-only; its answer. */
async function readFromAnotherProcess(path: string): Promise<{ rows?: number; error?: string }> {
  const child = spawn(process.execPath, ["--input-type=module", "-e", READER, path], {
    cwd: process.cwd(),
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (chunk) => {
    out += chunk;
  });
  await once(child, "exit");
  return JSON.parse(out);
}

it("fails with a DestinationError naming the other process when the file stays locked", async () => {
  const path = dir.file("locked.duckdb");
  holder = await startHolder(path);

  const opening = createDuckDbDestination({ path, lockWaitMs: 300 });
  await expect(opening).rejects.toBeInstanceOf(DuckDbFileLockedError);
  await expect(opening).rejects.toBeInstanceOf(DestinationError);
  await expect(opening).rejects.toMatchObject({
    code: "destination_failed",
    message: expect.stringContaining("locked by another process"),
    hint: expect.stringContaining(`Another process (PID ${holder.pid}) holds`),
  });

  holder.kill();
  await once(holder, "exit");
  dest = await createDuckDbDestination({ path });
  expect(await dest.query("SELECT 42 AS answer")).toEqual([{ answer: 42 }]);
});

it("waits for another process that lets the file go within lockWaitMs", async () => {
  const path = dir.file("briefly-locked.duckdb");
  holder = await startHolder(path, 400);
  dest = await createDuckDbDestination({ path, lockWaitMs: 10_000 });
  expect(await dest.query("SELECT 1 AS one")).toEqual([{ one: 1 }]);
});

it("releases the file when idle, so another process can read it, and opens it again for the next write", async () => {
  const path = dir.file("shared.duckdb");
  const target = contactsTarget();
  dest = await createDuckDbDestination({ path, idleCloseMs: 50 });
  await dest.prepare(target);
  await dest.write(batch(target, [record({ id: "1" }), record({ id: "2" })]));

  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(await readFromAnotherProcess(path)).toEqual({ rows: 2 });

  // The next run's write opens the file again and sees what is there.
  await dest.write(batch(target, [record({ id: "3" })]));
  expect(await dest.query("SELECT count(*)::INTEGER AS n FROM test_contacts")).toEqual([{ n: 3 }]);
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(await readFromAnotherProcess(path)).toEqual({ rows: 3 });
});
