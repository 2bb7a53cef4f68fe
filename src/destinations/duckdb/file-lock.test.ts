import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { afterEach, beforeEach, expect, it } from "vitest";
import { DestinationError } from "../../core/index.ts";
import { createDuckDbDestination, DuckDbFileLockedError } from "./index.ts";
import { tempDir } from "./test-fixtures.ts";

// Another process holding the file, as a second `switchyard` would.
const HOLDER = `
import { DuckDBInstance } from "@duckdb/node-api";
const instance = await DuckDBInstance.create(process.argv[1]);
await instance.connect();
console.log("ready");
setInterval(() => {}, 1000);
`;

let dir: Awaited<ReturnType<typeof tempDir>>;
let holder: ChildProcess | undefined;

beforeEach(async () => {
  dir = await tempDir();
});

afterEach(async () => {
  if (holder && holder.exitCode === null && holder.signalCode === null) {
    holder.kill();
    await once(holder, "exit");
  }
  await dir.cleanup();
});

it("fails with a DestinationError naming the other process when the file is locked", async () => {
  const path = dir.file("locked.duckdb");
  holder = spawn(process.execPath, ["--input-type=module", "-e", HOLDER, path], {
    cwd: process.cwd(),
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [chunk] = await once(holder.stdout!, "data");
  expect(String(chunk)).toContain("ready");

  const opening = createDuckDbDestination({ path });
  await expect(opening).rejects.toBeInstanceOf(DuckDbFileLockedError);
  await expect(opening).rejects.toBeInstanceOf(DestinationError);
  await expect(opening).rejects.toMatchObject({
    code: "destination_failed",
    message: expect.stringContaining("locked by another process"),
    hint: expect.stringContaining(`Another Switchyard process (PID ${holder.pid}) holds`),
  });

  holder.kill();
  await once(holder, "exit");
  const dest = await createDuckDbDestination({ path });
  expect(await dest.query("SELECT 42 AS answer")).toEqual([{ answer: 42 }]);
  await dest.close();
});
