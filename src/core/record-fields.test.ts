import { describe, expect, it } from "vitest";
import { fieldsOf } from "./record-fields.ts";

describe("fieldsOf", () => {
  it("lists top-level fields sorted, shared by records with the same fields in any order", () => {
    const first = fieldsOf({ b: 1, a: { z: 1 }, c: null });
    expect(first).toEqual(["a", "b", "c"]);
    expect(Object.isFrozen(first)).toBe(true);
    expect(fieldsOf({ b: 2, a: 3, c: 4 })).toBe(first);
    expect(fieldsOf({ c: 2, b: 3, a: 4 })).toBe(first);
  });

  it("gives a different list when a field is added or missing", () => {
    const base = fieldsOf({ a: 1, b: 2 });
    expect(fieldsOf({ a: 1, b: 2, c: 3 })).toEqual(["a", "b", "c"]);
    expect(fieldsOf({ a: 1 })).toEqual(["a"]);
    expect(fieldsOf({})).toEqual([]);
    expect(fieldsOf({ b: 1, a: 2 })).toBe(base);
  });
});
