/**
 * Associations through the v4 batch read (`POST /crm/v4/associations/{from}/{to}/batch/read`, at most 1000
 * inputs, each paged by `after`). Ids without associations come back as per-input errors (HTTP 207): they
 * simply have none. Used for the company ids of search results, which carry no associations, and for the
 * contacts and deals of every company when checking associations (see association-check-phase.ts).
 */
import type { ReadContext, SyncRecord } from "../../core/index.ts";
import type { ObjectReader } from "./reader.ts";
import { toSyncRecord } from "./records.ts";
import { associationBatchSchema, type CrmObjectResponse, parseBody } from "./responses.ts";

/** HubSpot accepts at most 1000 inputs per batch read. */
export const MAX_BATCH_INPUTS = 1000;

/**
 * Maps each given `from` record id to the ids of its associated `to` records (possibly none), each once,
 * following per-record association paging.
 */
export async function fetchAssociatedIds(
  ctx: ReadContext,
  from: string,
  to: string,
  ids: readonly string[],
): Promise<Map<string, string[]>> {
  const associated = new Map<string, Set<string>>(ids.map((id) => [id, new Set()]));
  let inputs: { id: string; after?: string }[] = ids.map((id) => ({ id }));
  while (inputs.length > 0) {
    const batch = inputs.slice(0, MAX_BATCH_INPUTS);
    inputs = inputs.slice(MAX_BATCH_INPUTS);
    const response = await ctx.http.request(
      {
        method: "POST",
        path: `/crm/v4/associations/${from}/${to}/batch/read`,
        body: { inputs: batch },
      },
      { signal: ctx.signal },
    );
    const body = parseBody(associationBatchSchema, response, `The ${from}→${to} association batch`);
    for (const result of body.results) {
      const set = associated.get(result.from.id);
      if (!set) continue;
      for (const to of result.to) set.add(to.toObjectId);
      if (result.paging?.next) inputs.push({ id: result.from.id, after: result.paging.next.after });
    }
    for (const error of body.errors ?? []) {
      if (error.subCategory !== "crm.associations.NO_ASSOCIATIONS_FOUND") {
        // Usually a record archived since it was listed; it has no associations now.
        ctx.log.log("debug", "hubspot association batch reported an error", {
          from,
          to,
          category: error.category,
          message: error.message,
        });
      }
    }
  }
  return new Map([...associated].map(([id, set]) => [id, [...set]]));
}

/** Records from search results, which carry no associations: company ids come in one batch read per page. */
export async function recordsWithCompanyIds(
  reader: ObjectReader,
  objects: readonly CrmObjectResponse[],
): Promise<SyncRecord[]> {
  const { ctx, object, catalog } = reader;
  const companies =
    object.withCompanyIds && objects.length > 0
      ? await fetchAssociatedIds(
          ctx,
          object.name,
          "companies",
          objects.map((source) => source.id),
        )
      : undefined;
  return objects.map((source) =>
    toSyncRecord(object, source, catalog.types, companies?.get(source.id) ?? []),
  );
}
