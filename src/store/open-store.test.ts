import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "./open-store.ts";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "switchyard-store-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function pragma(path: string, name: string): unknown {
  const sqlite = new Database(path, { readonly: true });
  try {
    return sqlite.pragma(name, { simple: true });
  } finally {
    sqlite.close();
  }
}

describe("openStore (sqlite)", () => {
  it("creates new files with 16 KiB pages in WAL mode", async () => {
    const path = join(dir, "new.sqlite");
    const store = await openStore({ kind: "sqlite", path });
    await store.close();
    expect(pragma(path, "page_size")).toBe(16_384);
    expect(pragma(path, "journal_mode")).toBe("wal");
  });

  it("leaves an existing file's page size alone", async () => {
    const path = join(dir, "old.sqlite");
    const old = new Database(path);
    old.pragma("page_size = 4096");
    old.exec("CREATE TABLE legacy (x)");
    old.close();
    const store = await openStore({ kind: "sqlite", path });
    await store.close();
    expect(pragma(path, "page_size")).toBe(4096);
  });
});
