import { describe, expect, it } from "vitest";
import { RecordInvalidError, type StreamDefinition } from "../core/index.ts";
import { hashRecord, prepareRecords } from "./prepare-records.ts";

const stream = {
  name: "things",
  primaryKey: "id",
  deletedField: "archived",
  schema: { columns: {} },
  read: async function* () {},
} satisfies StreamDefinition;

describe("hashRecord", () => {
  it("is the same whatever the key order, nested too", () => {
    expect(hashRecord({ a: 1, b: { c: 2, d: [1, 2] } })).toBe(hashRecord({ b: { d: [1, 2], c: 2 }, a: 1 }));
  });

  it("changes when any value changes", () => {
    const base = hashRecord({ a: 1, b: { c: 2 } });
    expect(hashRecord({ a: 1, b: { c: 3 } })).not.toBe(base);
    expect(hashRecord({ a: 1, b: { c: 2 }, e: null })).not.toBe(base);
  });
});

describe("prepareRecords", () => {
  it("keys records by their primary key and reads the deleted flag", () => {
    const prepared = prepareRecords(stream, [
      { id: 7, archived: true },
      { id: "x", archived: false },
    ]);
    expect(prepared.map((r) => [r.pk, r.deleted])).toEqual([
      ["7", true],
      ["x", false],
    ]);
  });

  it("rejects a record without its primary key, naming the key", () => {
    expect(() => prepareRecords(stream, [{ id: "1" }, { name: "no id" }])).toThrow(RecordInvalidError);
    expect(() => prepareRecords(stream, [{ id: "" }])).toThrow(/primary key "id"/);
  });

  it("rejects a record that is not an object", () => {
    expect(() => prepareRecords(stream, [null as unknown as Record<string, unknown>])).toThrow(
      /not an object/,
    );
  });
});
