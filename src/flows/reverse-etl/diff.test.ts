/** The sorted-merge diff: added, changed, removed and unchanged rows, paging through the snapshot, bad keys. */
import { describe, expect, it } from "vitest";
import {
  type Change,
  compareKeys,
  ModelKeyError,
  type ModelRow,
  type SnapshotEntry,
  SortedDiff,
} from "./diff.ts";

function diffOf(snapshot: SnapshotEntry[], pageSize = 2) {
  const changes: Change[] = [];
  const reads: (string | undefined)[] = [];
  const diff = new SortedDiff(
    async (after) => {
      reads.push(after);
      const rest = after === undefined ? snapshot : snapshot.filter((e) => compareKeys(e.pk, after) > 0);
      return rest.slice(0, pageSize);
    },
    async (change) => {
      changes.push(change);
    },
  );
  return { diff, changes, reads };
}

const row = (pk: string, hash: string): ModelRow => ({ pk, hash, row: { pk } });

describe("SortedDiff", () => {
  it("finds added, changed and removed rows across chunks and snapshot pages", async () => {
    const snapshot = ["a", "b", "c", "d", "e"].map((pk) => ({ pk, hash: `h${pk}` }));
    const { diff, changes } = diffOf(snapshot);
    await diff.push([row("a", "ha"), row("b", "CHANGED")]);
    await diff.push([row("bb", "new"), row("d", "hd")]);
    await diff.finish();
    expect(changes.map((c) => `${c.kind}:${c.pk}`)).toEqual([
      "changed:b",
      "added:bb",
      "removed:c",
      "removed:e",
    ]);
    expect(diff.counts).toEqual({ added: 1, changed: 1, removed: 2, unchanged: 2 });
  });

  it("reads the snapshot page by page, never all of it at once", async () => {
    const snapshot = Array.from({ length: 7 }, (_, i) => ({ pk: `k${i}`, hash: "h" }));
    const { diff, reads } = diffOf(snapshot, 3);
    await diff.push(snapshot.map((e) => row(e.pk, "h")));
    await diff.finish();
    expect(reads).toEqual([undefined, "k2", "k5", "k6"]);
    expect(diff.counts.unchanged).toBe(7);
  });

  it("refuses a repeated key and keys out of order", async () => {
    const repeated = diffOf([]).diff;
    await expect(repeated.push([row("a", "1"), row("a", "2")])).rejects.toThrow(ModelKeyError);
    const unordered = diffOf([]).diff;
    await expect(unordered.push([row("b", "1"), row("a", "2")])).rejects.toThrow(/out of key order/);
  });

  it("orders keys by their UTF-8 bytes, as the warehouse and the store do", () => {
    expect(compareKeys("a", "b")).toBeLessThan(0);
    expect(compareKeys("10", "9")).toBeLessThan(0);
    // U+FF5E sorts before U+1F600 in UTF-8, after it in UTF-16 units.
    expect(compareKeys("\uFF5E", "\u{1F600}")).toBeLessThan(0);
  });

  it("reads a row's values only for added and changed rows (the warehouse's rows convert them on demand)", async () => {
    const read: string[] = [];
    const lazy = (pk: string, hash: string): ModelRow => ({
      pk,
      hash,
      get row() {
        read.push(pk);
        return { pk };
      },
    });
    const { diff, changes } = diffOf([
      { pk: "a", hash: "1" },
      { pk: "b", hash: "1" },
    ]);
    await diff.push([lazy("a", "1"), lazy("b", "2"), lazy("c", "1")]);
    await diff.finish();
    expect(read).toEqual(["b", "c"]);
    expect(changes.map((c) => (c.kind === "removed" ? null : c.row))).toEqual([{ pk: "b" }, { pk: "c" }]);
  });
});
