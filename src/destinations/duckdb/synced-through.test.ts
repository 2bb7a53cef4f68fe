import { describe, expect, it } from "vitest";
import { batch, contactsTarget, destinationPerTest, record } from "./test-fixtures.ts";

const target = contactsTarget();

const duck = destinationPerTest("warehouse.duckdb", target);

describe("syncedThrough", () => {
  it("is null until a batch carries a mark, then the batch's mark, per connection, kept in the file", async () => {
    expect(await duck.dest.syncedThrough("conn_1", target)).toBeNull();
    await duck.dest.write(batch(target, [record({ id: "1" })]));
    expect(await duck.dest.syncedThrough("conn_1", target)).toBeNull();

    await duck.dest.write({
      ...batch(target, [record({ id: "2" })]),
      syncedThrough: "2025-01-01T00:00:01.000Z",
    });
    await duck.dest.write({ ...batch(target, [], "conn_2"), syncedThrough: "2025-01-02T00:00:00.000Z" });
    expect(await duck.dest.syncedThrough("conn_1", target)).toBe("2025-01-01T00:00:01.000Z");
    expect(await duck.dest.syncedThrough("conn_2", target)).toBe("2025-01-02T00:00:00.000Z");
    expect(await duck.dest.syncedThrough("conn_1", contactsTarget({}, "other_table"))).toBeNull();

    await duck.reopen();
    expect(await duck.dest.syncedThrough("conn_1", target)).toBe("2025-01-01T00:00:01.000Z");
  });

  it("does not move when the batch's transaction fails", async () => {
    const numeric = contactsTarget({ id: "integer" }, "numeric_ids");
    await duck.dest.prepare(numeric);
    await duck.dest.write({
      ...batch(numeric, [record({ id: "1" })]),
      syncedThrough: "2025-01-01T00:00:00.000Z",
    });
    const failing = duck.dest.write({
      ...batch(numeric, [record({ id: "2" }), record({ id: "two" })]),
      syncedThrough: "2025-01-03T00:00:00.000Z",
    });
    await expect(failing).rejects.toThrow();
    expect(await duck.dest.syncedThrough("conn_1", numeric)).toBe("2025-01-01T00:00:00.000Z");
  });
});
