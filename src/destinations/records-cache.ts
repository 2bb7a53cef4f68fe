import type { Kysely } from "kysely";
import type { Destination, PreparedRecord, RecordBatch, StreamTarget } from "../core/index.ts";
import { type CachedRecordVersion, type Database, readRecordVersions, writeRecords } from "../store/index.ts";

export type RecordChange = "added" | "updated" | "unchanged" | "deleted";

/** A record with what it changes compared to the cache. */
export interface ClassifiedRecord {
  record: PreparedRecord;
  change: RecordChange;
}

/**
 * What a record changes: "deleted" only when it goes from live (or unknown) to deleted, so a deleted
 * record seen again stays "unchanged" or "updated" like any other.
 */
export function classifyChange(
  cached: CachedRecordVersion | undefined,
  record: PreparedRecord,
): RecordChange {
  if (!cached) return record.deleted ? "deleted" : "added";
  if (record.deleted && !cached.deleted) return "deleted";
  return cached.hash === record.hash && cached.deleted === record.deleted ? "unchanged" : "updated";
}

/**
 * The records cache: every synced record keyed by connection, stream and primary key, with its hash.
 * It is always a destination, and the one that tells the engine what changed.
 */
export class RecordsCache implements Destination {
  readonly name = "records-cache";

  constructor(private readonly db: Kysely<Database>) {}

  /** Compares records with the cache without writing anything. */
  async classify(
    connectionId: string,
    stream: string,
    records: readonly PreparedRecord[],
  ): Promise<ClassifiedRecord[]> {
    const known = await readRecordVersions(
      this.db,
      connectionId,
      stream,
      records.map((record) => record.pk),
    );
    return records.map((record) => ({ record, change: classifyChange(known.get(record.pk), record) }));
  }

  async prepare(_target: StreamTarget): Promise<void> {
    // One shared table; nothing to create per stream.
  }

  /** Classifies and commits a batch (the Destination contract). */
  async write(batch: RecordBatch): Promise<void> {
    const classified = await this.classify(batch.connectionId, batch.target.stream, batch.records);
    await this.commit(batch.connectionId, batch.target.stream, classified, batch.syncedAt);
  }

  /**
   * Commits classified records in one transaction: changed records are upserted with their payload;
   * unchanged ones only get their last-seen time moved.
   */
  async commit(
    connectionId: string,
    stream: string,
    classified: readonly ClassifiedRecord[],
    at: Date,
  ): Promise<void> {
    const upserts = [];
    const seen = [];
    for (const { record, change } of classified) {
      if (change === "unchanged") seen.push(record.pk);
      else
        upserts.push({
          pk: record.pk,
          hash: record.hash,
          payload: record.json,
          deleted: record.deleted,
        });
    }
    await writeRecords(this.db, connectionId, stream, { upserts, seen, at: at.toISOString() });
  }

  async close(): Promise<void> {
    // The store owns the database handle.
  }
}
