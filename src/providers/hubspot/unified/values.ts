/** Reading a HubSpot record's property values as the Common Models want them. */
import { text } from "../../../unified/values.ts";

/** The first associated company's id (records carry `companyIds` from their associations), or null. */
export function firstCompanyId(record: Readonly<Record<string, unknown>>): string | null {
  const ids = record.companyIds;
  return Array.isArray(ids) && ids.length > 0 ? text(ids[0]) : null;
}

/** The record's id as a string; a cached record always has one. */
export function recordId(record: Readonly<Record<string, unknown>>): string {
  const id = text(record.id);
  if (id === null) throw new Error("A cached HubSpot record has no id.");
  return id;
}
