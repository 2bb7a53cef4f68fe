import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Kysely, Migrator, SqliteDialect } from "kysely";
import { afterEach, beforeEach, expect, it } from "vitest";
import { migrationProvider } from "./index.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "switchyard-0032-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

type Entry = { sync_id: string; pk: string; hash: string | null };
const entries = (db: Kysely<Record<string, never>>) =>
  db
    .withTables<{ retl_snapshots: Entry }>()
    .selectFrom("retl_snapshots")
    .selectAll()
    .orderBy("sync_id")
    .orderBy("pk")
    .execute();

it("keeps every snapshot entry stored before it, takes removal marks, and going back drops only those", async () => {
  const db = new Kysely<Record<string, never>>({
    dialect: new SqliteDialect({ database: new Database(join(dir, "store.sqlite")) }),
  });
  try {
    const migrator = new Migrator({ db, provider: migrationProvider });
    expect((await migrator.migrateTo("0031_embedded_syncs")).error).toBeUndefined();
    const table = db.withTables<{ retl_snapshots: Entry }>();
    const old = [
      { sync_id: "embedded:conn", pk: "a", hash: "h-e" },
      { sync_id: "retl_1", pk: "a", hash: "h-a" },
      { sync_id: "retl_1", pk: "b", hash: "h-b" },
    ];
    await table.insertInto("retl_snapshots").values(old).execute();
    await expect(
      table.insertInto("retl_snapshots").values({ sync_id: "retl_1", pk: "c", hash: null }).execute(),
    ).rejects.toThrow(/NOT NULL/);

    expect((await migrator.migrateTo("0032_retl_snapshot_files")).error).toBeUndefined();
    expect(await entries(db)).toEqual(old);
    await table.insertInto("retl_snapshots").values({ sync_id: "retl_1", pk: "c", hash: null }).execute();
    // Still one entry per sync and key.
    await expect(table.insertInto("retl_snapshots").values(old[1]!).execute()).rejects.toThrow(/UNIQUE/);

    expect((await migrator.migrateTo("0031_embedded_syncs")).error).toBeUndefined();
    expect(await entries(db)).toEqual(old);
  } finally {
    await db.destroy();
  }
});
