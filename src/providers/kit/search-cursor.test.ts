import { describe, expect, it } from "vitest";
import {
  latestSearchCursor,
  readSearchCursor,
  type SearchCursorPage,
  type SearchCursorSpec,
  type SearchCursorState,
  type SearchQuery,
} from "./search-cursor.ts";

interface Item {
  id: string;
  at: number;
}

/** A search endpoint over `items` that only ever serves first pages of `limit` items. */
function searchOver(
  items: readonly Item[],
  limit: number,
  queries: SearchQuery[] = [],
): SearchCursorSpec<Item> {
  return {
    limit,
    idOf: (item) => item.id,
    cursorOf: (item) => item.at,
    search: async (query) => {
      queries.push(query);
      const byId = (a: Item, b: Item) => Number(a.id) - Number(b.id);
      const matched =
        query.kind === "since"
          ? items.filter((item) => item.at >= query.since).sort((a, b) => a.at - b.at || byId(a, b))
          : query.kind === "tie"
            ? items
                .filter((item) => item.at === query.at && Number(item.id) > Number(query.afterId))
                .sort(byId)
            : [...items].sort((a, b) => b.at - a.at);
      return { items: matched.slice(0, query.limit), more: matched.length > query.limit };
    },
  };
}

async function readAll(
  spec: SearchCursorSpec<Item>,
  state: SearchCursorState,
): Promise<SearchCursorPage<Item>[]> {
  const pages: SearchCursorPage<Item>[] = [];
  for await (const page of readSearchCursor(spec, state, new AbortController().signal)) pages.push(page);
  return pages;
}

const ids = (pages: readonly SearchCursorPage<Item>[]) =>
  pages.flatMap((page) => page.items.map((item) => item.id));
const EPOCH = { since: new Date(0).toISOString() };
const items = (count: number, at: (n: number) => number): Item[] =>
  Array.from({ length: count }, (_, n) => ({ id: String(n + 1), at: at(n) }));

describe("readSearchCursor", () => {
  it("reads every record once in cursor order, moving `since` to each page's latest value", async () => {
    const all = items(25, (n) => 1000 + Math.floor(n / 3)); // three records per instant
    const pages = await readAll(searchOver(all, 10), EPOCH);
    expect(ids(pages).sort()).toEqual(all.map((item) => item.id).sort());
    expect(new Set(ids(pages)).size).toBe(25);
    expect(pages.at(-1)!.done).toBe(true);
    expect(pages.slice(0, -1).every((page) => !page.done)).toBe(true);
    // After the first page (ids 1..10, at 1000..1003): since is 1003, with the one id read at it.
    expect(pages[0]!.state).toEqual({ since: new Date(1003).toISOString(), sinceIds: ["10"] });
  });

  it("skips ids already read at exactly `since`, but not records modified again later", async () => {
    const all = [
      { id: "1", at: 5000 },
      { id: "2", at: 5000 },
      { id: "3", at: 6000 },
    ];
    const state = { since: new Date(5000).toISOString(), sinceIds: ["1", "3"] };
    const pages = await readAll(searchOver(all, 10), state);
    // 1 was read at 5000 (skipped); 3 is in sinceIds but at another time (read again).
    expect(ids(pages)).toEqual(["2", "3"]);
    expect(pages.at(-1)!.state).toEqual({ since: new Date(6000).toISOString(), sinceIds: ["3"] });
  });

  it("walks a full page of one instant by id, then continues just after that instant", async () => {
    const all = [...items(23, () => 7000), { id: "100", at: 8000 }];
    const queries: SearchQuery[] = [];
    const pages = await readAll(searchOver(all, 10, queries), EPOCH);
    // The first page's ten come again from the walk (written twice, harmlessly); none is lost.
    expect(new Set(ids(pages))).toEqual(new Set(all.map((item) => item.id)));
    expect(ids(pages)).toHaveLength(all.length + 10);
    // Page 1 moves `since` to 7000; page 2 is a full page of 7000 (all read already): the walk starts.
    expect(pages[1]).toEqual({
      items: [],
      state: { since: new Date(7000).toISOString(), sinceIds: [], tieAfterId: "0" },
      done: false,
    });
    expect(
      queries.filter((query) => query.kind === "tie").map((query) => query.kind === "tie" && query.afterId),
    ).toEqual(["0", "10", "20"]);
    const afterWalk = pages.find((page) => page.state.since === new Date(7001).toISOString());
    expect(afterWalk?.state).toEqual({ since: new Date(7001).toISOString(), sinceIds: [] });
  });

  it("resumes from any page's state with exactly the records not yet read", async () => {
    const all = [...items(30, (n) => (n < 15 ? 100 : 200 + n)), { id: "99", at: 100 }];
    const spec = searchOver(all, 6);
    const pages = await readAll(spec, EPOCH);
    const everything = new Set(ids(pages));
    expect(everything.size).toBe(31);
    for (let k = 0; k < pages.length - 1; k++) {
      const before = new Set(ids(pages.slice(0, k + 1)));
      const rest = new Set(ids(await readAll(spec, pages[k]!.state)));
      const union = new Set([...before, ...rest]);
      expect(union).toEqual(everything);
    }
  });

  it("finishes at once with the state unchanged when nothing changed", async () => {
    const state = { since: new Date(9000).toISOString(), sinceIds: ["4"] };
    const pages = await readAll(searchOver([{ id: "4", at: 9000 }], 10), state);
    expect(pages).toEqual([{ items: [], state, done: true }]);
  });

  it("stops when the signal aborts", async () => {
    const controller = new AbortController();
    controller.abort();
    const reading = readSearchCursor(
      searchOver(
        items(3, () => 1),
        10,
      ),
      EPOCH,
      controller.signal,
    ).next();
    await expect(reading).rejects.toThrow();
  });
});

describe("latestSearchCursor", () => {
  it("starts at the latest cursor value, with the ids at exactly that value", async () => {
    const all = [
      { id: "1", at: 10 },
      { id: "2", at: 30 },
      { id: "3", at: 30 },
      { id: "4", at: 20 },
    ];
    expect(await latestSearchCursor(searchOver(all, 200))).toEqual({
      since: new Date(30).toISOString(),
      sinceIds: ["2", "3"],
    });
  });

  it("starts at the epoch when there are no records", async () => {
    expect(await latestSearchCursor(searchOver([], 200))).toEqual(EPOCH);
  });
});
