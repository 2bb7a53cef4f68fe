import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDuckDbDestination, type DuckDbDestination } from "./index.ts";
import { queryWarehouse, streamWarehouseChunks, streamWarehouseQuery, type WarehouseQuery } from "./query.ts";
import { batch, contactsTarget, record, tempDir } from "./test-fixtures.ts";

let dir: Awaited<ReturnType<typeof tempDir>>;
let warehouse: DuckDbDestination;
let path: string;

beforeAll(async () => {
  dir = await tempDir();
  path = dir.file("warehouse.duckdb");
  warehouse = await createDuckDbDestination({ path, idleCloseMs: 20 });
  const target = contactsTarget();
  await warehouse.prepare(target);
  await warehouse.write(
    batch(target, [record({ id: "a1", email: "a1@a.test" }), record({ id: "a2" })], "conn_a"),
  );
  await warehouse.write(batch(target, [record({ id: "b1", email: "b1@b.test" })], "conn_b"));
});
afterAll(async () => {
  await warehouse.close();
  await dir.cleanup();
});

/** A query as connection A's environment would send it, through this process's open destination. */
const asA = (sql: string, more: Partial<WarehouseQuery> = {}) =>
  queryWarehouse({
    path,
    connectionIds: ["conn_a"],
    sql,
    maxRows: 100,
    timeoutMs: 10_000,
    whileReleased: (work) => warehouse.whileReleased(work),
    ...more,
  });

