import { stringify } from "safe-stable-stringify";
import type { PreparedRecord, SyncRecord } from "../core/index.ts";

export interface LatestRecord {
  record: PreparedRecord;
  /** JSON text to stage: the record's own, or the merge of a tombstone into the record before it. */
  json: string;
}

/**
 * One entry per primary key, in first-seen order, holding the last record for it: a single upsert
 * statement cannot touch a row twice. A later tombstone inherits the earlier record's values where it
 * carries none, just as it would from the stored row. Keys are compared as the engine's text, so a
 * non-text primary key spelled two ways in one batch ("7", "07") fails the upsert (rolled back) instead.
 */
export function latestPerKey(records: readonly PreparedRecord[]): LatestRecord[] {
  const positions = new Map<string, number>();
  const result: LatestRecord[] = [];
  for (const record of records) {
    const position = positions.get(record.pk);
    if (position === undefined) {
      positions.set(record.pk, result.length);
      result.push({ record, json: record.json });
      continue;
    }
    const earlier = result[position]!;
    result[position] = {
      record,
      json: record.deleted ? mergeTombstone(earlier.json, record.json) : record.json,
    };
  }
  return result;
}

/** The earlier record's values overlaid with the tombstone's non-null ones, as canonical JSON. */
function mergeTombstone(earlierJson: string, tombstoneJson: string): string {
  const tombstone = JSON.parse(tombstoneJson) as SyncRecord;
  const kept = Object.fromEntries(
    Object.entries(tombstone).filter(([, value]) => value !== null && value !== undefined),
  );
  return stringify({ ...(JSON.parse(earlierJson) as SyncRecord), ...kept }) ?? "{}";
}
