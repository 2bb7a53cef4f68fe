/**
 * The property catalog of an object, discovered by the kit from the properties API at the start of every
 * read, so properties added in HubSpot since the last read flow through (destinations evolve their tables).
 */
import type { ColumnType, ReadContext } from "../../core/index.ts";
import { defineDiscovery, discoverFields, type ParsedDiscoverySpec } from "../kit/index.ts";
import { CRM_OBJECTS, type CrmObject, type CrmObjectName, columnsOf, RECORD_COLUMNS } from "./objects.ts";

export interface PropertyCatalog {
  /** Every property name, to request them all. */
  names: string[];
  /** Column type per property: declared types win over the properties API's. */
  types: ReadonlyMap<string, ColumnType>;
}

/** `GET /crm/v3/properties/{object}`: each property's `name` and HubSpot `type`; unlisted types are text. */
const discovery = Object.fromEntries(
  CRM_OBJECTS.map((object) => [
    object.name,
    defineDiscovery(
      {
        request: { path: `/crm/v3/properties/${object.name}`, query: { archived: false } },
        records: "results",
        key: "name",
        name: "label",
        types: { number: "number", bool: "boolean", date: "timestamp", datetime: "timestamp" },
      },
      `The HubSpot ${object.name} properties`,
    ),
  ]),
) as Record<CrmObjectName, ParsedDiscoverySpec>;

/** Fetches the object's property definitions; declared properties are always requested. */
export async function fetchPropertyCatalog(ctx: ReadContext, object: CrmObject): Promise<PropertyCatalog> {
  const catalog = await discoverFields(discovery[object.name], columnsOf(object), ctx);
  // Record fields (id, createdAt, companyIds…) are columns but not properties: they are never requested.
  const isRecordField = (name: string) => Object.hasOwn(RECORD_COLUMNS, name) || name === "companyIds";
  return { names: [...catalog.types.keys()].filter((name) => !isRecordField(name)), types: catalog.types };
}
