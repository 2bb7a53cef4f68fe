/**
 * What every read phase works with, and the two requests they share: a list page and a search page.
 */
import { type ReadContext, RecordInvalidError, type SyncRecord } from "../../core/index.ts";
import { defineEndpoint, type Endpoint, type PhasePage as KitPhasePage } from "../kit/index.ts";
import { AFTER_PAGING, CRM_OBJECTS, type CrmObject } from "./objects.ts";
import type { PropertyCatalog } from "./properties.ts";
import { companyIdsInline, parseCrmObject, toSyncRecord } from "./records.ts";
import { type CrmObjectResponse, listPageSchema, parseBody, searchPageSchema } from "./responses.ts";
import type { HubSpotState } from "./state.ts";

/** Page sizes: HubSpot's maximum for the list (100) and search (200) endpoints. */
export const LIST_LIMIT = 100;
export const SEARCH_LIMIT = 200;

export interface ObjectReader {
  ctx: ReadContext;
  object: CrmObject;
  catalog: PropertyCatalog;
}

/** One page a phase yields: records, and the state after them (position included while mid-read). */
export type PhasePage = KitPhasePage<HubSpotState>;

export interface FetchedPage {
  objects: CrmObjectResponse[];
  /** The `after` of the next page, if any. */
  next: string | undefined;
  /** Search pages only: how many records match the search in all. */
  total?: number;
}

/** `GET /crm/v3/objects/{object}` as a kit endpoint: live records, or archived ones with `archived=true`. */
const LIST_ENDPOINTS = new Map(
  CRM_OBJECTS.map(({ name }) => [
    name,
    defineEndpoint(
      {
        request: { path: `/crm/v3/objects/${name}`, query: { limit: LIST_LIMIT } },
        records: "results",
        paginator: AFTER_PAGING,
      },
      `The HubSpot ${name} list`,
    ),
  ]),
);

export const listEndpoint = (object: CrmObject): Endpoint => LIST_ENDPOINTS.get(object.name)!;

/** One page of the list endpoint (live or archived records), with every property and company associations. */
export async function fetchListPage(
  reader: ObjectReader,
  options: { after: string | undefined; archived: boolean },
): Promise<FetchedPage> {
  const { ctx, object, catalog } = reader;
  const params = {
    archived: String(options.archived),
    // One comma-separated parameter keeps the URL short when accounts have hundreds of properties.
    properties: catalog.names.join(","),
    ...(object.withCompanyIds ? { associations: "companies" } : {}),
  };
  const response = await ctx.http.request(listEndpoint(object).requestFor(params, options.after), {
    signal: ctx.signal,
  });
  const page = parseBody(listPageSchema, response, `A ${object.name} list page`);
  return {
    objects: page.results.map((raw, index) => parseCrmObject(object, raw, index)),
    next: page.paging?.next?.after,
  };
}

export interface SearchFilter {
  propertyName: string;
  operator: "EQ" | "GT" | "GTE" | "LT";
  value: string;
}

/** One search filter; values go as text (`hs_object_id GT "100"`). */
export const filter = (propertyName: string, operator: SearchFilter["operator"], value: string | number) => ({
  propertyName,
  operator,
  value: String(value),
});

/** The first page of a search (we never page by offset: see changes.ts), with every property. */
export async function fetchSearchPage(
  reader: ObjectReader,
  search: {
    filters: SearchFilter[];
    sortBy: string;
    descending?: boolean;
    limit: number;
    properties?: string[];
  },
): Promise<FetchedPage> {
  const { ctx, object, catalog } = reader;
  const response = await ctx.http.request(
    {
      method: "POST",
      path: `/crm/v3/objects/${object.name}/search`,
      body: {
        filterGroups: search.filters.length > 0 ? [{ filters: search.filters }] : [],
        sorts: [{ propertyName: search.sortBy, direction: search.descending ? "DESCENDING" : "ASCENDING" }],
        properties: search.properties ?? catalog.names,
        limit: search.limit,
      },
    },
    { signal: ctx.signal },
  );
  const page = parseBody(searchPageSchema, response, `A ${object.name} search page`);
  return {
    objects: page.results.map((raw, index) => parseCrmObject(object, raw, index)),
    next: page.paging?.next?.after,
    total: page.total,
  };
}

/** Records from list results, whose company ids came inline. */
export function recordsFromList(reader: ObjectReader, objects: readonly CrmObjectResponse[]): SyncRecord[] {
  const { object, catalog } = reader;
  return objects.map((source) =>
    toSyncRecord(object, source, catalog.types, object.withCompanyIds ? companyIdsInline(source) : undefined),
  );
}

/** The instant a record was last modified, by the property searches filter on (falls back to updatedAt). */
export function modifiedAt(reader: ObjectReader, source: CrmObjectResponse): number {
  const raw = source.properties[reader.object.modifiedProperty] ?? source.updatedAt;
  const text = String(raw);
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms)) {
    throw new RecordInvalidError(
      reader.object.name,
      `record ${source.id}: ${reader.object.modifiedProperty} "${text}" is not a date-time`,
      {
        id: source.id,
      },
    );
  }
  return ms;
}
