/**
 * Finding a record by `idProperty`: its object id (`hs_object_id`, the default), a contact's email, or a
 * custom property declared with unique values. Anything else is refused, as HubSpot refuses it.
 */
import { OBJECT_SPECS, type ObjectTypeName } from "./catalog.ts";
import { numericId } from "./context.ts";
import type { Dataset } from "./dataset.ts";
import { validationError } from "./errors.ts";
import { indexInContactEmail } from "./generate.ts";

export const OBJECT_ID_PROPERTY = "hs_object_id";

/** The unique property an `idProperty` names (default `hs_object_id`), or a 400 naming the valid ones. */
export function idPropertyParam(dataset: Dataset, type: ObjectTypeName, raw: string | undefined): string {
  const name = raw === undefined || raw === "" ? OBJECT_ID_PROPERTY : raw;
  if (uniqueProperties(dataset, type).includes(name)) return name;
  throw validationError(
    `${name} is not a unique identifier property of ${type}; idProperty must be one of: ${uniqueProperties(dataset, type).join(", ")}.`,
  );
}

/** The properties a record of this type can be looked up by. */
export function uniqueProperties(dataset: Dataset, type: ObjectTypeName): string[] {
  const custom = dataset
    .propertySpecs(type)
    .filter((property) => property.unique === true)
    .map((property) => property.name);
  return [OBJECT_ID_PROPERTY, ...(type === "contacts" ? ["email"] : []), ...custom];
}

/**
 * The id of the record whose `idProperty` holds `value`, among live records (or archived ones when
 * `archived`), or undefined. Emails compare case-insensitively, as HubSpot compares them.
 */
export function findRecordId(
  dataset: Dataset,
  type: ObjectTypeName,
  idProperty: string,
  value: string,
  archived = false,
): number | undefined {
  const table = dataset.table(type);
  const inState = (id: number) => table.indexOf(id) !== undefined && table.isArchived(id) === archived;
  if (idProperty === OBJECT_ID_PROPERTY) {
    const id = numericId(value);
    return id !== undefined && inState(id) ? id : undefined;
  }
  const email = idProperty === "email";
  const wanted = email ? value.toLowerCase() : value;
  const matches = (id: number) => {
    if (!inState(id)) return false;
    const held = table.get(id)?.fields[idProperty];
    return (email ? held?.toLowerCase() : held) === wanted;
  };
  // A seeded contact's email encodes its index; every other value was set by a change, so the record
  // is among the changed ones (seeded records hold no custom property values).
  const seededIndex = email ? indexInContactEmail(wanted) : undefined;
  if (seededIndex !== undefined && matches(OBJECT_SPECS[type].idBase + seededIndex)) {
    return OBJECT_SPECS[type].idBase + seededIndex;
  }
  for (const id of table.changedIds()) if (matches(id)) return id;
  return undefined;
}
