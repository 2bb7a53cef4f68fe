/**
 * The association check, first phase of every read of contacts and deals.
 *
 * HubSpot does not move a record's modification time when it is associated with a company, dissociated
 * from one, or when its company is archived, so the changes phase cannot see those changes. This phase
 * reads the whole company → record association graph from the company side, where it is small: every live
 * company id from the list endpoint (100 per page, one property), and their contacts or deals through the
 * v4 batch read (1000 companies per request, each paged by `after`). It folds the pairs into a fingerprint
 * (association-fingerprint.ts) and compares it, range by range, with the one the last read left:
 *
 *   full refresh: nothing is read here but the range width; the list phase folds the baseline from the
 *                 company ids every listed record carries (same pairs, no extra requests);
 *   incremental:  id ranges whose digests differ are re-read whole by the reassociate phase.
 *
 * The check runs before any record is read, so every record a run writes was read after it: an
 * association changed later makes the next check differ. Cost per run and stream, for C companies:
 * ceil(C / 100) list requests and about ceil(C / 1000) batch reads, plus about 3 searches and 3 batch
 * reads per changed range of ~500 records. The check is not resumable: a run stopped during it redoes it.
 */

import { changedSpans, chooseWidth, FingerprintBuilder } from "./association-fingerprint.ts";
import { fetchAssociatedIds, MAX_BATCH_INPUTS } from "./associations.ts";
import { COMPANIES } from "./objects.ts";
import { fetchSearchPage, listEndpoint, type ObjectReader, type PhasePage } from "./reader.ts";
import { parseCrmObject } from "./records.ts";
import { listPageSchema, parseBody } from "./responses.ts";
import type { HubSpotState, Position } from "./state.ts";

/** Yields one page without records: the state with the new fingerprint and where to continue. */
export async function* associationCheckPhase(
  reader: ObjectReader,
  state: HubSpotState,
): AsyncGenerator<PhasePage> {
  const { ctx, object } = reader;
  if (ctx.fullRefresh) {
    // A new baseline (and maybe a new width), built by the list phase as it reads every record.
    const associations = { width: await widthFor(reader), digests: {} };
    yield { records: [], state: { ...state, associations, position: { phase: "list" } } };
    return;
  }
  // Without a fingerprint (a state from before the check) there is nothing to compare: this one is the baseline.
  const previous = state.associations;
  const builder = new FingerprintBuilder(previous?.width ?? (await widthFor(reader)));
  let companies = 0;
  for await (const companyIds of liveCompanyIds(reader)) {
    companies += companyIds.length;
    const members = await fetchAssociatedIds(ctx, "companies", object.name, companyIds);
    for (const [companyId, recordIds] of members) {
      for (const recordId of recordIds) builder.add(recordId, companyId);
    }
  }
  const fingerprint = builder.build();
  const spans = previous ? changedSpans(previous, fingerprint) : [];
  const position: Position = spans.length > 0 ? { phase: "reassociate", spans } : { phase: "changes" };
  ctx.log.log("info", `hubspot ${object.name}: associations checked`, {
    companies,
    ranges: Object.keys(fingerprint.digests).length,
    changedRanges: spans.reduce((sum, [first, last]) => sum + last - first + 1, 0),
    baseline: previous === undefined,
  });
  yield { records: [], state: { ...state, associations: fingerprint, position } };
}

/** Live company ids, up to MAX_BATCH_INPUTS at a time (one batch read each). */
async function* liveCompanyIds(reader: ObjectReader): AsyncGenerator<string[]> {
  const { ctx } = reader;
  const batch: string[] = [];
  let after: string | undefined;
  do {
    ctx.signal.throwIfAborted();
    const response = await ctx.http.request(
      listEndpoint(COMPANIES).requestFor({ properties: "hs_object_id" }, after),
      { signal: ctx.signal },
    );
    const page = parseBody(listPageSchema, response, "A companies list page");
    batch.push(...page.results.map((raw, index) => parseCrmObject(COMPANIES, raw, index).id));
    after = page.paging?.next?.after;
    while (batch.length >= MAX_BATCH_INPUTS || (after === undefined && batch.length > 0)) {
      yield batch.splice(0, MAX_BATCH_INPUTS);
    }
  } while (after !== undefined);
}

/** A range width for the object's ids now: two one-record searches give the lowest and highest ids and the count. */
async function widthFor(reader: ObjectReader): Promise<number> {
  const ends = async (descending: boolean) =>
    fetchSearchPage(reader, {
      filters: [],
      sortBy: "hs_object_id",
      descending,
      limit: 1,
      properties: ["hs_object_id"],
    });
  const lowest = await ends(false);
  const highest = await ends(true);
  const [min, max] = [lowest.objects[0], highest.objects[0]];
  if (!min || !max) return chooseWidth(0, 0, 0);
  return chooseWidth(Number(min.id), Number(max.id), lowest.total ?? 0);
}
