/**
 * Company ids for records that came without associations (search results), through the v4 batch
 * association read. Ids without companies come back as per-input errors (HTTP 207): they simply have none.
 */
import type { ReadContext } from "../../core/index.ts";
import type { CrmObject } from "./objects.ts";
import { associationBatchSchema, parseBody } from "./responses.ts";

/** HubSpot accepts at most 1000 inputs per batch read; pages are at most 200 records anyway. */
const MAX_INPUTS = 1000;

/** Maps each given record id to its company ids (possibly empty), following per-record association paging. */
export async function fetchCompanyIds(
  ctx: ReadContext,
  object: CrmObject,
  ids: readonly string[],
): Promise<Map<string, string[]>> {
  const companies = new Map<string, Set<string>>(ids.map((id) => [id, new Set()]));
  let inputs: { id: string; after?: string }[] = ids.map((id) => ({ id }));
  while (inputs.length > 0) {
    const batch = inputs.slice(0, MAX_INPUTS);
    inputs = inputs.slice(MAX_INPUTS);
    const response = await ctx.http.request(
      {
        method: "POST",
        path: `/crm/v4/associations/${object.name}/companies/batch/read`,
        body: { inputs: batch },
      },
      { signal: ctx.signal },
    );
    const body = parseBody(
      associationBatchSchema,
      response,
      `The ${object.name}→companies association batch`,
    );
    for (const result of body.results) {
      const set = companies.get(result.from.id);
      if (!set) continue;
      for (const to of result.to) set.add(to.toObjectId);
      if (result.paging?.next) inputs.push({ id: result.from.id, after: result.paging.next.after });
    }
    for (const error of body.errors ?? []) {
      if (error.subCategory !== "crm.associations.NO_ASSOCIATIONS_FOUND") {
        // Usually a record archived since it was listed; its company ids stay empty.
        ctx.log.log("debug", "hubspot association batch reported an error", {
          stream: object.name,
          category: error.category,
          message: error.message,
        });
      }
    }
  }
  return new Map([...companies].map(([id, set]) => [id, [...set]]));
}
