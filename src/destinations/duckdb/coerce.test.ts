import { DuckDBTimestampTZValue } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import { coerceValue, REJECTED } from "./coerce.ts";

/** Microseconds of a coerced timestamp, to compare with Date-based expectations. */
function micros(value: unknown) {
  const cell = coerceValue(value, "timestamp");
  return cell instanceof DuckDBTimestampTZValue ? cell.micros : cell;
}

const ms = (iso: string) => BigInt(Date.parse(iso)) * 1000n;

describe("coerceValue", () => {
  it("passes null through for every type", () => {
    for (const type of ["string", "integer", "number", "boolean", "timestamp", "json"] as const) {
      expect(coerceValue(null, type)).toBeNull();
      expect(coerceValue(undefined, type)).toBeNull();
    }
  });

  it("writes anything into text columns", () => {
    expect(coerceValue("", "string")).toBe("");
    expect(coerceValue(12.5, "string")).toBe("12.5");
    expect(coerceValue(false, "string")).toBe("false");
    expect(coerceValue({ a: [1] }, "string")).toBe('{"a":[1]}');
    expect(coerceValue(new Date("2024-01-02T03:04:05Z"), "string")).toBe("2024-01-02T03:04:05.000Z");
  });

  it("reads whole numbers into BIGINT and rejects fractions and overflow", () => {
    expect(coerceValue("42", "integer")).toBe(42n);
    expect(coerceValue(" -7 ", "integer")).toBe(-7n);
    expect(coerceValue("1500.00", "integer")).toBe(1500n);
    expect(coerceValue(3, "integer")).toBe(3n);
    expect(coerceValue("9223372036854775807", "integer")).toBe(9223372036854775807n);
    expect(coerceValue("   ", "integer")).toBeNull();
    for (const bad of ["1500.5", "9223372036854775808", "12abc", "0x10", 1.5, true, {}]) {
      expect(coerceValue(bad, "integer")).toBe(REJECTED);
    }
  });

  it("reads decimal strings into DOUBLE and rejects the rest", () => {
    expect(coerceValue("1500.00", "number")).toBe(1500);
    expect(coerceValue("-1.5e3", "number")).toBe(-1500);
    expect(coerceValue(".5", "number")).toBe(0.5);
    expect(coerceValue(2n, "number")).toBe(2);
    for (const bad of ["1,500", "NaN", "Infinity", "1e999", Number.NaN, "abc", false]) {
      expect(coerceValue(bad, "number")).toBe(REJECTED);
    }
  });

  it("reads booleans from common spellings", () => {
    expect(coerceValue("TRUE", "boolean")).toBe(true);
    expect(coerceValue("no", "boolean")).toBe(false);
    expect(coerceValue(1, "boolean")).toBe(true);
    expect(coerceValue("", "boolean")).toBeNull();
    expect(coerceValue("maybe", "boolean")).toBe(REJECTED);
    expect(coerceValue(2, "boolean")).toBe(REJECTED);
  });

  it("reads ISO 8601 strings, epoch millis and Dates into TIMESTAMPTZ", () => {
    expect(micros("2024-01-02T03:04:05.000Z")).toBe(ms("2024-01-02T03:04:05Z"));
    expect(micros("2024-01-02T03:04:05.123456Z")).toBe(ms("2024-01-02T03:04:05Z") + 123456n);
    expect(micros("2024-01-02 05:04:05+02:00")).toBe(ms("2024-01-02T03:04:05Z"));
    expect(micros("2024-01-02T03:04:05-0130")).toBe(ms("2024-01-02T04:34:05Z"));
    expect(micros("2024-01-02T03:04")).toBe(ms("2024-01-02T03:04:00Z"));
    expect(micros("2024-01-02")).toBe(ms("2024-01-02T00:00:00Z"));
    expect(micros("0050-06-01")).toBe(ms("0050-06-01T00:00:00Z"));
    expect(micros("1704164645000")).toBe(1704164645000n * 1000n);
    expect(micros(1704164645000)).toBe(1704164645000n * 1000n);
    expect(micros(new Date(5))).toBe(5000n);
    expect(micros("")).toBeNull();
  });

  it("rejects timestamps that are not real instants", () => {
    for (const bad of [
      "2024-02-30",
      "2024-13-01",
      "2024-01-01T24:00:00Z",
      "next tuesday",
      "1/2/2024",
      1e20,
      {},
    ]) {
      expect(coerceValue(bad, "timestamp")).toBe(REJECTED);
    }
    expect(coerceValue(new Date(Number.NaN), "timestamp")).toBe(REJECTED);
  });

  it("stores any JSON value as JSON text", () => {
    expect(coerceValue({ a: 1, b: [true, null] }, "json")).toBe('{"a":1,"b":[true,null]}');
    expect(coerceValue("plain", "json")).toBe('"plain"');
    expect(coerceValue(10n, "json")).toBe('"10"');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(coerceValue(cyclic, "json")).toBe(REJECTED);
  });
});
