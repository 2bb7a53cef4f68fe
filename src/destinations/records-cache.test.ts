import { describe, expect, it } from "vitest";
import type { PreparedRecord } from "../core/index.ts";
import { classifyChange } from "./records-cache.ts";

const record = (hash: string, deleted: boolean): PreparedRecord => ({
  pk: "1",
  hash,
  deleted,
  json: "{}",
  fields: [],
});

describe("classifyChange", () => {
  it("tells added, updated, unchanged and deleted apart", () => {
    expect(classifyChange(undefined, record("a", false))).toBe("added");
    expect(classifyChange({ hash: "a", deleted: false }, record("a", false))).toBe("unchanged");
    expect(classifyChange({ hash: "a", deleted: false }, record("b", false))).toBe("updated");
    expect(classifyChange({ hash: "a", deleted: false }, record("a", true))).toBe("deleted");
  });

  it("counts a deletion once: a deleted record seen again is unchanged, or updated if its content moved", () => {
    expect(classifyChange({ hash: "a", deleted: true }, record("a", true))).toBe("unchanged");
    expect(classifyChange({ hash: "a", deleted: true }, record("b", true))).toBe("updated");
    expect(classifyChange({ hash: "a", deleted: true }, record("a", false))).toBe("updated");
  });
});
