import { describe, expect, it } from "vitest";
import { coerceValue, REJECTED } from "./coerce-value.ts";

const value = (result: ReturnType<typeof coerceValue>) => (result === REJECTED ? "REJECTED" : result);

describe("coerceValue follows the warehouse's coercion policy", () => {
  it("keeps null and blank as NULL; blank stays text in string columns", () => {
    expect(value(coerceValue("integer", null))).toBeNull();
    expect(value(coerceValue("integer", "  "))).toBeNull();
    expect(value(coerceValue("string", ""))).toBe("");
  });

  it("reads strings, numbers, booleans and objects as text in string columns", () => {
    expect(value(coerceValue("string", 42))).toBe("42");
    expect(value(coerceValue("string", true))).toBe("true");
    expect(value(coerceValue("string", { a: 1 }))).toBe('{"a":1}');
  });

  it("types integers: whole numbers only, within bigint, kept exact as text", () => {
    expect(value(coerceValue("integer", " 1500.00 "))).toBe("1500");
    expect(value(coerceValue("integer", 7))).toBe("7");
    expect(value(coerceValue("integer", "9223372036854775807"))).toBe("9223372036854775807");
    expect(value(coerceValue("integer", "9223372036854775808"))).toBe("REJECTED");
    expect(value(coerceValue("integer", "1500.5"))).toBe("REJECTED");
    expect(value(coerceValue("integer", "0x10"))).toBe("REJECTED");
  });

  it("types numbers: finite decimals only", () => {
    expect(value(coerceValue("number", "-1.5e3"))).toBe(-1500);
    expect(value(coerceValue("number", 2.5))).toBe(2.5);
    expect(value(coerceValue("number", "1e999"))).toBe("REJECTED");
    expect(value(coerceValue("number", "1,500"))).toBe("REJECTED");
    expect(value(coerceValue("number", "NaN"))).toBe("REJECTED");
  });

  it("types booleans from their usual spellings", () => {
    expect(value(coerceValue("boolean", "Yes"))).toBe(true);
    expect(value(coerceValue("boolean", 0))).toBe(false);
    expect(value(coerceValue("boolean", "maybe"))).toBe("REJECTED");
  });

  it("types timestamps from epoch milliseconds and ISO 8601 (no offset means UTC)", () => {
    expect(value(coerceValue("timestamp", "1704164645000"))).toBe("2024-01-02T03:04:05.000000Z");
    expect(value(coerceValue("timestamp", "2024-01-02"))).toBe("2024-01-02T00:00:00.000000Z");
    expect(value(coerceValue("timestamp", "2024-01-02 03:04:05+02:00"))).toBe("2024-01-02T01:04:05.000000Z");
    expect(value(coerceValue("timestamp", "2024-01-02T03:04:05.123456789-0130"))).toBe(
      "2024-01-02T04:34:05.123456Z",
    );
    expect(value(coerceValue("timestamp", "2024-02-30"))).toBe("REJECTED");
    expect(value(coerceValue("timestamp", "2024-01-02t03:04"))).toBe("REJECTED");
    expect(value(coerceValue("timestamp", "9e15"))).toBe("REJECTED");
  });

  it("reads JS's own ISO form (ms and Z) as the full parse does, and still rejects days that do not exist", () => {
    expect(value(coerceValue("timestamp", "2021-08-15T19:29:33.474Z"))).toBe("2021-08-15T19:29:33.474000Z");
    expect(value(coerceValue("timestamp", "2024-02-29T23:59:59.999Z"))).toBe("2024-02-29T23:59:59.999000Z");
    expect(value(coerceValue("timestamp", "0001-01-01T00:00:00.000Z"))).toBe("0001-01-01T00:00:00.000000Z");
    // Date.parse rolls these over to the next month; the timestamp must be rejected, not moved.
    expect(value(coerceValue("timestamp", "2024-02-30T00:00:00.000Z"))).toBe("REJECTED");
    expect(value(coerceValue("timestamp", "2023-02-29T12:00:00.000Z"))).toBe("REJECTED");
    expect(value(coerceValue("timestamp", "2024-04-31T00:00:00.000Z"))).toBe("REJECTED");
    expect(value(coerceValue("timestamp", "2024-13-01T00:00:00.000Z"))).toBe("REJECTED");
  });

  it("agrees with Date on every day 00-31 of every month 00-13 of common, leap and century years", () => {
    for (const year of ["1900", "2000", "2023", "2024", "0000", "9999"]) {
      for (let month = 0; month <= 13; month++) {
        for (let day = 0; day <= 31; day++) {
          for (const time of [
            "00:00:00.000",
            "23:59:59.999",
            "24:00:00.000",
            "12:60:00.000",
            "12:00:60.000",
          ]) {
            const text = `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}T${time}Z`;
            // Date's reading, where it keeps the text as it is: a time that exists.
            const millis = Date.parse(text);
            const exists = !Number.isNaN(millis) && new Date(millis).toISOString() === text;
            expect(value(coerceValue("timestamp", text)), text).toBe(
              exists ? `${text.slice(0, 23)}000Z` : "REJECTED",
            );
          }
        }
      }
    }
  });

  it("keeps JSON as is, with NUL (which Postgres cannot hold) replaced", () => {
    expect(value(coerceValue("json", ["a", { b: "x\u0000y" }]))).toEqual(["a", { b: "x\uFFFDy" }]);
    expect(value(coerceValue("string", "a\u0000"))).toBe("a\uFFFD");
  });
});
