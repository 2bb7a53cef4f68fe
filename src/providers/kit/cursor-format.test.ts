import { describe, expect, it } from "vitest";
import { formatCursor, parseCursorValue } from "./cursor-format.ts";

const MS = Date.parse("2025-01-02T03:04:05.678Z");

describe("formatCursor", () => {
  it("writes each format, rounding down", () => {
    expect(formatCursor(MS, "iso8601")).toBe("2025-01-02T03:04:05.678Z");
    expect(formatCursor(MS, "iso8601_seconds")).toBe("2025-01-02T03:04:05Z");
    expect(formatCursor(MS, "datetime_space")).toBe("2025-01-02 03:04:05");
    expect(formatCursor(MS, "date")).toBe("2025-01-02");
    expect(formatCursor(MS, "unix_seconds")).toBe(1735787045);
    expect(formatCursor(MS, "unix_ms")).toBe(MS);
  });
});

describe("parseCursorValue", () => {
  it("reads times without a zone as UTC", () => {
    expect(parseCursorValue("2025-01-02 03:04:05", "iso8601")).toBe(Date.parse("2025-01-02T03:04:05Z"));
    expect(parseCursorValue("2025-01-02T03:04:05.678", "iso8601")).toBe(MS);
    expect(parseCursorValue("2025-01-02", "date")).toBe(Date.parse("2025-01-02T00:00:00Z"));
    expect(parseCursorValue("2025-01-02T04:04:05.678+01:00", "iso8601")).toBe(MS);
  });

  it("reads numbers as the format says", () => {
    expect(parseCursorValue(1735787045, "unix_seconds")).toBe(1735787045000);
    expect(parseCursorValue("1735787045", "unix_seconds")).toBe(1735787045000);
    expect(parseCursorValue(MS, "unix_ms")).toBe(MS);
  });

  it("is null for empty values and NaN for what is not a time", () => {
    expect(parseCursorValue(null, "iso8601")).toBeNull();
    expect(parseCursorValue("", "iso8601")).toBeNull();
    expect(parseCursorValue("soon", "iso8601")).toBeNaN();
    expect(parseCursorValue({ at: 1 }, "iso8601")).toBeNaN();
  });
});
