/** The snapshot pages in the keys' byte order on both stores, as the sorted diff needs; links and drops. */
import { describe, expect } from "vitest";
import { itOnSqliteAndPostgres } from "../../../test/helpers/postgres.ts";
import { compareKeys } from "./diff.ts";
import { advanceSnapshot, dropFromSnapshot, linksOf, readSnapshotPage, retlDb, saveLink } from "./store.ts";

describe("the reverse-ETL snapshot", () => {
  itOnSqliteAndPostgres(async (store) => {
    const db = retlDb(store.db);
    // Upper and lower case, digits, punctuation and non-ASCII: a locale collation would order these otherwise.
    const keys = ["b", "B", "a", "_z", "10", "9", "é", "e", "Z", "~"];
    for (const key of keys) await advanceSnapshot(db, "sync_1", key, `h-${key}`);
    await advanceSnapshot(db, "sync_2", "a", "other sync");
    await advanceSnapshot(db, "sync_1", "a", "h-a2");

    const read: string[] = [];
    for (let page = await readSnapshotPage(db, "sync_1", undefined, 3); page.length > 0; ) {
      read.push(...page.map((entry) => entry.pk));
      page = await readSnapshotPage(db, "sync_1", page[page.length - 1]!.pk, 3);
    }
    expect(read).toEqual([...keys].sort(compareKeys));
    expect((await readSnapshotPage(db, "sync_1", undefined, 100)).find((e) => e.pk === "a")?.hash).toBe(
      "h-a2",
    );

    await dropFromSnapshot(db, "sync_1", "a");
    expect((await readSnapshotPage(db, "sync_1", undefined, 100)).map((e) => e.pk)).not.toContain("a");
    await saveLink(db, "sync_1", "b", "101");
    await saveLink(db, "sync_1", "b", "102");
    expect(await linksOf(db, "sync_1", ["b", "c"])).toEqual(new Map([["b", "102"]]));
  });
});