describe("queryWarehouse", () => {
  it("sees only the allowed connections' rows, whatever the SQL asks for", async () => {
    const result = await asA("SELECT id, email, _connection_id FROM test_contacts ORDER BY id");
    expect(result.rows).toEqual([
      { id: "a1", email: "a1@a.test", _connection_id: "conn_a" },
      { id: "a2", email: null, _connection_id: "conn_a" },
    ]);
    expect(result.columns.map((c) => c.name)).toEqual(["id", "email", "_connection_id"]);
    expect(result.truncated).toBe(false);
    expect(
      (await asA("SELECT count(*) AS n FROM test_contacts WHERE _connection_id = 'conn_b'")).rows,
    ).toEqual([{ n: "0" }]);
  });

  it("has no way around the copy: the file is not attached, and attaching it again is refused", async () => {
    await expect(asA("SELECT * FROM warehouse.main.test_contacts")).rejects.toThrow(
      /does not exist|not found/i,
    );
    await expect(asA("SELECT * FROM query_table('test_contacts')")).rejects.toThrow(
      /query_table\(\) is not supported/,
    );
    await expect(asA("SELECT * FROM query('SELECT * FROM test_contacts')")).rejects.toThrow(
      /query\(\) is not supported/,
    );
    await expect(asA(`SELECT * FROM read_parquet('${path}')`)).rejects.toThrow(
      /read_parquet\(\) reads files/,
    );
  });

  it.each([
    ["a write", "DELETE FROM test_contacts", /Only a single SELECT is allowed; this is a DELETE statement/],
    ["two statements", "SELECT 1; SELECT 2", /exactly one statement; this SQL has 2/],
    ["COPY", "COPY test_contacts TO '/tmp/out.csv'", /this is a COPY statement/],
    ["ATTACH", "-- sneaky\nATTACH '/tmp/x.duckdb' AS x", /this is an ATTACH statement/],
    ["INSTALL", "INSTALL httpfs", /this is an INSTALL statement/],
    ["LOAD", "/* x */ LOAD httpfs", /this is a LOAD statement/],
    ["SET", "SET enable_external_access = true", /Only a single SELECT/],
    ["read_csv", "SELECT * FROM read_csv('/etc/passwd')", /read_csv\(\) reads files/],
    ["glob", "SELECT * FROM glob('/etc/*')", /glob\(\) reads files/],
    ["bad SQL", "SELEC 1", /does not parse/],
  ])("refuses %s with a clear error", async (_what, sql, message) => {
    await expect(asA(sql)).rejects.toMatchObject({
      code: "argument_invalid",
      message: expect.stringMatching(message),
    });
  });

  it("lists every warehouse table, though only the ones the query names hold rows", async () => {
    const tables = await asA("SELECT table_name FROM information_schema.tables ORDER BY table_name");
    expect(tables.rows).toContainEqual({ table_name: "test_contacts" });
    const columns = await asA("DESCRIBE test_contacts");
    expect(columns.rows.map((row) => row.column_name)).toContain("email");
  });

  it("takes its turn between the batches of a run in this process, which go on writing after it", async () => {
    const target = contactsTarget({}, "busy_contacts");
    await warehouse.prepare(target);
    const writes = Array.from({ length: 5 }, (_, i) =>
      warehouse.write(batch(target, [record({ id: `w${i}` })], "conn_a")),
    );
    const counted = asA("SELECT count(*)::INTEGER AS n FROM busy_contacts");
    await Promise.all(writes);
    // Queued behind the writes already asked for, the copy sees all of them committed.
    expect((await counted).rows).toEqual([{ n: 5 }]);
    // And the destination opens the file again for the next write.
    await warehouse.write(batch(target, [record({ id: "w5" })], "conn_a"));
    expect((await asA("SELECT count(*)::INTEGER AS n FROM busy_contacts")).rows).toEqual([{ n: 6 }]);
  });

  it("returns at most maxRows rows and says when there were more", async () => {
    const result = await asA("SELECT * FROM range(10) r(i)", { maxRows: 3 });
    expect(result.rows).toEqual([{ i: "0" }, { i: "1" }, { i: "2" }]);
    expect(result.truncated).toBe(true);
  });

  it("stops a query that runs out of time", async () => {
    const started = Date.now();
    await expect(
      asA("SELECT count(*) FROM range(100000000000) a, range(1000) b", { timeoutMs: 300 }),
    ).rejects.toMatchObject({
      code: "argument_invalid",
      message: expect.stringMatching(/longer than 300 ms/),
    });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("stops a query that needs more memory than allowed, and writes no spill files", async () => {
    await expect(
      asA("SELECT count(*) FROM (SELECT md5(i::VARCHAR) AS m FROM range(5000000) r(i) ORDER BY m)", {
        memoryLimit: "32MB",
      }),
    ).rejects.toMatchObject({ code: "argument_invalid", message: expect.stringMatching(/more memory/) });
  });

  it("sees no tables before the warehouse file exists", async () => {
    await expect(asA("SELECT * FROM test_contacts", { path: dir.file("none.duckdb") })).rejects.toThrow(
      /test_contacts does not exist|Table with name test_contacts/i,
    );
    expect((await asA("SELECT 1 AS one", { path: dir.file("none.duckdb") })).rows).toEqual([{ one: 1 }]);
  });

  it("copies no rows, only the columns, for a schema-only query", async () => {
    const result = await asA("SELECT * FROM test_contacts", { schemaOnly: true });
    expect(result.rows).toEqual([]);
    expect(result.columns.map((c) => c.name)).toEqual(expect.arrayContaining(["id", "email"]));
    expect((await asA("SELECT count(*)::INTEGER AS n FROM test_contacts")).rows).toEqual([{ n: 2 }]);
  });
});

describe("streamWarehouseChunks", () => {
  const sql =
    "SELECT CAST(i AS VARCHAR) AS k, i::BIGINT AS big, CASE WHEN i % 3 = 0 THEN NULL ELSE 'v' || i END AS t, " +
    "TIMESTAMP '2026-01-01' + to_seconds(i) AS at FROM range(5000) r(i) ORDER BY i";
  const query = { path, connectionIds: ["conn_a"], sql, timeoutMs: 10_000 };

  it("reads columns as text and rows as streamWarehouseQuery's JSON, chunk by chunk", async () => {
    const expected: Record<string, unknown>[] = [];
    await streamWarehouseQuery(query, async (rows) => {
      expected.push(...rows);
    });
    const keys: (string | null)[] = [];
    const texts: (string | null)[] = [];
    const rows: Record<string, unknown>[] = [];
    let chunks = 0;
    await streamWarehouseChunks(query, async (chunk) => {
      chunks++;
      keys.push(...chunk.text(0));
      texts.push(...chunk.text(2));
      for (let i = 0; i < chunk.rowCount; i++) rows.push(chunk.rowObject(i, 1));
    });
    expect(chunks).toBeGreaterThan(1);
    expect(keys).toEqual(expected.map((row) => row.k));
    expect(texts).toEqual(expected.map((row) => row.t));
    expect(texts[0]).toBeNull();
    expect(rows).toEqual(expected.map(({ k: _k, ...rest }) => rest));
    expect(rows[1]).toEqual({ big: "1", t: "v1", at: "2026-01-01 00:00:01" });
  });

  it("spills past its memory limit into a private folder when asked, and removes it afterwards", async () => {
    const { mkdtemp, readdir, rm } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    // A temporary directory of this test's own (TMPDIR, read at each call of tmpdir()): other test files
    // running at the same time make and remove sandboxes of their own in the shared one.
    const ownTmp = await mkdtemp(join(tmpdir(), "spill-test-"));
    const sharedTmp = process.env.TMPDIR;
    process.env.TMPDIR = ownTmp;
    try {
      const sandboxes = async () =>
        (await readdir(ownTmp)).filter((name) => name.startsWith("switchyard-sandbox-")).length;
      const big = {
        ...query,
        sql: "SELECT md5(i::VARCHAR) AS m FROM range(2000000) r(i) ORDER BY m",
        memoryLimit: "32MB",
      };
      // Without spilling, the same sort does not fit.
      await expect(streamWarehouseChunks(big, async () => {})).rejects.toThrow(/more memory/);
      let seen = 0;
      let whileStreaming = 0;
      await streamWarehouseChunks({ ...big, spill: true }, async (chunk) => {
        if (seen === 0) whileStreaming = await sandboxes();
        seen += chunk.rowCount;
      });
      expect(seen).toBe(2_000_000);
      expect(whileStreaming).toBe(1);
      expect(await sandboxes()).toBe(0);
    } finally {
      if (sharedTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = sharedTmp;
      await rm(ownTmp, { recursive: true, force: true });
    }
  });
});
