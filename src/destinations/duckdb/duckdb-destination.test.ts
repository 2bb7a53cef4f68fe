import { describe, expect, it } from "vitest";
import { DestinationError } from "../../core/index.ts";
import { createDuckDbDestination } from "./index.ts";
import { batch, contactsTarget, destinationPerTest, record } from "./test-fixtures.ts";

const target = contactsTarget();

const duck = destinationPerTest("warehouse.duckdb");

async function rows(where = "true"): Promise<Record<string, unknown>[]> {
  return duck.dest.query(`SELECT * FROM test_contacts WHERE ${where} ORDER BY _connection_id, id`);
}

async function columnTypes(table = "test_contacts"): Promise<Record<string, string>> {
  const result = await duck.dest.query(
    "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position",
    [table],
  );
  return Object.fromEntries(result.map((row) => [String(row.column_name), String(row.data_type)]));
}

describe("prepare", () => {
  it("creates a typed table with metadata columns and a (connection, pk) primary key", async () => {
    await duck.dest.prepare(target);
    expect(await columnTypes()).toEqual({
      _connection_id: "VARCHAR",
      id: "VARCHAR",
      email: "VARCHAR",
      amount: "DOUBLE",
      visits: "BIGINT",
      subscribed: "BOOLEAN",
      created_at: "TIMESTAMP WITH TIME ZONE",
      properties: "JSON",
      _deleted: "BOOLEAN",
      _synced_at: "TIMESTAMP WITH TIME ZONE",
      _hash: "VARCHAR",
      _rejected: "JSON",
    });
    const [pk] = await duck.dest.query(
      "SELECT constraint_column_names FROM duckdb_constraints() WHERE table_name = 'test_contacts' AND constraint_type = 'PRIMARY KEY'",
    );
    expect(pk?.constraint_column_names).toEqual(["_connection_id", "id"]);
  });

  it("is idempotent and adds newly declared columns to an existing table", async () => {
    await duck.dest.prepare(target);
    await duck.dest.write(batch(target, [record({ id: "1", email: "a@x.io" })]));
    await duck.dest.prepare(target);
    await duck.dest.prepare(contactsTarget({ phone: "string", score: "integer" }));
    const types = await columnTypes();
    expect(types.phone).toBe("VARCHAR");
    expect(types.score).toBe("BIGINT");
    expect(await rows()).toHaveLength(1);
  });

  it("quotes table and column names safely", async () => {
    const odd = {
      ...contactsTarget({ 'we"ird; DROP TABLE x; --': "string", Select: "integer" }),
      table: 'odd "table"',
    };
    await duck.dest.prepare(odd);
    await duck.dest.write(batch(odd, [record({ id: "1", 'we"ird; DROP TABLE x; --': "ok", Select: 3 })]));
    const [row] = await duck.dest.query(`SELECT * FROM "odd ""table"""`);
    expect(row?.['we"ird; DROP TABLE x; --']).toBe("ok");
    expect(row?.Select).toBe(3n);
  });

  it("refuses a table whose primary key is not this stream's", async () => {
    await duck.dest.query("CREATE TABLE test_contacts (id VARCHAR PRIMARY KEY)");
    await expect(duck.dest.prepare(target)).rejects.toThrow(/already exists with \(id\).*needs primary key/);
  });
});

