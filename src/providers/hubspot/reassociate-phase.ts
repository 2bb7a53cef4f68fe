/**
 * Incremental reads, after an association check that found changed id ranges: re-reads every live record
 * whose id falls in them, with its current company ids, then hands over to the changes phase. Records
 * that lost their last company are found too: the range is searched by id, not by association.
 *
 * Each span `[first, last]` of range indexes is the ids `first * width <= id < (last + 1) * width`, read
 * through the search endpoint in id order, 200 at a time (keyset on `hs_object_id`, so no 10,000-result
 * window applies). `afterId` is the last id read in the first span.
 */
import { recordsWithCompanyIds } from "./associations.ts";
import { fetchSearchPage, filter, type ObjectReader, type PhasePage, SEARCH_LIMIT } from "./reader.ts";
import type { HubSpotState, Position } from "./state.ts";

/** Yields the records of each changed range, page by page; each page's state resumes right after it. */
export async function* reassociatePhase(
  reader: ObjectReader,
  initial: HubSpotState,
): AsyncGenerator<PhasePage> {
  let state = initial;
  const width = state.associations?.width;
  if (width === undefined)
    throw new Error(`hubspot ${reader.object.name}: reassociate phase without a fingerprint`);
  while (state.position?.phase === "reassociate") {
    reader.ctx.signal.throwIfAborted();
    const { spans, afterId } = state.position;
    const [first, last] = spans[0]!;
    const filters = [
      afterId === undefined
        ? filter("hs_object_id", "GTE", first * width)
        : filter("hs_object_id", "GT", afterId),
      filter("hs_object_id", "LT", (last + 1) * width),
    ];
    const page = await fetchSearchPage(reader, { filters, sortBy: "hs_object_id", limit: SEARCH_LIMIT });
    const lastRead = page.objects[page.objects.length - 1];
    const rest = spans.slice(1);
    const position: Position =
      page.next !== undefined && lastRead
        ? { phase: "reassociate", spans, afterId: lastRead.id }
        : rest.length > 0
          ? { phase: "reassociate", spans: rest }
          : { phase: "changes" };
    state = { ...state, position };
    yield { records: await recordsWithCompanyIds(reader, page.objects), state };
  }
}
