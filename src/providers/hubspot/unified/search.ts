/**
 * Finding HubSpot companies by name, for an embedded sync that links an existing company instead of creating
 * a second one (HubSpot dedupes contacts by email itself, companies not by name): the CRM search API,
 * `POST /crm/v3/objects/companies/search` with one `IN` filter on `name` (HubSpot compares text without
 * regard to case; `IN` takes its values in lower case), up to 100 names a request, every page (`after`).
 */
import { z } from "zod";
import type { HttpClient } from "../../../core/index.ts";

const NAMES_PER_REQUEST = 100;
/** The search API's largest page. */
const PAGE = 200;

const searchPage = z.looseObject({
  results: z.array(z.looseObject({ id: z.string(), properties: z.record(z.string(), z.unknown()) })),
  paging: z.looseObject({ next: z.looseObject({ after: z.string() }).nullish() }).nullish(),
});

/** The ids of the companies whose name is each of `names` (lower case, as keys), by name. */
export async function findCompaniesByName(
  http: HttpClient,
  names: readonly string[],
): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  const wanted = [...new Set(names.map((name) => name.toLowerCase()))];
  for (let start = 0; start < wanted.length; start += NAMES_PER_REQUEST) {
    const values = wanted.slice(start, start + NAMES_PER_REQUEST);
    let after: string | undefined;
    do {
      const response = await http.request({
        method: "POST",
        path: "/crm/v3/objects/companies/search",
        body: {
          filterGroups: [{ filters: [{ propertyName: "name", operator: "IN", values }] }],
          properties: ["name"],
          limit: PAGE,
          ...(after ? { after } : {}),
        },
      });
      const page = searchPage.parse(response.body);
      for (const company of page.results) {
        const name = company.properties.name;
        if (typeof name !== "string") continue;
        const key = name.trim().toLowerCase();
        if (values.includes(key)) found.set(key, [...(found.get(key) ?? []), company.id]);
      }
      after = page.paging?.next?.after ?? undefined;
    } while (after);
  }
  return found;
}
