/**
 * Embedded reverse ETL's store side on both stores (SQLite, and a Postgres database of its own): migrations
 * 0030/0031, a push's idempotence, records paged in byte order of their keys (as the diff needs, whatever the
 * database's collation), the connection string sealed, and deleting a sync taking exactly its parts' rows.
 */
import { describe, expect } from "vitest";
import { createEmbeddedSync, deleteEmbeddedSync, partKey } from "../../src/app/sources/embedded-syncs.ts";
import { listSourceRecords, pushRecords } from "../../src/app/sources/records.ts";
import { createSource, sourceRow } from "../../src/app/sources/sources.ts";
import { compareKeys } from "../../src/flows/reverse-etl/diff.ts";
import { retlDb } from "../../src/flows/reverse-etl/store.ts";
import { providers } from "../../src/providers/registry.ts";
import { unifiedMappers } from "../../src/providers/unified-mappers.ts";
import { unifiedWriters } from "../../src/providers/unified-writers.ts";
import { ensureEnvironment, type Store } from "../../src/store/index.ts";
import { generateVaultKey, parseVaultKey, Vault } from "../../src/vault/index.ts";
import { itOnSqliteAndPostgres } from "../helpers/postgres.ts";

async function scenario(store: Store): Promise<void> {
  const vault = new Vault({ current: parseVaultKey(generateVaultKey()), previous: [] });
  const deps = { db: store.db, vault, providers, mappers: unifiedMappers, writers: unifiedWriters };
  const env = (await ensureEnvironment(store.db, "dev")).id;

  // Keys whose byte order differs from a locale's order (case, accents, astral characters).
  const keys = ["b", "B", "a", "é", "z", "😀", "Z", "10", "9", "ﬀ"];
  await createSource(deps, env, { name: "people", kind: "api", primary_key: "key" });
  const first = await pushRecords(deps, env, "people", {
    records: keys.map((key, i) => ({ key, n: i, nested: { deep: [i, { k: key }] } })),
    deletes: [],
  });
  expect(first).toEqual({ created: keys.length, updated: 0, unchanged: 0, deleted: 0 });
  const again = await pushRecords(deps, env, "people", {
    records: keys.map((key, i) => ({ nested: { deep: [i, { k: key }] }, n: i, key })),
    deletes: ["nope"],
  });
  expect(again).toEqual({ created: 0, updated: 0, unchanged: keys.length, deleted: 0 });

  const paged: string[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await listSourceRecords(deps, env, "people", { limit: 3, ...(after ? { after } : {}) });
    paged.push(...page.data.map((r) => r.id));
    if (page.next === null) break;
    after = page.next;
  }
  expect(paged).toEqual([...keys].sort(compareKeys));

  // A postgres source's connection string is stored sealed, and opens to what was given. Its host is held to
  // the environment's address policy as a connection's base URL is: this one allows no private addresses.
  const loopback = createSource(deps, env, {
    name: "local",
    kind: "postgres",
    primary_key: "id",
    connection_string: "postgres://reader:pw@127.0.0.1:5432/product",
    table: "users",
  });
  await expect(loopback).rejects.toThrow(/loopback address/);
  const connectionString = "postgres://reader:hunter2-secret@db.product.example:5432/product";
  await createSource(deps, env, {
    name: "pg",
    kind: "postgres",
    primary_key: "id",
    connection_string: connectionString,
    table: "public.users",
  });
  const row = await sourceRow(deps, env, "pg");
  expect(row.connection_string).not.toContain("hunter2");
  expect(vault.open(row.connection_string!)).toBe(connectionString);

  // Deleting a sync takes the rows of its parts, not those of a sync whose id merely starts the same.
  const sync = await createEmbeddedSync(deps, env, {
    source: "people",
    model: "Contact",
    mode: "upsert",
    mapping: [{ column: "key", field: "first_name" }],
    filter: {},
    connection_mappings: {},
    frequency: null,
    time_zone: null,
  });
  const db = retlDb(store.db);
  const mine = partKey(sync.id, "conn_1");
  const other = `${sync.id}x:conn_1`;
  for (const id of [mine, other])
    await db.insertInto("retl_snapshots").values({ sync_id: id, pk: "a", hash: "h" }).execute();
  await deleteEmbeddedSync(deps, env, sync.id);
  const left = await db.selectFrom("retl_snapshots").select("sync_id").execute();
  expect(left.map((r) => r.sync_id)).toEqual([other]);
}

describe("embedded reverse ETL's tables and queries", () => {
  itOnSqliteAndPostgres(scenario);
});
