/**
 * `switchyard retl …` and `switchyard flows …` on a fresh data directory: lists answer JSON for the given
 * environment, and a definition file that is not JSON, or not a definition, is refused with what was wrong
 * and where to read about it — the command fails, nothing is saved.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "switchyard-cli-groups-"));
  await writeFile(join(dir, "broken.json"), "{ not json");
  await writeFile(join(dir, "wrong.json"), JSON.stringify({ name: 7 }));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe.each([
  {
    group: "retl",
    list: ["syncs"],
    create: "sync-create",
    what: "reverse-ETL sync",
    doc: "docs/reverse-etl.md",
  },
  { group: "flows", list: ["list"], create: "create", what: "flow", doc: "docs/flows.md" },
])("switchyard $group", ({ group, list, create, what, doc }) => {
  const dataDir = () => ["--data-dir", join(dir, "data")];

  it("lists as JSON, empty on a new workspace", async () => {
    const listed = await runCli([group, ...list, ...dataDir()]);
    expect(listed.stderr).toBe("");
    expect(listed.code).toBe(0);
    const answer = JSON.parse(listed.stdout) as unknown;
    expect(Array.isArray(answer) ? answer : (answer as { data: unknown[] }).data).toEqual([]);
  });

  it("refuses a definition file that is not JSON, or not a definition, saying why and where to look", async () => {
    const broken = await runCli([group, create, join(dir, "broken.json"), ...dataDir()]);
    expect(broken.code).not.toBe(0);
    expect(broken.stderr).toContain(`Cannot read ${join(dir, "broken.json")} as JSON`);
    expect(broken.stderr).toContain(doc);
    const wrong = await runCli([group, create, join(dir, "wrong.json"), ...dataDir()]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain(`is not a ${what} definition`);
    const after = await runCli([group, ...list, ...dataDir()]);
    const answer = JSON.parse(after.stdout) as unknown;
    expect(Array.isArray(answer) ? answer : (answer as { data: unknown[] }).data).toEqual([]);
  });
});
