import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor, toPage } from "./cursor.ts";

describe("cursors", () => {
  it("round-trips a sort key and refuses anything else with a clear error", () => {
    const cursor = encodeCursor(["2025-01-01T00:00:00.000Z", "conn_1"]);
    expect(decodeCursor(cursor, 2)).toEqual(["2025-01-01T00:00:00.000Z", "conn_1"]);
    expect(() => decodeCursor(cursor, 3)).toThrow(/cursor is not valid/);
    expect(() => decodeCursor("%%%", 2)).toThrow(/cursor is not valid/);
    expect(() => decodeCursor(encodeCursor(["a"]).slice(2), 1)).toThrow(/cursor is not valid/);
  });

  it("uses the extra row only to know that there is a next page", () => {
    expect(toPage([1, 2, 3], 2, (n) => [String(n)])).toEqual({
      items: [1, 2],
      nextCursor: encodeCursor(["2"]),
    });
    expect(toPage([1, 2], 2, (n) => [String(n)])).toEqual({ items: [1, 2], nextCursor: null });
  });
});
