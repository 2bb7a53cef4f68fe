import { describe, expect, it } from "vitest";
import { convertValue } from "./value-types.ts";

describe("convertValue", () => {
  it("reads times as ISO-8601 UTC: canonical ISO as it is, epoch milliseconds, dates, offsets", () => {
    expect(convertValue("2024-02-29T10:00:00.000Z", "timestamp")).toEqual({
      ok: true,
      value: "2024-02-29T10:00:00.000Z",
    });
    expect(convertValue("1700000000000", "timestamp")).toEqual({
      ok: true,
      value: "2023-11-14T22:13:20.000Z",
    });
    expect(convertValue("2024-02-29", "timestamp")).toEqual({ ok: true, value: "2024-02-29T00:00:00.000Z" });
    expect(convertValue("2024-02-29T10:00:00+02:00", "timestamp")).toEqual({
      ok: true,
      value: "2024-02-29T08:00:00.000Z",
    });
    // Shaped like the canonical form but no real time: refused, not passed through.
    expect(convertValue("2024-02-30T99:00:00.000Z", "timestamp").ok).toBe(false);
    expect(convertValue("soon", "timestamp").ok).toBe(false);
  });

  it("reads true and false in any case, and nothing else, as booleans", () => {
    expect(convertValue("TRUE", "boolean")).toEqual({ ok: true, value: true });
    expect(convertValue("False", "boolean")).toEqual({ ok: true, value: false });
    expect(convertValue(true, "boolean")).toEqual({ ok: true, value: true });
    expect(convertValue("yes", "boolean")).toEqual({ ok: false, problem: '"yes" is not true or false' });
  });

  it("converts numbers strictly and empty values to null", () => {
    expect(convertValue("1500.5", "number")).toEqual({ ok: true, value: 1500.5 });
    expect(convertValue("12.5", "integer")).toEqual({ ok: false, problem: '"12.5" is not a whole number' });
    expect(convertValue("twelve", "number")).toEqual({ ok: false, problem: '"twelve" is not a number' });
    expect(convertValue("", "number")).toEqual({ ok: true, value: null });
    expect(convertValue(null, "string")).toEqual({ ok: true, value: null });
  });
});
