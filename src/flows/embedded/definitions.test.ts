import { describe, expect, it } from "vitest";
import { embeddedSyncInput, MAX_PUSH, mappingFor, pushInput, sourceInput } from "./definitions.ts";

describe("mappingFor", () => {
  const base = [
    { column: "first_name", field: "first_name" },
    { column: "email", field: "email_addresses.0.email_address" },
  ];

  it("is the sync's mapping when the connection has none", () => {
    expect(mappingFor(base, undefined)).toEqual(base);
    expect(mappingFor(base, [])).toEqual(base);
  });

  it("replaces the entry for a field the connection maps, and adds the others", () => {
    const own = [
      { column: "nickname", field: "first_name" },
      { column: "surname", field: "last_name" },
    ];
    expect(mappingFor(base, own)).toEqual([base[1], ...own]);
  });
});

describe("input schemas", () => {
  it("caps a push at MAX_PUSH records and MAX_PUSH deletes", () => {
    const records = Array.from({ length: MAX_PUSH + 1 }, (_, i) => ({ id: i }));
    expect(pushInput.safeParse({ records }).success).toBe(false);
    expect(pushInput.safeParse({ records: records.slice(1) }).success).toBe(true);
    expect(pushInput.safeParse({ deletes: records.map((r) => r.id) }).success).toBe(false);
    expect(pushInput.parse({})).toEqual({ records: [], deletes: [] });
  });

  it("takes exactly one of a postgres source's table and query", () => {
    const pg = { name: "p", kind: "postgres", primary_key: "id", connection_string: "postgres://h/db" };
    expect(sourceInput.safeParse(pg).success).toBe(false);
    expect(sourceInput.safeParse({ ...pg, table: "t", query: "SELECT 1" }).success).toBe(false);
    expect(sourceInput.safeParse({ ...pg, table: "public.t" }).success).toBe(true);
    expect(sourceInput.safeParse({ ...pg, table: "t; DROP TABLE x" }).success).toBe(false);
    expect(
      sourceInput.safeParse({ ...pg, connection_string: "mysql://h/db", query: "SELECT 1" }).success,
    ).toBe(false);
  });

  it("defaults an embedded sync to upsert, every connection, no schedule", () => {
    const parsed = embeddedSyncInput.parse({
      source: "users",
      model: "Contact",
      mapping: [{ column: "email", field: "email_addresses.0.email_address" }],
    });
    expect(parsed).toMatchObject({ mode: "upsert", filter: {}, connection_mappings: {}, frequency: null });
  });
});
