/**
 * Incremental reads through the search endpoint, as the kit's search cursor (kit/search-cursor.ts): keyset
 * pages filtered on `modified >= since` and sorted by it, walking by `hs_object_id` the records that share
 * one instant. HubSpot's search refuses to page past 10,000 results; keyset paging never needs to.
 * The cursor's `since` and `sinceIds` are the state's own; a walk's `tieAfterId` is in the position.
 */
import {
  latestSearchCursor,
  readSearchCursor,
  type SearchCursorSpec,
  type SearchQuery,
} from "../kit/index.ts";
import { recordsWithCompanyIds } from "./associations.ts";
import {
  fetchSearchPage,
  filter,
  modifiedAt,
  type ObjectReader,
  type PhasePage,
  SEARCH_LIMIT,
} from "./reader.ts";
import type { CrmObjectResponse } from "./responses.ts";
import type { HubSpotState } from "./state.ts";

/** Yields records modified at or after `state.since`, then hands over to the archived phase. */
export async function* changesPhase(reader: ObjectReader, initial: HubSpotState): AsyncGenerator<PhasePage> {
  const { since, sinceIds, position } = initial;
  const tieAfterId = position?.phase === "changes" ? position.tieAfterId : undefined;
  const cursor = {
    since,
    ...(sinceIds ? { sinceIds } : {}),
    ...(tieAfterId === undefined ? {} : { tieAfterId }),
  };
  for await (const page of readSearchCursor(modifiedSearch(reader), cursor, reader.ctx.signal)) {
    const { tieAfterId: walking, ...moved } = page.state;
    const next = page.done
      ? { phase: "archived" as const }
      : { phase: "changes" as const, ...(walking === undefined ? {} : { tieAfterId: walking }) };
    const records = await recordsWithCompanyIds(reader, page.items);
    yield { records, state: { ...initial, ...moved, position: next } };
  }
}

/** The latest modification time and the ids at it: where a full refresh starts its cursor. */
export const latestModification = (reader: ObjectReader) => latestSearchCursor(modifiedSearch(reader));

/** The object's search as the kit's search cursor: the modification-time property, then `hs_object_id`. */
function modifiedSearch(reader: ObjectReader): SearchCursorSpec<CrmObjectResponse> {
  const modified = reader.object.modifiedProperty;
  const searchFor = (query: SearchQuery) =>
    query.kind === "since"
      ? { filters: [filter(modified, "GTE", query.since)], sortBy: modified, limit: query.limit }
      : query.kind === "tie"
        ? {
            filters: [filter(modified, "EQ", query.at), filter("hs_object_id", "GT", query.afterId)],
            sortBy: "hs_object_id",
            limit: query.limit,
          }
        : { filters: [], sortBy: modified, descending: true, limit: query.limit, properties: [modified] };
  return {
    limit: SEARCH_LIMIT,
    idOf: (source) => source.id,
    cursorOf: (source) => modifiedAt(reader, source),
    search: async (query) => {
      const page = await fetchSearchPage(reader, searchFor(query));
      return { items: page.objects, more: page.next !== undefined };
    },
  };
}
