import { describe, expect, it } from "vitest";
import {
  changedSpans,
  chooseWidth,
  FingerprintBuilder,
  RECORDS_PER_RANGE,
  rangeOf,
} from "./association-fingerprint.ts";

const PAIRS: [string, string][] = [
  ["101", "7"],
  ["102", "7"],
  ["250", "8"],
  ["251", "9"],
  ["999", "7"],
];

function fingerprint(pairs: readonly [string, string][], width = 100) {
  const builder = new FingerprintBuilder(width);
  for (const [recordId, companyId] of pairs) builder.add(recordId, companyId);
  return builder.build();
}

describe("association fingerprint", () => {
  it("does not depend on the order pairs arrive in", () => {
    expect(fingerprint([...PAIRS].reverse())).toEqual(fingerprint(PAIRS));
    expect(Object.keys(fingerprint(PAIRS).digests)).toEqual(["1", "2", "9"]);
  });

  it("finds exactly the ranges whose pairs changed, merging neighbours into spans", () => {
    const before = fingerprint(PAIRS);
    // 102 moves to another company, 251 loses its company, 305 gains one: ranges 1, 2 and 3 change.
    const after = fingerprint([
      ["101", "7"],
      ["102", "8"],
      ["250", "8"],
      ["305", "7"],
      ["999", "7"],
    ]);
    expect(changedSpans(before, after)).toEqual([[1, 3]]);
    expect(changedSpans(before, fingerprint(PAIRS.filter(([id]) => id !== "999")))).toEqual([[9, 9]]);
    expect(changedSpans(before, before)).toEqual([]);
  });

  it("chooses a width that gives about RECORDS_PER_RANGE records per range", () => {
    const width = chooseWidth(1, 10_000, 10_000);
    expect(Math.ceil(10_000 / width)).toBe(10_000 / RECORDS_PER_RANGE);
    // Sparse ids: the same number of ranges over a wider span.
    expect(chooseWidth(1, 1_000_000, 10_000)).toBe(50_000);
    expect(chooseWidth(0, 0, 0)).toBeGreaterThan(0);
  });

  it("refuses an id that is not a whole number, naming it", () => {
    expect(rangeOf("12345", 100)).toBe(123);
    expect(() => rangeOf("abc", 100)).toThrow(/"abc", which is not a whole number/);
  });
});