describe("write", () => {
  const first = [
    record({ id: "1", email: "ann@x.io", visits: 1 }),
    record({ id: "2", email: "bob@x.io", visits: 2 }),
    record({ id: "3", email: "cid@x.io", visits: 3 }),
  ];

  it("upserts by primary key: the same batch twice leaves the same rows", async () => {
    await duck.dest.prepare(target);
    await duck.dest.write(batch(target, first));
    const once = await rows();
    await duck.dest.write(batch(target, first));
    expect(await rows()).toEqual(once);
    expect(once.map((row) => row.email)).toEqual(["ann@x.io", "bob@x.io", "cid@x.io"]);
  });

  it("updates changed values and keeps connections apart", async () => {
    await duck.dest.prepare(target);
    await duck.dest.write(batch(target, first));
    const later = new Date("2025-02-01T00:00:00Z");
    await duck.dest.write(
      batch(target, [record({ id: "2", email: "bob@new.io", visits: 5 })], "conn_1", later),
    );
    await duck.dest.write(batch(target, [record({ id: "2", email: "other@y.io" })], "conn_2"));

    const all = await rows();
    expect(all).toHaveLength(4);
    const bob = all.find((row) => row._connection_id === "conn_1" && row.id === "2");
    expect(bob).toMatchObject({ email: "bob@new.io", visits: 5n, _synced_at: later, _deleted: false });
    expect(bob?._hash).toBe(record({ id: "2", email: "bob@new.io", visits: 5 }).hash);
    const other = all.find((row) => row._connection_id === "conn_2");
    expect(other).toMatchObject({ id: "2", email: "other@y.io", visits: null });
  });

  it("keeps the last record when a batch repeats a primary key", async () => {
    await duck.dest.prepare(target);
    await duck.dest.write(
      batch(target, [record({ id: "1", email: "old@x.io" }), record({ id: "1", email: "new@x.io" })]),
    );
    expect((await rows()).map((row) => row.email)).toEqual(["new@x.io"]);
  });

  it("lets a tombstone later in the batch keep the values the same key had earlier in it", async () => {
    await duck.dest.prepare(target);
    await duck.dest.write(
      batch(target, [
        record({ id: "5", email: "five@x.io", visits: 3 }),
        record({ id: "6", email: "six@x.io" }),
        record({ id: "5", visits: null, amount: 2 }, true),
      ]),
    );
    expect(await rows()).toEqual([
      expect.objectContaining({ id: "5", email: "five@x.io", visits: 3n, amount: 2, _deleted: true }),
      expect.objectContaining({ id: "6", email: "six@x.io", _deleted: false }),
    ]);
  });

  it("prepares the table itself when write comes first", async () => {
    await duck.dest.write(batch(target, first));
    expect(await rows()).toHaveLength(3);
  });

  it("marks deleted records and keeps their last known data", async () => {
    await duck.dest.prepare(target);
    await duck.dest.write(batch(target, first));
    await duck.dest.write(
      batch(target, [
        record({ id: "2" }, true),
        record({ id: "3", email: "cid@final.io" }, true),
        record({ id: "9" }, true),
      ]),
    );
    const byId = Object.fromEntries((await rows()).map((row) => [row.id, row]));
    expect(byId["1"]).toMatchObject({ _deleted: false, email: "ann@x.io" });
    expect(byId["2"]).toMatchObject({ _deleted: true, email: "bob@x.io", visits: 2n });
    expect(byId["3"]).toMatchObject({ _deleted: true, email: "cid@final.io", visits: 3n });
    expect(byId["9"]).toMatchObject({ _deleted: true, email: null });

    // A record that comes back is live again and replaces the row.
    await duck.dest.write(batch(target, [record({ id: "2", email: "bob@back.io" })]));
    expect((await rows("id = '2'"))[0]).toMatchObject({
      _deleted: false,
      email: "bob@back.io",
      visits: null,
    });
  });

  it("coerces strings to the column types", async () => {
    await duck.dest.prepare(target);
    await duck.dest.write(
      batch(target, [
        record({
          id: "1",
          amount: "1500.00",
          visits: "42",
          subscribed: "true",
          created_at: "2024-01-02T03:04:05.000Z",
          properties: { plan: "pro", seats: [1, 2] },
        }),
        record({ id: "2", amount: 12, visits: "7.0", subscribed: "FALSE", created_at: "1704164645000" }),
        record({ id: "3", amount: "", visits: "", subscribed: "", created_at: "", email: "" }),
      ]),
    );
    const [one, two, three] = await rows();
    expect(one).toMatchObject({
      amount: 1500,
      visits: 42n,
      subscribed: true,
      created_at: new Date("2024-01-02T03:04:05.000Z"),
      _rejected: null,
    });
    expect(JSON.parse(String(one?.properties))).toEqual({ plan: "pro", seats: [1, 2] });
    expect(two).toMatchObject({
      amount: 12,
      visits: 7n,
      subscribed: false,
      created_at: new Date(1704164645000),
    });
    // Blank means "not set" for typed columns; a text column keeps the empty string.
    expect(three).toMatchObject({
      amount: null,
      visits: null,
      subscribed: null,
      created_at: null,
      email: "",
    });
    expect(three?._rejected).toBeNull();
  });

  it("stores NULL and keeps the original in _rejected when a value cannot be coerced", async () => {
    await duck.dest.prepare(target);
    await duck.dest.write(
      batch(target, [
        record({ id: "1", email: "ok@x.io", amount: "n/a", visits: "12.5", created_at: "next tuesday" }),
        record({ id: "2", email: "fine@x.io", amount: "3.5", visits: 4 }),
      ]),
    );
    const [bad, good] = await rows();
    expect(bad).toMatchObject({ email: "ok@x.io", amount: null, visits: null, created_at: null });
    expect(JSON.parse(String(bad?._rejected))).toEqual({
      amount: "n/a",
      visits: "12.5",
      created_at: "next tuesday",
    });
    expect(good).toMatchObject({ amount: 3.5, visits: 4n, _rejected: null });
    const found = await duck.dest.query("SELECT id FROM test_contacts WHERE _rejected->>'amount' = 'n/a'");
    expect(found).toEqual([{ id: "1" }]);
  });

  it("fails with a DestinationError when a primary key does not fit its column, writing nothing", async () => {
    const numeric = { ...contactsTarget({ id: "integer" }), table: "numeric_ids" };
    await duck.dest.prepare(numeric);
    const attempt = duck.dest.write(batch(numeric, [record({ id: "7" }), record({ id: "seven" })]));
    await expect(attempt).rejects.toBeInstanceOf(DestinationError);
    await expect(attempt).rejects.toThrow(/numeric_ids.*"seven"/);
    expect(await duck.dest.query("SELECT count(*) AS n FROM numeric_ids")).toEqual([{ n: 0n }]);
  });
});

