/** The emulator's SOQL subset: what it parses, how it filters and orders, and what it refuses. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call } from "../../../emulator/testing.ts";
import { type SalesforceEmulator, startSalesforceEmulator } from "./index.ts";
import { parseSoql, SoqlSyntaxError } from "./soql.ts";

describe("parseSoql", () => {
  it("parses fields, FIELDS(), WHERE with AND/OR/NOT, IN, LIKE and datetimes, ORDER BY, LIMIT and OFFSET", () => {
    const query = parseSoql(
      "select Id, Name FROM contact WHERE (Email LIKE '%@example.com' OR Title IN ('CTO', 'CFO')) AND NOT IsDeleted = true AND SystemModstamp >= 2026-01-02T03:04:05.123+01:00 ORDER BY SystemModstamp DESC NULLS LAST, Id LIMIT 10 OFFSET 5",
    );
    expect(query.select).toEqual([
      { kind: "field", name: "Id" },
      { kind: "field", name: "Name" },
    ]);
    expect(query.from).toBe("contact");
    expect(query.orderBy).toEqual([
      { field: "SystemModstamp", descending: true, nullsLast: true },
      { field: "Id", descending: false, nullsLast: false },
    ]);
    expect(query).toMatchObject({ limit: 10, offset: 5 });
    expect(query.where).toMatchObject({
      kind: "and",
      items: [
        { kind: "or" },
        {
          kind: "not",
          item: { kind: "compare", field: "IsDeleted", op: "=", value: { kind: "boolean", value: true } },
        },
        {
          kind: "compare",
          op: ">=",
          value: { kind: "datetime", value: Date.parse("2026-01-02T02:04:05.123Z") },
        },
      ],
    });
    expect(parseSoql("SELECT FIELDS(ALL) FROM Account LIMIT 200").select).toEqual([
      { kind: "fields", which: "ALL" },
    ]);
    expect(parseSoql("SELECT COUNT() FROM Account").select).toEqual([{ kind: "count" }]);
  });

  it("refuses what is outside the subset, naming the token", () => {
    expect(() => parseSoql("SELECT Id FROM Contact WHERE")).toThrow(SoqlSyntaxError);
    expect(() => parseSoql("SELECT Id FROM Contact GROUP BY Name")).toThrow("unexpected token: 'GROUP'");
    expect(() => parseSoql("SELECT Id, FROM Contact")).toThrow("unexpected token: 'FROM'");
    expect(() => parseSoql("SELECT FIELDS(SOME) FROM Contact")).toThrow(/ALL, STANDARD or CUSTOM/);
  });
});

describe("query over the emulated org", () => {
  let emulator: SalesforceEmulator;
  beforeAll(async () => {
    emulator = await startSalesforceEmulator({ seed: 9, size: { contacts: 60, accounts: 10, users: 4 } });
  });
  afterAll(() => emulator.close());
  const query = (soql: string, all = false) =>
    call<{ totalSize: number; records: Record<string, unknown>[] } & { message?: string }[]>(
      emulator,
      "GET",
      `/services/data/v62.0/${all ? "queryAll" : "query"}?q=${encodeURIComponent(soql)}`,
    );

  it("filters case-insensitively, orders with nulls first by default, and limits", async () => {
    const truth = emulator.groundTruth("Contact").live;
    const phone = truth
      .filter((record) => record.Preferred_Channel__c === "Phone")
      .map((record) => record.Id);
    const byPhone = await query("SELECT Id FROM Contact WHERE Preferred_Channel__c = 'PHONE'");
    expect(byPhone.json.records.map((record) => record.Id).sort()).toEqual([...phone].sort());
    const ordered = await query(
      "SELECT Id, Preferred_Channel__c FROM Contact ORDER BY Preferred_Channel__c LIMIT 60",
    );
    const values = ordered.json.records.map((record) => record.Preferred_Channel__c);
    const nulls = values.filter((value) => value === null).length;
    expect(nulls).toBeGreaterThan(0);
    expect(values.slice(0, nulls).every((value) => value === null)).toBe(true);
    const limited = await query("SELECT Id FROM Contact LIMIT 7 OFFSET 3");
    expect(limited.json.records.map((record) => record.Id)).toEqual(
      truth.slice(3, 10).map((record) => record.Id),
    );
  });

  it("returns deleted rows only through queryAll", async () => {
    const { deleted } = emulator.change({ object: "Contact", deletes: 2 });
    const soql = `SELECT Id, IsDeleted FROM Contact WHERE Id IN ('${deleted.join("','")}')`;
    expect((await query(soql)).json.totalSize).toBe(0);
    expect((await query(soql, true)).json.records).toEqual(
      deleted.map((Id) => expect.objectContaining({ Id, IsDeleted: true })),
    );
  });

  it("refuses an unbounded FIELDS(ALL), a filter of the wrong type, and a field named twice", async () => {
    for (const soql of [
      "SELECT FIELDS(ALL) FROM Contact",
      "SELECT Id FROM Contact WHERE SystemModstamp > '2026-01-01'",
      "SELECT Id, id FROM Contact",
    ]) {
      const response = await query(soql);
      expect(response.status, soql).toBe(400);
      expect(response.json[0]).toMatchObject({ errorCode: "MALFORMED_QUERY" });
    }
  });
});
