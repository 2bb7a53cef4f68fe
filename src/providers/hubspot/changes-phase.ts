/**
 * Incremental reads through the search endpoint, ordered by modification time.
 *
 * Every request is a fresh first page filtered on `modified >= since` (keyset paging): HubSpot's search
 * refuses to page past 10,000 results, and offset paging would skip records modified while we read.
 * After each page `since` moves to the page's latest time; ids already read at exactly that time are
 * remembered (`sinceIds`) and skipped. When a whole page shares one timestamp, `since` cannot move: the
 * phase then walks the records of that instant by id (`modified == since AND hs_object_id > tieAfterId`)
 * and continues just after it. No record is lost and none loops, however many share a timestamp.
 */
import { recordsWithCompanyIds } from "./associations.ts";
import {
  type FetchedPage,
  fetchSearchPage,
  modifiedAt,
  type ObjectReader,
  type PhasePage,
  SEARCH_LIMIT,
} from "./reader.ts";
import type { HubSpotState } from "./state.ts";

/** Yields records modified at or after `state.since`, then hands over to the archived phase. */
export async function* changesPhase(reader: ObjectReader, initial: HubSpotState): AsyncGenerator<PhasePage> {
  let state = initial;
  const modified = reader.object.modifiedProperty;
  while (true) {
    reader.ctx.signal.throwIfAborted();
    const since = Date.parse(state.since);
    const tieAfterId = state.position?.phase === "changes" ? state.position.tieAfterId : undefined;
    if (tieAfterId !== undefined) {
      const page = await fetchSearchPage(reader, {
        filters: [
          { propertyName: modified, operator: "EQ", value: String(since) },
          { propertyName: "hs_object_id", operator: "GT", value: tieAfterId },
        ],
        sortBy: "hs_object_id",
        limit: SEARCH_LIMIT,
      });
      const last = page.objects[page.objects.length - 1];
      // Done with this instant: continue strictly after it.
      state =
        page.next && last
          ? { ...state, sinceIds: [], position: { phase: "changes", tieAfterId: last.id } }
          : {
              ...state,
              since: new Date(since + 1).toISOString(),
              sinceIds: [],
              position: { phase: "changes" },
            };
      yield { records: await recordsWithCompanyIds(reader, page.objects), state };
      continue;
    }
    const page = await fetchSearchPage(reader, {
      filters: [{ propertyName: modified, operator: "GTE", value: String(since) }],
      sortBy: modified,
      limit: SEARCH_LIMIT,
    });
    const skip = new Set(state.sinceIds ?? []);
    const fresh = page.objects.filter(
      (source) => !(skip.has(source.id) && modifiedAt(reader, source) === since),
    );
    state = nextState(reader, state, page, since, skip);
    yield { records: await recordsWithCompanyIds(reader, fresh), state };
    if (state.position?.phase !== "changes") return;
  }
}

/** Where to continue after a keyset page: the latest time in it, a tie walk, or the archived phase. */
function nextState(
  reader: ObjectReader,
  state: HubSpotState,
  page: FetchedPage,
  since: number,
  skip: ReadonlySet<string>,
): HubSpotState {
  const more = page.next !== undefined;
  if (page.objects.length === 0) return { ...state, position: { phase: "archived" } };
  const latest = Math.max(...page.objects.map((source) => modifiedAt(reader, source)));
  if (more && latest === since) {
    // A full page of one instant: `since` cannot advance, walk that instant by id.
    return { ...state, sinceIds: [], position: { phase: "changes", tieAfterId: "0" } };
  }
  const atLatest = page.objects
    .filter((source) => modifiedAt(reader, source) === latest)
    .map((source) => source.id);
  const sinceIds = latest === since ? [...new Set([...skip, ...atLatest])] : atLatest;
  return {
    ...state,
    since: new Date(latest).toISOString(),
    sinceIds,
    position: more ? { phase: "changes" } : { phase: "archived" },
  };
}

/**
 * The latest modification time among live records and the ids modified at exactly that time (from the
 * first few), or undefined when there are no records. A full refresh starts its cursor there.
 */
export async function latestModification(
  reader: ObjectReader,
): Promise<{ at: number; ids: string[] } | undefined> {
  const page = await fetchSearchPage(reader, {
    filters: [],
    sortBy: reader.object.modifiedProperty,
    descending: true,
    limit: 10,
    properties: [reader.object.modifiedProperty],
  });
  const first = page.objects[0];
  if (!first) return undefined;
  const at = modifiedAt(reader, first);
  return {
    at,
    ids: page.objects.filter((source) => modifiedAt(reader, source) === at).map((source) => source.id),
  };
}
