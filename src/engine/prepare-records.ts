import { createHash } from "node:crypto";
import { stringify } from "safe-stable-stringify";
import {
  type PreparedRecord,
  RecordInvalidError,
  type StreamDefinition,
  type SyncRecord,
} from "../core/index.ts";

/** Content hash of a record: the same for the same content whatever the key order. */
export function hashRecord(record: SyncRecord): string {
  return createHash("sha256")
    .update(stringify(record) ?? "")
    .digest("hex");
}

/**
 * Validates and hashes one page of records. Throws RecordInvalidError for the first bad record,
 * before anything is written, so a bad page never half-lands.
 */
export function prepareRecords(stream: StreamDefinition, records: readonly SyncRecord[]): PreparedRecord[] {
  return records.map((record, index) => {
    if (record === null || typeof record !== "object" || Array.isArray(record)) {
      throw new RecordInvalidError(stream.name, `record #${index} of the page is not an object`, { index });
    }
    const key = record[stream.primaryKey];
    if ((typeof key !== "string" && typeof key !== "number") || key === "") {
      throw new RecordInvalidError(
        stream.name,
        `record #${index} of the page has no primary key "${stream.primaryKey}"`,
        { index, primaryKey: stream.primaryKey },
      );
    }
    return {
      pk: String(key),
      hash: hashRecord(record),
      deleted: stream.deletedField ? Boolean(record[stream.deletedField]) : false,
      data: record,
    };
  });
}
