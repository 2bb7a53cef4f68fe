import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ColumnType } from "../../core/index.ts";
import { createDuckDbDestination, type DuckDbDestination } from "./index.ts";
import { batch, record } from "./test-fixtures.ts";

// The coercion policy (sql-coercion.ts) as it lands in real DuckDB columns: one column per type, one record
// per value, and what the column and `_rejected` then hold.
const TYPES: readonly ColumnType[] = ["string", "integer", "number", "boolean", "timestamp", "json"];
const target = {
  provider: "test",
  stream: "values",
  table: "coerced",
  primaryKey: "id",
  schema: { columns: Object.fromEntries([["id", "string"], ...TYPES.map((type) => [type, type])]) },
};

let dest: DuckDbDestination;
let written = 0;

beforeAll(async () => {
  dest = await createDuckDbDestination({ path: ":memory:" });
  await dest.prepare(target);
});

afterAll(async () => {
  await dest.close();
});

interface Stored {
  value: unknown;
  /** The original value kept in `_rejected`, or undefined when nothing was rejected. */
  rejected: unknown;
}

/** Writes each value into the column of `type` (one record each) and reads back what was stored. */
async function store(type: ColumnType, values: readonly unknown[]): Promise<Stored[]> {
  const ids = values.map(() => `r${written++}`);
  await dest.write(
    batch(
      target,
      values.map((value, i) => record({ id: ids[i], [type]: value })),
    ),
  );
  // Timestamps as epoch microseconds, to compare exactly.
  const column = type === "timestamp" ? `epoch_us("timestamp")` : `"${type}"`;
  const rows = await dest.query(
    `SELECT id, ${column} AS value, _rejected FROM coerced WHERE id IN (${ids.map((id) => `'${id}'`)})`,
  );
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id) => {
    const row = byId.get(id);
    const rejected = row?._rejected === null ? undefined : JSON.parse(String(row?._rejected))[type];
    return { value: row?.value, rejected };
  });
}

/** The stored values, when none may be rejected. */
async function accepted(type: ColumnType, values: readonly unknown[]): Promise<unknown[]> {
  const stored = await store(type, values);
  expect(stored.map((s) => s.rejected)).toEqual(values.map(() => undefined));
  return stored.map((s) => s.value);
}

/** Asserts that every value is stored as NULL with the original kept in `_rejected`. */
async function expectRejected(type: ColumnType, values: readonly unknown[]): Promise<void> {
  expect(await store(type, values)).toEqual(values.map((value) => ({ value: null, rejected: value })));
}

const micros = (iso: string) => BigInt(Date.parse(iso)) * 1000n;

describe("coercion into typed columns", () => {
  it("stores null and missing values as NULL for every type, rejecting nothing", async () => {
    for (const type of TYPES) {
      expect(await accepted(type, [null, undefined])).toEqual([null, null]);
    }
  });

  it("writes anything into text columns", async () => {
    expect(
      await accepted("string", ["", "as is", 12.5, false, { a: [1] }, new Date("2024-01-02T03:04:05Z")]),
    ).toEqual(["", "as is", "12.5", "false", '{"a":[1]}', "2024-01-02T03:04:05.000Z"]);
  });

  it("reads whole numbers into BIGINT and rejects fractions and overflow", async () => {
    expect(
      await accepted("integer", [
        "42",
        " -7 ",
        "1500.00",
        3,
        "9223372036854775807",
        "   ",
        "\t8\n",
        "\u00a09\u3000",
      ]),
    ).toEqual([42n, -7n, 1500n, 3n, 9223372036854775807n, null, 8n, 9n]);
    await expectRejected("integer", [
      "1500.5",
      "9223372036854775808",
      "12abc",
      "0x10",
      "1_000",
      "\u00857", // NEL is not whitespace to JS's trim either
      1.5,
      true,
      {},
    ]);
  });

  it("reads decimal strings into DOUBLE and rejects the rest", async () => {
    expect(await accepted("number", ["1500.00", "-1.5e3", ".5", 2n, 12, ""])).toEqual([
      1500,
      -1500,
      0.5,
      2,
      12,
      null,
    ]);
    await expectRejected("number", ["1,500", "NaN", "Infinity", "1e999", "abc", false]);
  });

  it("reads booleans from common spellings", async () => {
    expect(await accepted("boolean", ["TRUE", "no", " y ", 1, 0, true, ""])).toEqual([
      true,
      false,
      true,
      true,
      false,
      true,
      null,
    ]);
    await expectRejected("boolean", ["maybe", 2, [true]]);
  });

  it("reads ISO 8601 strings, epoch millis and Dates into TIMESTAMPTZ", async () => {
    expect(
      await accepted("timestamp", [
        "2024-01-02T03:04:05.000Z",
        "2024-01-02T03:04:05.123456Z",
        "2024-01-02 05:04:05+02:00",
        "2024-01-02T03:04:05-0130",
        "2024-01-02T03:04",
        "2024-01-02",
        "0050-06-01",
        "1704164645000",
        1704164645000,
        new Date(5),
        "",
      ]),
    ).toEqual([
      micros("2024-01-02T03:04:05Z"),
      micros("2024-01-02T03:04:05Z") + 123456n,
      micros("2024-01-02T03:04:05Z"),
      micros("2024-01-02T04:34:05Z"),
      micros("2024-01-02T03:04:00Z"),
      micros("2024-01-02T00:00:00Z"),
      micros("0050-06-01T00:00:00Z"),
      1704164645000n * 1000n,
      1704164645000n * 1000n,
      5000n,
      null,
    ]);
  });

  it("rejects timestamps that are not real instants, and DuckDB-only spellings", async () => {
    await expectRejected("timestamp", [
      "2024-02-30",
      "2024-13-01",
      "2024-01-01T24:00:00Z",
      "2024-01-02T03:04:05+24:00",
      "next tuesday",
      "1/2/2024",
      "epoch",
      "infinity",
      1e20,
      {},
    ]);
  });

  it("stores any JSON value as JSON text", async () => {
    expect(await accepted("json", [{ a: 1, b: [true, null] }, "plain", [], 0])).toEqual([
      '{"a":1,"b":[true,null]}',
      '"plain"',
      "[]",
      "0",
    ]);
  });

  it("keeps the original JSON type of a rejected value", async () => {
    expect(await store("integer", [12.5, "12.5"])).toEqual([
      { value: null, rejected: 12.5 },
      { value: null, rejected: "12.5" },
    ]);
  });

  // Semantic changes from coercing JSON text instead of JS values: what JSON cannot carry arrives as the
  // engine's canonical JSON made it.
  it("sees NaN and invalid Dates as the null JSON makes of them, and bigints as numbers", async () => {
    expect(await accepted("number", [Number.NaN, Number.POSITIVE_INFINITY])).toEqual([null, null]);
    expect(await accepted("timestamp", [new Date(Number.NaN)])).toEqual([null]);
    expect(await accepted("json", [10n])).toEqual(["10"]);
  });
});
