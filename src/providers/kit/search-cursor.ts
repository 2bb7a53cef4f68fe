/**
 * The search cursor: incremental reads through a search endpoint that filters and sorts on a modification
 * time but caps how deep offset paging goes (some stop at 10,000 results). Every request is a
 * fresh first page filtered on `cursor >= since` and sorted by it, ascending (keyset paging): no window
 * applies, and nothing modified while we read is skipped the way offsets would skip it.
 *
 * After each page `since` moves to the page's latest cursor value; ids already read at exactly that value
 * are kept (`sinceIds`) and skipped next time. When a whole page shares one value, `since` cannot move: the
 * read then walks the records of that instant by id (`cursor == since AND id > tieAfterId`, sorted by id)
 * and continues just after it. No record is lost and none loops, however many share a value.
 *
 * The provider says how a query becomes its request (`search`) and how to read an item's id and cursor
 * value; the kit owns the paging and the state.
 */
import { z } from "zod";

const iso = z.string().refine((value) => Number.isFinite(Date.parse(value)), "must be an ISO-8601 time");

/** The state of a search cursor, checkpointed after every page. */
export const searchCursorStateSchema = z.object({
  /** Records whose cursor value is at or after this time are read next (ISO-8601). */
  since: iso,
  /** Ids already read whose cursor value is exactly `since` (skipped next time). */
  sinceIds: z.array(z.string()).optional(),
  /** While walking the records that share `since`: the last id read. */
  tieAfterId: z.string().optional(),
});

export type SearchCursorState = z.infer<typeof searchCursorStateSchema>;

/** What one search request asks for; `limit` is the page size. */
export type SearchQuery =
  /** Records with cursor value `>= since` (epoch ms), by cursor value ascending. */
  | { kind: "since"; since: number; limit: number }
  /** Records with cursor value `== at` and id `> afterId`, by id ascending. */
  | { kind: "tie"; at: number; afterId: string; limit: number }
  /** The records modified last, by cursor value descending (where a new cursor starts). */
  | { kind: "latest"; limit: number };

/** One page of search results, and whether more match than it holds. */
export interface SearchPage<T> {
  items: T[];
  more: boolean;
}

export interface SearchCursorSpec<T> {
  /** Sends one search request for the query; the provider builds the body and parses the response. */
  search(query: SearchQuery): Promise<SearchPage<T>>;
  idOf(item: T): string;
  /** The item's cursor value in epoch ms (throw RecordInvalidError when it is not a time). */
  cursorOf(item: T): number;
  /** Page size (the endpoint's maximum). */
  limit: number;
  /** An id below every record id: where a walk of one instant starts. Default "0" (numeric ids). */
  firstId?: string;
}

/** One page read: the new items (ids already read at `since` left out) and the state after them. */
export interface SearchCursorPage<T> {
  items: T[];
  state: SearchCursorState;
  /** True on the last page: every record modified since the starting state has been read. */
  done: boolean;
}

/** Reads every record modified at or after `state.since`, page by page, each page resuming right after it. */
export async function* readSearchCursor<T>(
  spec: SearchCursorSpec<T>,
  initial: SearchCursorState,
  signal: AbortSignal,
): AsyncGenerator<SearchCursorPage<T>> {
  let state = initial;
  while (true) {
    signal.throwIfAborted();
    const since = Date.parse(state.since);
    if (state.tieAfterId !== undefined) {
      const page = await spec.search({
        kind: "tie",
        at: since,
        afterId: state.tieAfterId,
        limit: spec.limit,
      });
      const last = page.items[page.items.length - 1];
      // Done with this instant: continue strictly after it.
      state =
        page.more && last
          ? { ...state, sinceIds: [], tieAfterId: spec.idOf(last) }
          : { since: new Date(since + 1).toISOString(), sinceIds: [] };
      yield { items: page.items, state, done: false };
      continue;
    }
    const page = await spec.search({ kind: "since", since, limit: spec.limit });
    const skip = new Set(state.sinceIds ?? []);
    const fresh = page.items.filter((item) => !(skip.has(spec.idOf(item)) && spec.cursorOf(item) === since));
    const next = stateAfterPage(spec, state, page, since, skip);
    state = next.state;
    yield { items: fresh, state, done: next.done };
    if (next.done) return;
  }
}

/** Where to continue after a keyset page: the latest time in it, a walk of one instant, or done. */
function stateAfterPage<T>(
  spec: SearchCursorSpec<T>,
  state: SearchCursorState,
  page: SearchPage<T>,
  since: number,
  skip: ReadonlySet<string>,
): { state: SearchCursorState; done: boolean } {
  if (page.items.length === 0) return { state, done: true };
  const latest = Math.max(...page.items.map((item) => spec.cursorOf(item)));
  if (page.more && latest === since) {
    // A full page of one instant: `since` cannot advance, walk that instant by id.
    return { state: { ...state, sinceIds: [], tieAfterId: spec.firstId ?? "0" }, done: false };
  }
  const atLatest = page.items.filter((item) => spec.cursorOf(item) === latest).map((item) => spec.idOf(item));
  const sinceIds = latest === since ? [...new Set([...skip, ...atLatest])] : atLatest;
  return { state: { since: new Date(latest).toISOString(), sinceIds }, done: !page.more };
}

/**
 * Where a new cursor starts: the latest cursor value among records now, with the ids at exactly that value
 * (from the first `limit`), so a full read that lists them all is not repeated by the next incremental read.
 * No records: the epoch.
 */
export async function latestSearchCursor<T>(
  spec: SearchCursorSpec<T>,
  limit = 10,
): Promise<SearchCursorState> {
  const page = await spec.search({ kind: "latest", limit });
  const first = page.items[0];
  if (!first) return { since: new Date(0).toISOString() };
  const at = spec.cursorOf(first);
  const ids = page.items.filter((item) => spec.cursorOf(item) === at).map((item) => spec.idOf(item));
  return { since: new Date(at).toISOString(), sinceIds: ids };
}
