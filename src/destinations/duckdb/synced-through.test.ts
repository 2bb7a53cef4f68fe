import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDuckDbDestination, type DuckDbDestination } from "./index.ts";
import { batch, contactsTarget, record, tempDir } from "./test-fixtures.ts";

let dir: Awaited<ReturnType<typeof tempDir>>;
let dest: DuckDbDestination;
const target = contactsTarget();

beforeEach(async () => {
  dir = await tempDir();
  dest = await createDuckDbDestination({ path: dir.file("warehouse.duckdb") });
  await dest.prepare(target);
});

afterEach(async () => {
  await dest.close();
  await dir.cleanup();
});

describe("syncedThrough", () => {
  it("is null until a batch carries a mark, then the batch's mark, per connection, kept in the file", async () => {
    expect(await dest.syncedThrough("conn_1", target)).toBeNull();
    await dest.write(batch(target, [record({ id: "1" })]));
    expect(await dest.syncedThrough("conn_1", target)).toBeNull();

    await dest.write({ ...batch(target, [record({ id: "2" })]), syncedThrough: "2025-01-01T00:00:01.000Z" });
    await dest.write({ ...batch(target, [], "conn_2"), syncedThrough: "2025-01-02T00:00:00.000Z" });
    expect(await dest.syncedThrough("conn_1", target)).toBe("2025-01-01T00:00:01.000Z");
    expect(await dest.syncedThrough("conn_2", target)).toBe("2025-01-02T00:00:00.000Z");
    expect(await dest.syncedThrough("conn_1", contactsTarget({}, "other_table"))).toBeNull();

    await dest.close();
    dest = await createDuckDbDestination({ path: dir.file("warehouse.duckdb") });
    expect(await dest.syncedThrough("conn_1", target)).toBe("2025-01-01T00:00:01.000Z");
  });

  it("does not move when the batch's transaction fails", async () => {
    const numeric = contactsTarget({ id: "integer" }, "numeric_ids");
    await dest.prepare(numeric);
    await dest.write({ ...batch(numeric, [record({ id: "1" })]), syncedThrough: "2025-01-01T00:00:00.000Z" });
    const failing = dest.write({
      ...batch(numeric, [record({ id: "2" }), record({ id: "two" })]),
      syncedThrough: "2025-01-03T00:00:00.000Z",
    });
    await expect(failing).rejects.toThrow();
    expect(await dest.syncedThrough("conn_1", numeric)).toBe("2025-01-01T00:00:00.000Z");
  });
});
