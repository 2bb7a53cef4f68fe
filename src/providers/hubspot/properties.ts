/**
 * The property catalog of an object, read from the properties API at the start of every read, so
 * properties added in HubSpot since the last read flow through (destinations evolve their tables).
 */
import type { ColumnType, ReadContext } from "../../core/index.ts";
import type { CrmObject } from "./objects.ts";
import { parseBody, propertiesSchema } from "./responses.ts";
import { columnTypeOf } from "./values.ts";

export interface PropertyCatalog {
  /** Every property name, to request them all. */
  names: string[];
  /** Column type per property: declared types win over the properties API's. */
  types: ReadonlyMap<string, ColumnType>;
}

/** Fetches the object's property definitions; declared properties are always requested. */
export async function fetchPropertyCatalog(ctx: ReadContext, object: CrmObject): Promise<PropertyCatalog> {
  const response = await ctx.http.request(
    { path: `/crm/v3/properties/${object.name}`, query: { archived: false } },
    { signal: ctx.signal },
  );
  const { results } = parseBody(propertiesSchema, response, `The ${object.name} property list`);
  const types = new Map<string, ColumnType>(
    results.map((property) => [property.name, columnTypeOf(property.type)]),
  );
  for (const [name, type] of Object.entries(object.properties)) types.set(name, type);
  return { names: [...types.keys()], types };
}
