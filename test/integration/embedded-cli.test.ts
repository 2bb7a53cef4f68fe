/**
 * `switchyard sources …` on a fresh data directory, as a user runs it: a source created from a JSON file,
 * a batch pushed from a file (again: no change), its records listed, and files that are not JSON or not a
 * batch refused with what was wrong and where to read about it, storing nothing.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runCli } from "../helpers/cli.ts";

let dir: string;
const file = (name: string) => join(dir, name);
const cli = async (...args: string[]) => {
  const result = await runCli(["sources", "--data-dir", join(dir, "data"), ...args]);
  return { ...result, json: result.code === 0 ? (JSON.parse(result.stdout) as unknown) : undefined };
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "switchyard-cli-sources-"));
  await writeFile(file("source.json"), JSON.stringify({ name: "users", kind: "api", primary_key: "id" }));
  await writeFile(
    file("batch.json"),
    JSON.stringify({
      records: [
        { id: "u1", email: "ada@example.com" },
        { id: 2, email: "alan@example.com" },
      ],
    }),
  );
  await writeFile(file("broken.json"), "{ not json");
  await writeFile(file("no-key.json"), JSON.stringify({ records: [{ email: "x@example.com" }] }));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

it("creates a source, pushes a batch idempotently, lists its records, and refuses bad files", async () => {
  expect((await cli("list")).json).toEqual([]);
  expect((await cli("create", file("source.json"))).json).toMatchObject({ name: "users", kind: "api" });
  expect((await cli("push", "users", file("batch.json"))).json).toEqual({
    created: 2,
    updated: 0,
    unchanged: 0,
    deleted: 0,
  });
  expect((await cli("push", "users", file("batch.json"))).json).toMatchObject({ created: 0, unchanged: 2 });

  const broken = await cli("push", "users", file("broken.json"));
  expect(broken.code).not.toBe(0);
  expect(broken.stderr).toContain("as JSON");
  expect(broken.stderr).toContain("docs/embedded-reverse-etl.md");
  const noKey = await cli("push", "users", file("no-key.json"));
  expect(noKey.code).not.toBe(0);
  expect(noKey.stderr).toContain('record 0 has no primary key "id"');

  const records = (await cli("records", "users")).json as { data: { id: string }[] };
  expect(records.data.map((r) => r.id)).toEqual(["2", "u1"]);
}, 240_000); // Seven processes, each loading the CLI: slow on a busy machine.
