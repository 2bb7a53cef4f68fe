/**
 * Turns one HubSpot CRM object into a flat Switchyard record:
 * `{ id, ...properties, createdAt, updatedAt, archived, archivedAt?, companyIds? }` with typed values.
 */
import type { ColumnType, SyncRecord } from "../../core/index.ts";
import { RecordInvalidError } from "../../core/index.ts";
import { convertValue, parseRecord } from "../kit/index.ts";
import type { CrmObject } from "./objects.ts";
import { RECORD_COLUMNS } from "./objects.ts";
import { asCrmObject, type CrmObjectResponse, crmObjectSchema } from "./responses.ts";

/** Column types per property for one read: declared types first, then the properties API's types. */
export type PropertyTypes = ReadonlyMap<string, ColumnType>;

/**
 * Validates one raw result; a missing id or a wrong field is a RecordInvalidError naming the record. The
 * usual shape is checked by hand (asCrmObject); the schema parses the rest and words the problems.
 */
export const parseCrmObject = (
  object: CrmObject,
  raw: Record<string, unknown>,
  index: number,
): CrmObjectResponse => asCrmObject(raw) ?? parseRecord(crmObjectSchema, object.name, raw, index);

/**
 * The flat record. Property values are converted to their column types; a value that does not convert
 * is a RecordInvalidError (nothing is silently dropped). Properties named like record fields are skipped.
 */
export function toSyncRecord(
  object: CrmObject,
  source: CrmObjectResponse,
  types: PropertyTypes,
  companyIds: readonly string[] | undefined,
): SyncRecord {
  const fail = (problem: string): never => {
    throw new RecordInvalidError(object.name, `record ${source.id}: ${problem}`, { id: source.id });
  };
  const time = (field: string, raw: string | undefined) => {
    const converted = convertValue(raw, "timestamp");
    return converted.ok ? converted.value : fail(`${field} ${converted.problem}`);
  };
  const record: SyncRecord = { id: source.id };
  for (const name in source.properties) {
    // Record fields win over same-named properties; "__proto__" would not be a property but the prototype.
    if (Object.hasOwn(RECORD_COLUMNS, name) || name === "companyIds" || name === "__proto__") continue;
    const converted = convertValue(source.properties[name], types.get(name) ?? "string");
    record[name] = converted.ok ? converted.value : fail(`property ${name}: ${converted.problem}`);
  }
  record.createdAt = time("createdAt", source.createdAt);
  record.updatedAt = time("updatedAt", source.updatedAt);
  record.archived = source.archived ?? false;
  if (source.archivedAt !== undefined) record.archivedAt = time("archivedAt", source.archivedAt);
  if (object.withCompanyIds) record.companyIds = [...(companyIds ?? [])];
  return record;
}

/** Company ids from a list response's associations, each once (HubSpot lists one entry per association type). */
export function companyIdsInline(source: CrmObjectResponse): string[] {
  const results = source.associations?.companies?.results ?? [];
  return [...new Set(results.map((result) => result.id))];
}
