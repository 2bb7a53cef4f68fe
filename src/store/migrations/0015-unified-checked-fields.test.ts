import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Kysely, Migrator, SqliteDialect } from "kysely";
import { afterEach, beforeEach, expect, it } from "vitest";
import { openStore } from "../open-store.ts";
import { readUnifiedMarks } from "../repositories/unified-objects.ts";
import { migrationProvider } from "./index.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "switchyard-0015-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

it("marks objects stored before it unchecked, and clears the projection's marks so the next read maps them again", async () => {
  const path = join(dir, "store.sqlite");
  const before = new Kysely<Record<string, never>>({
    dialect: new SqliteDialect({ database: new Database(path) }),
  });
  const { error } = await new Migrator({ db: before, provider: migrationProvider }).migrateTo(
    "0014_field_mappings",
  );
  expect(error).toBeUndefined();
  const at = "2025-01-01T00:00:00.000Z";
  await before
    .insertInto("unified_objects" as never)
    .values({
      connection_id: "conn_1",
      model: "Contact",
      remote_id: "1",
      id: "u1",
      stream: "contacts",
      created_at: at,
      modified_at: at,
      fields: "{}",
    } as never)
    .execute();
  await before
    .insertInto("unified_marks" as never)
    .values({ connection_id: "conn_1", stream: "contacts", synced_through: at, mapper_version: "1" } as never)
    .execute();
  await before.destroy();

  const store = await openStore({ kind: "sqlite", path });
  try {
    const row = await store.db.selectFrom("unified_objects").select("checked").executeTakeFirstOrThrow();
    expect(row.checked).toBe(0);
    expect((await readUnifiedMarks(store.db, "conn_1")).size).toBe(0);
  } finally {
    await store.close();
  }
});
