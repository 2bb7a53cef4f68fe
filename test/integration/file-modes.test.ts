import { chmodSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openWorkspace } from "../../src/app/workspace.ts";
import { createDuckDbDestination } from "../../src/destinations/duckdb/index.ts";
import { batch, contactsTarget, record } from "../../src/destinations/duckdb/test-fixtures.ts";
import { createConnection, ensureEnvironment } from "../../src/store/index.ts";
import { tempDir } from "../helpers/temp-store.ts";

let dir: ReturnType<typeof tempDir>;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => dir.cleanup());

const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8);

it("creates the SQLite and DuckDB files and their side files 0600, like the key files", async () => {
  const dataDir = join(dir.path, "data");
  const workspace = await openWorkspace({ dataDir });
  // A long idle time keeps the warehouse open, so its write-ahead log is still there to look at.
  const warehouse = await createDuckDbDestination({ path: workspace.warehousePath, idleCloseMs: 60_000 });
  try {
    // What a sync does to the files: the store writes a connection, the warehouse commits a batch.
    const env = await ensureEnvironment(workspace.store.db, "dev");
    await createConnection(workspace.store.db, {
      environmentId: env.id,
      provider: "fake",
      sealedCredentials: "x",
    });
    await warehouse.prepare(contactsTarget());
    await warehouse.write(batch(contactsTarget(), [record({ id: "1", email: "a@example.com" })]));

    const files = readdirSync(dataDir).sort();
    // Both databases and their side files exist while open; every one of them is private.
    expect(files).toEqual(
      expect.arrayContaining([
        "encryption.key",
        "switchyard.sqlite",
        "switchyard.sqlite-shm",
        "switchyard.sqlite-wal",
        "warehouse.duckdb",
        "warehouse.duckdb.wal",
      ]),
    );
    expect(Object.fromEntries(files.map((name) => [name, modeOf(join(dataDir, name))]))).toEqual(
      Object.fromEntries(files.map((name) => [name, "600"])),
    );
  } finally {
    await warehouse.close();
    await workspace.close();
  }
  // Closing checkpoints the warehouse: the file DuckDB rewrote stays private.
  expect(modeOf(workspace.warehousePath)).toBe("600");
});

it("makes the files of a workspace made before files were private 0600 when it opens them", async () => {
  const dataDir = join(dir.path, "old");
  const first = await openWorkspace({ dataDir });
  await first.close();
  const warehouse = await createDuckDbDestination({ path: first.warehousePath });
  await warehouse.close();
  chmodSync(join(dataDir, "switchyard.sqlite"), 0o644);
  chmodSync(first.warehousePath, 0o644);

  const again = await openWorkspace({ dataDir });
  const reopened = await createDuckDbDestination({ path: again.warehousePath });
  await reopened.close();
  await again.close();
  expect(modeOf(join(dataDir, "switchyard.sqlite"))).toBe("600");
  expect(modeOf(again.warehousePath)).toBe("600");
});
