import { hash } from "node:crypto";
import {
  fieldsOf,
  type PreparedRecord,
  RecordInvalidError,
  type StreamDefinition,
  type SyncRecord,
} from "../core/index.ts";
import { canonicalJson } from "./canonical-json.ts";

/**
 * Content hash of a record's canonical JSON: the same for the same content whatever the key order.
 * SHA-1 through the one-shot `crypto.hash` is used for speed; this detects changes, it is not a signature.
 */
export function hashJson(json: string): string {
  return hash("sha1", json);
}

export function hashRecord(record: SyncRecord): string {
  return hashJson(canonicalJson(record));
}

/**
 * Validates and hashes one page of records as it arrives. Throws RecordInvalidError for the first bad
 * record, so a bad page never half-lands. The result keeps only text (see PreparedRecord): the record
 * objects can be collected while the batch waits for its commit.
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
    const fields = fieldsOf(record);
    const json = canonicalJson(record, fields);
    return {
      pk: String(key),
      hash: hashJson(json),
      deleted: stream.deletedField ? Boolean(record[stream.deletedField]) : false,
      json,
      fields,
    };
  });
}
