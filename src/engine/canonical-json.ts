import { stringify } from "safe-stable-stringify";
import { fieldsOf, type SyncRecord } from "../core/index.ts";

/**
 * A record as canonical JSON: keys sorted at every level, so equal content gives equal text (bigints as
 * numbers, Dates as ISO strings, as safe-stable-stringify writes them).
 *
 * Most records are flat: primitives, Dates and arrays of primitives. For those, copying the fields into a
 * new object in sorted order and handing it to the native JSON.stringify writes exactly the same text,
 * faster (this runs once per record synced). Anything nested, or holding a bigint (which JSON.stringify
 * rejects), goes through safe-stable-stringify.
 */
export function canonicalJson(record: SyncRecord, fields: readonly string[] = fieldsOf(record)): string {
  if (!isFlat(record)) return stringify(record) ?? "null";
  // An object lists integer-like keys ("2", "10") first, whatever the insertion order.
  if (hasIndexLikeField(fields)) return JSON.stringify(record, fields as string[]);
  const sorted: SyncRecord = {};
  for (const field of fields) sorted[field] = record[field];
  return JSON.stringify(sorted);
}

const INDEX_LIKE = /^(?:0|[1-9]\d*)$/;
/** Per field list (lists are shared, see fieldsOf): whether any name is integer-like. */
const indexLike = new WeakMap<readonly string[], boolean>();

function hasIndexLikeField(fields: readonly string[]): boolean {
  let answer = indexLike.get(fields);
  if (answer === undefined) {
    answer = fields.some((field) => INDEX_LIKE.test(field));
    indexLike.set(fields, answer);
  }
  return answer;
}

function isFlat(record: SyncRecord): boolean {
  for (const key in record) {
    const value = record[key];
    if (typeof value === "bigint") return false;
    if (typeof value !== "object" || value === null || value instanceof Date) continue;
    if (!Array.isArray(value)) return false;
    for (const item of value) {
      if (typeof item === "bigint" || (typeof item === "object" && item !== null)) return false;
    }
  }
  return true;
}
