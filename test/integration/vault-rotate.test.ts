import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openConnection, upsertConnection } from "../../src/app/connections/connections.ts";
import { openWorkspace } from "../../src/app/workspace.ts";
import { getConnection } from "../../src/store/index.ts";
import { readKeyRing, Vault } from "../../src/vault/index.ts";
import { runCli } from "../helpers/cli.ts";
import { tempDir } from "../helpers/temp-store.ts";

const SECRETS = ["pat-rotate-alpha-111", "pat-rotate-beta-222", "pat-rotate-gamma-333"];
let dir: ReturnType<typeof tempDir>;
const ids: string[] = [];
let oldKeyId = "";

beforeAll(async () => {
  dir = tempDir();
  const workspace = await openWorkspace({ dataDir: dir.path });
  for (const [i, token] of SECRETS.entries()) {
    const row = await upsertConnection(workspace, {
      environment: "dev",
      provider: "hubspot",
      endUserId: `user-${i}`,
      credentials: { type: "bearer", token },
    });
    ids.push(row.id);
  }
  oldKeyId = workspace.vault.currentKeyId;
  await workspace.close();
});
afterAll(() => dir.cleanup());

async function openAll(vault?: Vault): Promise<string[]> {
  const workspace = await openWorkspace({ dataDir: dir.path });
  try {
    const tokens: string[] = [];
    for (const id of ids) {
      const { credentials } = openConnection(
        vault ?? workspace.vault,
        await getConnection(workspace.store.db, id),
      );
      tokens.push(credentials.type === "bearer" ? credentials.token : "");
    }
    return tokens;
  } finally {
    await workspace.close();
  }
}

describe("switchyard vault rotate", () => {
  it("re-seals every secret under a new key while a running process keeps reading them", async () => {
    // A process that started before the rotation and keeps running through it.
    const running = await openWorkspace({ dataDir: dir.path });
    const result = await runCli(["vault", "rotate", "--data-dir", dir.path, "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ resealed: 3, current: 0 });
    expect(report.keyId).not.toBe(oldKeyId);

    const row = await getConnection(running.store.db, ids[0]!);
    expect(row.credentials.split(".")[1]).toBe(report.keyId);
    // The running process meets the new key id, reloads its key files, and reads on.
    expect(openConnection(running.vault, row).credentials).toEqual({ type: "bearer", token: SECRETS[0] });
    await running.close();
  });

  it("forgets the old key once asked, and every secret still opens with the new key alone", async () => {
    const result = await runCli(["vault", "rotate", "--data-dir", dir.path, "--forget-previous"]);
    expect(result.code, result.stderr).toBe(0);
    const ring = readKeyRing({ dataDir: dir.path, env: {} });
    expect(ring?.previous).toEqual([]);
    expect(await openAll(new Vault({ current: ring!.current, previous: [] }))).toEqual(SECRETS);

    const bytes = readFileSync(join(dir.path, "switchyard.sqlite"));
    for (const secret of SECRETS) expect(bytes.includes(Buffer.from(secret))).toBe(false);
  });

  it("explains what to do when the key comes from the environment without the previous one", async () => {
    const result = await runCli(["vault", "rotate", "--data-dir", dir.path], {
      env: { SWITCHYARD_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64") },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/SWITCHYARD_PREVIOUS_ENCRYPTION_KEYS/);
  });
});
