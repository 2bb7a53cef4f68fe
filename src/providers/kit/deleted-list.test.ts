import { describe, expect, it } from "vitest";
import { type DeletedListPage, type DeletedListPosition, readDeletedList } from "./deleted-list.ts";

interface Item {
  id: string;
  deletedAt?: string;
}

const at = (minute: number) => new Date(Date.UTC(2025, 0, 1, 0, minute)).toISOString();

/** Pages of two items, `after` being the index of the next page's first item. */
const ITEMS: Item[] = [
  { id: "a", deletedAt: at(1) },
  { id: "b", deletedAt: at(5) },
  { id: "c" },
  { id: "d", deletedAt: at(3) },
  { id: "e", deletedAt: at(9) },
];
const list = {
  page: async (after: string | undefined) => {
    const start = after === undefined ? 0 : Number(after);
    const next = start + 2 < ITEMS.length ? String(start + 2) : undefined;
    return { items: ITEMS.slice(start, start + 2), next };
  },
  deletedAtOf: (item: Item) => item.deletedAt,
};

async function readAll(
  since: string | undefined,
  position?: DeletedListPosition,
): Promise<DeletedListPage<Item>[]> {
  const pages: DeletedListPage<Item>[] = [];
  for await (const page of readDeletedList(list, since, position, new AbortController().signal))
    pages.push(page);
  return pages;
}
const ids = (pages: readonly DeletedListPage<Item>[]) =>
  pages.flatMap((page) => page.items.map((item) => item.id));

describe("readDeletedList", () => {
  it("reads every deletion without a watermark and ends with the latest deletion time", async () => {
    const pages = await readAll(undefined);
    expect(ids(pages)).toEqual(["a", "b", "c", "d", "e"]);
    expect(pages.map((page) => page.position)).toEqual([
      { after: "2", seenUntil: at(5) },
      { after: "4", seenUntil: at(5) },
      undefined,
    ]);
    expect(pages.at(-1)!.since).toBe(at(9));
  });

  it("keeps only items deleted after the watermark, and those that do not say when", async () => {
    const pages = await readAll(at(4));
    expect(ids(pages)).toEqual(["b", "c", "e"]);
    expect(pages.at(-1)!.since).toBe(at(9));
  });

  it("keeps the watermark when nothing newer was deleted", async () => {
    const pages = await readAll(at(30));
    expect(ids(pages)).toEqual(["c"]);
    expect(pages.at(-1)!.since).toBe(at(30));
  });

  it("resumed mid-list, ends with the same watermark as a read that was never stopped", async () => {
    const pages = await readAll(at(2), { after: "4", seenUntil: at(5) });
    expect(ids(pages)).toEqual(["e"]);
    // Resumed past b (at 5) and e is at 9; resumed with a seenUntil after e's time, that one wins.
    expect(pages.at(-1)!.since).toBe(at(9));
    const later = await readAll(at(2), { after: "4", seenUntil: at(20) });
    expect(later.at(-1)!.since).toBe(at(20));
  });
});
