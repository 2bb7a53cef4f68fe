import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, postgresAvailable } from "../../../test/helpers/postgres.ts";
import { ConfigError, DestinationError } from "../../core/index.ts";
import { batch, contactsTarget, record } from "../duckdb/test-fixtures.ts";
import { createPostgresDestination, type PostgresDestination } from "./index.ts";

const available = await postgresAvailable();

describe.skipIf(!available)("Postgres warehouse destination", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dest: PostgresDestination;
  /** Each test gets a table of its own, so they do not depend on one another. */
  let n = 0;
  const fresh = (columns = {}) => contactsTarget(columns, `contacts_${++n}`);

  beforeAll(async () => {
    database = await createTestDatabase();
    dest = await createPostgresDestination({ connectionString: database.url, schema: "wh" });
  });
  afterAll(async () => {
    await dest?.close();
    await database?.drop();
  });

  const rows = (table: string) => dest.query(`SELECT * FROM wh.${table} ORDER BY _connection_id, id`);
  const columnTypes = async (table: string) => {
    const result = await dest.query<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns
       WHERE table_schema = 'wh' AND table_name = $1 ORDER BY ordinal_position`,
      [table],
    );
    return Object.fromEntries(result.map((row) => [row.column_name, row.data_type]));
  };

  it("creates a typed table with metadata columns and a (connection, pk) primary key; prepare is idempotent", async () => {
    const target = fresh();
    await dest.prepare(target);
    await dest.prepare(target);
    expect(await columnTypes(target.table)).toEqual({
      _connection_id: "text",
      id: "text",
      email: "text",
      amount: "double precision",
      visits: "bigint",
      subscribed: "boolean",
      created_at: "timestamp with time zone",
      properties: "jsonb",
      _deleted: "boolean",
      _synced_at: "timestamp with time zone",
      _hash: "text",
      _rejected: "jsonb",
    });
    const key = await dest.query<{ attname: string }>(
      `SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
       WHERE i.indrelid = to_regclass($1) AND i.indisprimary`,
      [`wh.${target.table}`],
    );
    expect(key.map((row) => row.attname).sort()).toEqual(["_connection_id", "id"]);
  });

  it("upserts by (connection, primary key), coerces values and keeps misfits in _rejected", async () => {
    const target = fresh();
    await dest.prepare(target);
    await dest.write(
      batch(target, [
        record({ id: "1", email: "ann@x.io", visits: "3", amount: "n/a", created_at: "1704164645000" }),
        record({ id: "2", email: "bob@x.io", subscribed: "yes", properties: { tags: ["a"] } }),
      ]),
    );
    await dest.write(batch(target, [record({ id: "1", email: "ann@y.io", visits: 4 })], "conn_1"));
    await dest.write(batch(target, [record({ id: "1", email: "other@x.io" })], "conn_2"));
    const all = await rows(target.table);
    expect(all).toHaveLength(3);
    const [ann, bob, other] = all;
    expect(ann).toMatchObject({ _connection_id: "conn_1", email: "ann@y.io", visits: "4", _rejected: null });
    expect(bob).toMatchObject({ subscribed: true, properties: { tags: ["a"] }, _deleted: false });
    expect(other).toMatchObject({ _connection_id: "conn_2", email: "other@x.io" });

    const target2 = fresh();
    await dest.write(
      batch(target2, [record({ id: "9", amount: "n/a", created_at: "1704164645000", visits: "1.5" })]),
    );
    const [row] = await rows(target2.table);
    expect(row?._rejected).toEqual({ amount: "n/a", visits: "1.5" });
    expect(row?.created_at).toEqual(new Date("2024-01-02T03:04:05.000Z"));
  });

  it("writes each column's type from its text: json scalars and objects, numbers, booleans, NULLs", async () => {
    const target = fresh();
    await dest.prepare(target);
    await dest.write(
      batch(target, [
        record({
          id: "1",
          properties: "just text",
          amount: 1e21,
          visits: "-9007199254740993",
          subscribed: false,
        }),
        record({ id: "2", properties: 42, amount: -0.5, created_at: "2021-08-15T19:29:33.474Z" }),
        record({ id: "3", properties: [1, "two", { three: null }], email: null }),
        record({ id: "4", properties: true, email: 'quote " and \\ backslash, {braces}' }),
      ]),
    );
    const [one, two, three, four] = await rows(target.table);
    expect(one).toMatchObject({ properties: "just text", amount: 1e21, visits: "-9007199254740993" });
    expect(one).toMatchObject({ subscribed: false, email: null, created_at: null, _rejected: null });
    expect(two).toMatchObject({ properties: 42, amount: -0.5, subscribed: null });
    expect(two?.created_at).toEqual(new Date("2021-08-15T19:29:33.474Z"));
    expect(three).toMatchObject({ properties: [1, "two", { three: null }], email: null });
    expect(four).toMatchObject({ properties: true, email: 'quote " and \\ backslash, {braces}' });
  });

  it("writes a table wider than a function's 100 arguments", async () => {
    const wide = Object.fromEntries(
      Array.from({ length: 150 }, (_, i) => [`field_${i}`, "integer" as const]),
    );
    const target = fresh(wide);
    await dest.prepare(target);
    const values = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`field_${i}`, i]));
    await dest.write(batch(target, [record({ id: "1", ...values }), record({ id: "2", field_149: "7" })]));
    const [one, two] = await rows(target.table);
    expect(one).toMatchObject({ field_0: "0", field_99: "99", field_149: "149" });
    expect(two).toMatchObject({ field_0: null, field_149: "7" });
  });

  it("writes values holding NUL, which Postgres cannot store, with U+FFFD in its place", async () => {
    const target = fresh();
    await dest.write(
      batch(target, [
        record({ id: "1", email: "a\u0000b", properties: { k: "x\u0000" }, visits: "n\u0000" }),
      ]),
    );
    const [row] = await rows(target.table);
    expect(row).toMatchObject({
      email: "a\uFFFDb",
      properties: { k: "x\uFFFD" },
      _rejected: { visits: "n\uFFFD" },
    });
  });

  it("keeps fields Postgres cannot name (over 63 bytes, or with NUL) in _rejected, batch after batch", async () => {
    const target = fresh();
    const long = `a_${"x".repeat(70)}`;
    for (const id of ["1", "2"]) {
      await dest.write(batch(target, [record({ id, [long]: id, "nul\u0000name": 1 })]));
    }
    expect(Object.keys(await columnTypes(target.table)).some((name) => name.startsWith("a_x"))).toBe(false);
    const all = await rows(target.table);
    expect(all.map((row) => row._rejected)).toEqual([
      { [long]: "1", "nul\uFFFDname": 1 },
      { [long]: "2", "nul\uFFFDname": 1 },
    ]);
  });

  it("flags deleted rows, keeping their last values where the tombstone has none", async () => {
    const target = fresh();
    await dest.write(batch(target, [record({ id: "1", email: "ann@x.io", visits: 2 })]));
    await dest.write(batch(target, [record({ id: "1", email: null }, true)]));
    const [row] = await rows(target.table);
    expect(row).toMatchObject({ id: "1", email: "ann@x.io", visits: "2", _deleted: true });
  });

  it("evolves the schema: a new field becomes a column of its inferred type; an existing column keeps its type", async () => {
    const target = fresh();
    await dest.write(batch(target, [record({ id: "1", email: "a@x.io" })]));
    await dest.write(
      batch(target, [
        record({ id: "2", score: 7, ratio: 0.5, nested: { a: 1 } }),
        record({ id: "3", score: 1.5 }),
      ]),
    );
    const types = await columnTypes(target.table);
    // 7 then 1.5 in one batch: the column is widened to double precision.
    expect(types).toMatchObject({ score: "double precision", ratio: "double precision", nested: "jsonb" });
    await dest.write(batch(target, [record({ id: "4", score: "high" })]));
    const row = (await rows(target.table)).find((candidate) => candidate.id === "4");
    expect(row).toMatchObject({ score: null, _rejected: { score: "high" } });
    // A field differing only in letter case from a column cannot be a column: it is kept in _rejected.
    await dest.write(batch(target, [record({ id: "5", Email: "x@y.io" })]));
    const five = (await rows(target.table)).find((candidate) => candidate.id === "5");
    expect(five?._rejected).toEqual({ Email: "x@y.io" });
  });

  it("lets two processes meet the same new field at once: one column, both batches written", async () => {
    const target = fresh();
    await dest.prepare(target);
    const other = await createPostgresDestination({ connectionString: database.url, schema: "wh" });
    try {
      await other.prepare(target);
      await Promise.all([
        dest.write(batch(target, [record({ id: "1", extra: 7 })], "conn_a")),
        other.write(batch(target, [record({ id: "1", extra: "seven" })], "conn_b")),
      ]);
    } finally {
      await other.close();
    }
    const type = (await columnTypes(target.table)).extra;
    expect(["bigint", "text"]).toContain(type);
    const [a, b] = await rows(target.table);
    // Whichever added the column typed it; the other batch was coerced to that type, nothing lost.
    if (type === "bigint") {
      expect([a?.extra, b?.extra, b?._rejected]).toEqual(["7", null, { extra: "seven" }]);
    } else {
      expect([a?.extra, b?.extra]).toEqual(["7", "seven"]);
    }
  });

  it("commits the synced-through mark with the batch, and an empty batch can carry it alone", async () => {
    const target = fresh();
    expect(await dest.syncedThrough("conn_1", target)).toBeNull();
    await dest.write({ ...batch(target, [record({ id: "1" })]), syncedThrough: "2025-01-01T00:00:01.000Z" });
    await dest.write({ ...batch(target, []), syncedThrough: "2025-01-01T00:00:02.000Z" });
    expect(await dest.syncedThrough("conn_1", target)).toBe("2025-01-01T00:00:02.000Z");
    expect(await dest.syncedThrough("conn_2", target)).toBeNull();
  });

  it("rolls back a failed batch entirely: no rows, no mark, and a clear error", async () => {
    const target = { ...fresh({ id: "integer" }) };
    await dest.write({ ...batch(target, [record({ id: 1 })]), syncedThrough: "2025-01-01T00:00:01.000Z" });
    const failing = {
      ...batch(target, [record({ id: 2 }), record({ id: "x" })]),
      syncedThrough: "2025-01-02T00:00:00.000Z",
    };
    await expect(dest.write(failing)).rejects.toThrow(/primary key "x" does not fit column "id" \(integer\)/);
    expect(await rows(target.table)).toHaveLength(1);
    expect(await dest.syncedThrough("conn_1", target)).toBe("2025-01-01T00:00:01.000Z");
  });

  it("replays a batch idempotently (a crash before the engine saw the commit)", async () => {
    const target = fresh();
    const replayed = {
      ...batch(target, [record({ id: "1", visits: 1 }), record({ id: "2" })]),
      syncedThrough: "t1",
    };
    await dest.write(replayed);
    await dest.write(replayed);
    expect(await rows(target.table)).toHaveLength(2);
  });

  it("refuses a table whose primary key is another, and a schema name that is not plain", async () => {
    const target = fresh();
    await dest.query(`CREATE TABLE wh.${target.table} (id text PRIMARY KEY)`);
    await expect(dest.prepare(target)).rejects.toThrow(DestinationError);
    await expect(dest.prepare(target)).rejects.toThrow(/already exists with \(id\).*needs primary key/);
    await expect(
      createPostgresDestination({ connectionString: database.url, schema: 'x"; DROP' }),
    ).rejects.toThrow(ConfigError);
  });

  it("quotes odd table and column names safely", async () => {
    const odd = {
      ...fresh({ 'we"ird; DROP TABLE x; --': "string", Select: "integer" }),
      table: 'odd "table"',
    };
    await dest.write(batch(odd, [record({ id: "1", 'we"ird; DROP TABLE x; --': "ok", Select: 3 })]));
    const [row] = await dest.query(`SELECT * FROM wh."odd ""table"""`);
    expect(row?.['we"ird; DROP TABLE x; --']).toBe("ok");
    expect(row?.Select).toBe("3");
  });

  it("names the server, not the password, when it cannot connect", async () => {
    const error = await createPostgresDestination({
      connectionString: "postgres://someone:s3cret-pw@127.0.0.1:1/nowhere",
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DestinationError);
    expect(String((error as Error).message)).toContain("127.0.0.1:1/nowhere");
    expect(String((error as Error).message)).not.toContain("s3cret-pw");
  });
});
