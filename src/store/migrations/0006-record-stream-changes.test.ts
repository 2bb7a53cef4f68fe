import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Kysely, Migrator, SqliteDialect } from "kysely";
import { afterEach, beforeEach, expect, it } from "vitest";
import { openStore } from "../open-store.ts";
import { readStreamChangedAt } from "../repositories/records.ts";
import { migrationProvider } from "./index.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "switchyard-0006-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

it("gives records cached before it their stream's latest change, so destinations catch up on them", async () => {
  const path = join(dir, "store.sqlite");
  const before = new Kysely<Record<string, never>>({
    dialect: new SqliteDialect({ database: new Database(path) }),
  });
  const { error } = await new Migrator({ db: before, provider: migrationProvider }).migrateTo(
    "0005_run_heartbeats",
  );
  expect(error).toBeUndefined();
  const row = (pk: string, stream: string, updatedAt: string) => ({
    connection_id: "conn_1",
    stream,
    pk,
    hash: "h",
    payload: "{}",
    deleted: 0,
    first_seen_at: updatedAt,
    last_seen_at: updatedAt,
    updated_at: updatedAt,
    deleted_at: null,
  });
  await before
    .insertInto("records" as never)
    .values([
      row("1", "contacts", "2025-01-01T00:00:00.000Z"),
      row("2", "contacts", "2025-03-01T00:00:00.000Z"),
      row("1", "deals", "2025-02-01T00:00:00.000Z"),
    ] as never)
    .execute();
  await before.destroy();

  const store = await openStore({ kind: "sqlite", path });
  try {
    expect(await readStreamChangedAt(store.db, "conn_1", "contacts")).toBe("2025-03-01T00:00:00.000Z");
    expect(await readStreamChangedAt(store.db, "conn_1", "deals")).toBe("2025-02-01T00:00:00.000Z");
    expect(await readStreamChangedAt(store.db, "conn_1", "companies")).toBeNull();
  } finally {
    await store.close();
  }
});