describe("a failed batch", () => {
  it("rolls back entirely, reports the table, and the destination keeps working", async () => {
    await duck.dest.prepare(target);
    await duck.dest.write(
      batch(target, [record({ id: "1", email: "ann@x.io" }), record({ id: "2", email: "bob@x.io" })]),
    );
    // Make DuckDB itself refuse the next insert: a NOT NULL column the records do not fill.
    await duck.dest.query("ALTER TABLE test_contacts ADD COLUMN guard VARCHAR DEFAULT 'g'");
    await duck.dest.query("ALTER TABLE test_contacts ALTER COLUMN guard SET NOT NULL");
    await duck.dest.prepare(target);
    const before = await rows();

    const failing = duck.dest.write(
      batch(target, [
        record({ id: "1", email: "changed@x.io", brand_new: "field" }),
        record({ id: "3", email: "new@x.io" }),
      ]),
    );
    await expect(failing).rejects.toBeInstanceOf(DestinationError);
    await expect(failing).rejects.toThrow(/writing 2 records to table "test_contacts" failed: .*NOT NULL/);

    expect(await rows()).toEqual(before);
    expect(Object.keys(await columnTypes())).not.toContain("brand_new");

    await duck.dest.write(
      batch(target, [record({ id: "3", email: "new@x.io", guard: "set", brand_new: "field" })]),
    );
    const [three] = await rows("id = '3'");
    expect(three).toMatchObject({ email: "new@x.io", brand_new: "field" });
  });
});

describe("opening the file", () => {
  it("refuses to open the same file twice in one process", async () => {
    await expect(createDuckDbDestination({ path: duck.dir.file("warehouse.duckdb") })).rejects.toThrow(
      /already open in this process/,
    );
  });

  it("rejects calls after close", async () => {
    await duck.dest.close();
    await expect(duck.dest.write(batch(target, [record({ id: "1" })]))).rejects.toThrow(/is closed/);
    await expect(duck.dest.query("SELECT 1")).rejects.toThrow(/is closed/);
    await duck.reopen();
  });

  it("wraps query errors with a hint", async () => {
    const failing = duck.dest.query("SELECT * FROM no_such_table");
    await expect(failing).rejects.toMatchObject({
      code: "destination_failed",
      hint: expect.stringMatching(/SQL/),
    });
  });
});
