import { describe, expect, it } from "vitest";
import { planNewColumns } from "./schema-evolution.ts";
import { TableShape } from "./table-shape.ts";
import { batch, contactsTarget, destinationPerTest, record } from "./test-fixtures.ts";

describe("planNewColumns", () => {
  const shape = new TableShape("t", "id", [
    { name: "id", type: "string" },
    { name: "Email", type: "string" },
  ]);

  it("infers types from values, widening across the batch", () => {
    const plan = planNewColumns(shape, [
      record({ id: "1", s: "x", i: 1, f: 1.5, b: true, o: { a: 1 }, l: [1], mixed: 1, nothing: null }),
      record({ id: "2", mixed: 2.5, i: 2, late: null }),
      record({ id: "3", late: "now" }),
    ]);
    expect(Object.fromEntries(plan.added.map((c) => [c.name, c.type]))).toEqual({
      s: "string",
      i: "integer",
      f: "number",
      b: "boolean",
      o: "json",
      l: "json",
      mixed: "number",
      late: "string",
    });
    expect(plan.unmatched).toEqual([]);
  });

  it("still sees new fields in records whose keys repeat the previous record's", () => {
    const plan = planNewColumns(shape, [
      record({ id: "1", Email: "a" }),
      record({ id: "2", Email: "b" }),
      record({ id: "3", late: null }),
      record({ id: "4", late: 5 }),
      record({ id: "5", late: 5.5 }),
      record({ id: "6", EMAIL: null }),
      record({ id: "7", EMAIL: "x" }),
    ]);
    expect(plan.added).toEqual([{ name: "late", type: "number" }]);
    expect(plan.unmatched).toEqual(["EMAIL"]);
  });

  it("never turns reserved, empty or case-variant names into columns", () => {
    const plan = planNewColumns(shape, [
      record({ id: "1", email: "a", _deleted: "x", "": 1, Foo: 1, foo: 2 }),
    ]);
    expect(plan.added.map((c) => c.name)).toEqual(["Foo"]);
    expect(plan.unmatched.sort()).toEqual(["", "_deleted", "email", "foo"]);
  });
});

describe("schema evolution", () => {
  const target = contactsTarget();

  const duck = destinationPerTest("evolve.duckdb");

  async function columnTypes(): Promise<Record<string, string>> {
    const result = await duck.dest.query(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'test_contacts'",
    );
    return Object.fromEntries(result.map((row) => [String(row.column_name), String(row.data_type)]));
  }

  it("adds a column for a new field, keeps it after reopening, and accepts later batches without it", async () => {
    await duck.dest.prepare(target);
    await duck.dest.write(
      batch(target, [
        record({ id: "1", email: "a@x.io", lifecycle: "lead", score: 7, tags: ["vip"], ratio: 0.5 }),
      ]),
    );
    expect(await columnTypes()).toMatchObject({
      lifecycle: "VARCHAR",
      score: "BIGINT",
      tags: "JSON",
      ratio: "DOUBLE",
    });

    await duck.reopen();
    // The stream's declared schema still lacks the new fields; the table keeps them.
    await duck.dest.prepare(target);
    expect(await columnTypes()).toMatchObject({ lifecycle: "VARCHAR", score: "BIGINT" });

    // Types were read back from DuckDB: "8" goes into the BIGINT column, "high" is rejected from it.
    await duck.dest.write(
      batch(target, [
        record({ id: "2", email: "b@x.io" }),
        record({ id: "3", score: "8" }),
        record({ id: "4", score: "high" }),
      ]),
    );
    const rows = await duck.dest.query(
      "SELECT id, lifecycle, score, tags, _rejected FROM test_contacts ORDER BY id",
    );
    expect(rows).toEqual([
      { id: "1", lifecycle: "lead", score: 7n, tags: '["vip"]', _rejected: null },
      { id: "2", lifecycle: null, score: null, tags: null, _rejected: null },
      { id: "3", lifecycle: null, score: 8n, tags: null, _rejected: null },
      { id: "4", lifecycle: null, score: null, tags: null, _rejected: '{"score":"high"}' },
    ]);
  });

  it("keeps values of fields that cannot become columns in _rejected", async () => {
    await duck.dest.prepare(target);
    await duck.dest.write(batch(target, [record({ id: "1", EMAIL: "shout@x.io", _hash: "mine" })]));
    const [row] = await duck.dest.query("SELECT email, _hash, _rejected FROM test_contacts");
    expect(row?.email).toBeNull();
    expect(row?._hash).toBe(record({ id: "1", EMAIL: "shout@x.io", _hash: "mine" }).hash);
    expect(JSON.parse(String(row?._rejected))).toEqual({ EMAIL: "shout@x.io", _hash: "mine" });
  });

  it("keeps unmatched fields whatever characters their names have, and only where they have a value", async () => {
    const odd = contactsTarget({ "a/b~c": "string" });
    await duck.dest.prepare(odd);
    await duck.dest.write(
      batch(odd, [
        record({ id: "1", "A/B~C": { nested: [1] }, "": "empty name" }),
        record({ id: "2", "A/B~C": null, "": null, amount: "n/a" }),
      ]),
    );
    const rows = await duck.dest.query('SELECT id, "a/b~c", _rejected FROM test_contacts ORDER BY id');
    expect(rows.map((row) => [row["a/b~c"], JSON.parse(String(row._rejected))])).toEqual([
      [null, { "A/B~C": { nested: [1] }, "": "empty name" }],
      [null, { amount: "n/a" }],
    ]);
  });
});
