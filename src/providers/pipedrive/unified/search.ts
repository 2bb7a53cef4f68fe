/**
 * Finding Pipedrive persons by email and organizations by name, for a sync that links existing records
 * instead of creating second ones: API v2's `GET /api/v2/{persons|organizations}/search` with `fields` and
 * `exact_match=true` (exact, not case sensitive), one term a request (Pipedrive searches one term at a time),
 * a few in flight. Each hit is checked again here, so only records whose email or name is the key count.
 */
import { z } from "zod";
import type { HttpClient } from "../../../core/index.ts";

/** Terms searched at once; each request still waits for the account's rate-limit budget. */
const CONCURRENCY = 4;
const PAGE = 100;

const contactValue = z.union([z.string(), z.looseObject({ value: z.string() })]);
const hit = z.looseObject({
  id: z.number(),
  name: z.string().nullish(),
  emails: z.array(contactValue).nullish(),
});
type Hit = z.infer<typeof hit>;
const searchPage = z.looseObject({
  data: z.looseObject({ items: z.array(z.looseObject({ item: hit })) }).nullish(),
  additional_data: z.looseObject({ next_cursor: z.string().nullish() }).nullish(),
});

export type SearchField = "email" | "name";

const textOf = (entry: z.infer<typeof contactValue>) => (typeof entry === "string" ? entry : entry.value);

/** Whether the hit's email (any of them) or name is the key, compared trimmed and in lower case. */
function hasKey(hit: Hit, field: SearchField, key: string): boolean {
  const values = field === "email" ? (hit.emails ?? []).map(textOf) : [hit.name ?? ""];
  return values.some((value) => value.trim().toLowerCase() === key);
}

/** The ids of every record of `entity` whose `field` is exactly `key`, across the search's pages. */
async function searchOne(
  http: HttpClient,
  entity: "persons" | "organizations",
  field: SearchField,
  key: string,
): Promise<string[]> {
  const ids = new Set<string>();
  let cursor: string | undefined;
  do {
    const response = await http.request({
      path: `/api/v2/${entity}/search`,
      query: {
        term: key,
        fields: field,
        exact_match: "true",
        limit: String(PAGE),
        ...(cursor ? { cursor } : {}),
      },
    });
    const page = searchPage.parse(response.body);
    for (const { item } of page.data?.items ?? []) if (hasKey(item, field, key)) ids.add(String(item.id));
    cursor = page.additional_data?.next_cursor ?? undefined;
  } while (cursor);
  return [...ids];
}

/** The ids of the records whose `field` is each key (keys trimmed and in lower case), by key. */
export async function searchPipedrive(
  http: HttpClient,
  entity: "persons" | "organizations",
  field: SearchField,
  keys: readonly string[],
): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const key = keys[next++]!;
      const ids = await searchOne(http, entity, field, key);
      if (ids.length > 0) found.set(key, ids);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, keys.length) }, worker));
  return found;
}
