import type { SyncRecord } from "./types.ts";

/** Past this many distinct field lists, start over rather than grow (streams have a handful). */
const MAX_INTERNED = 1_024;

const interned = new Map<string, readonly string[]>();
/** The previous record's keys in its own order, and its interned sorted list. */
let lastOrder: readonly string[] = [];
let lastFields: readonly string[] = Object.freeze([]);

/**
 * A record's top-level field names, sorted as canonical JSON sorts them, as a shared frozen array: records
 * with the same fields get the same array, so "same fields as before" is one reference comparison. (Two
 * different arrays may still hold the same names, so a reference miss only means "look closer".)
 * The usual case, the same keys in the same order as the record before, allocates nothing.
 */
export function fieldsOf(record: SyncRecord): readonly string[] {
  let index = 0;
  let same = true;
  for (const name in record) {
    if (lastOrder[index] !== name) {
      same = false;
      break;
    }
    index++;
  }
  if (same && index === lastOrder.length) return lastFields;

  const order = Object.keys(record);
  const sorted = [...order].sort();
  const key = sorted.join("\u0000");
  let fields = interned.get(key);
  if (fields === undefined) {
    if (interned.size >= MAX_INTERNED) interned.clear();
    fields = Object.freeze(sorted);
    interned.set(key, fields);
  }
  lastOrder = order;
  lastFields = fields;
  return fields;
}
