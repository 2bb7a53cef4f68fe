/**
 * Turns stored records into the JSON HubSpot returns: string property values, ISO timestamps,
 * property selection with HubSpot's defaults, and the v3 `associations` block.
 */
import { alwaysReturnedProperties, associationKind, OBJECT_SPECS, type ObjectTypeName } from "./catalog.ts";
import type { Dataset } from "./dataset.ts";
import type { StoredRecord } from "./table.ts";

export interface ApiAssociations {
  [toType: string]: { results: { id: string; type: string }[] };
}

/** A CRM object as the v3 object endpoints return it. */
export interface ApiObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  archivedAt?: string;
  associations?: ApiAssociations;
}

/**
 * The property names a response carries: the type's defaults when none are requested, otherwise the
 * requested ones that exist plus the ones HubSpot always adds. Unknown names are ignored, as HubSpot does.
 */
export function selectProperties(
  dataset: Dataset,
  type: ObjectTypeName,
  requested: readonly string[],
): string[] {
  const spec = OBJECT_SPECS[type];
  if (requested.length === 0) return [...spec.defaultProperties];
  const known = new Set(dataset.propertySpecs(type).map((property) => property.name));
  const names = new Set([...requested.filter((name) => known.has(name)), ...alwaysReturnedProperties(spec)]);
  return [...names].sort();
}

/** Serialises one record with the chosen properties and, if asked, its associations. */
export function toApiObject(
  dataset: Dataset,
  type: ObjectTypeName,
  record: StoredRecord,
  propertyNames: readonly string[],
  associationTypes: readonly ObjectTypeName[] = [],
): ApiObject {
  const properties: Record<string, string | null> = {};
  for (const name of propertyNames) properties[name] = record.fields[name] ?? null;
  const object: ApiObject = {
    id: String(record.id),
    properties,
    // The timestamp properties already hold these instants as ISO strings.
    createdAt: record.fields.createdate ?? new Date(record.createdAt).toISOString(),
    updatedAt: record.fields[OBJECT_SPECS[type].modifiedProperty] ?? new Date(record.updatedAt).toISOString(),
    archived: record.archivedAt !== undefined,
  };
  if (record.archivedAt !== undefined) object.archivedAt = new Date(record.archivedAt).toISOString();
  const associations = associationsOf(dataset, type, record.id, associationTypes);
  if (associations) object.associations = associations;
  return object;
}

/** The v3 associations block; absent when the record has none, as in HubSpot. */
function associationsOf(
  dataset: Dataset,
  type: ObjectTypeName,
  id: number,
  toTypes: readonly ObjectTypeName[],
): ApiAssociations | undefined {
  let block: ApiAssociations | undefined;
  for (const to of toTypes) {
    const kind = associationKind(type, to);
    if (!kind) continue;
    const ids = dataset.associatedIds(type, id, to);
    if (ids.length === 0) continue;
    // HubSpot lists each association once per type it has: the primary label and the unlabeled one.
    const results = ids.flatMap((otherId) => [
      { id: String(otherId), type: kind.primaryName },
      { id: String(otherId), type: kind.unlabeledName },
    ]);
    block ??= {};
    block[to] = { results };
  }
  return block;
}
