import type { Kysely } from "kysely";
import {
  type Destination,
  fieldsOf,
  type PreparedRecord,
  type RecordBatch,
  type StreamTarget,
  type SyncRecord,
} from "../core/index.ts";
import {
  type CachedRecordVersion,
  type Database,
  findUnseenRecords,
  listRecordsChangedAfter,
  readRecordVersions,
  readStreamChangedAt,
  writeRecords,
} from "../store/index.ts";

export type RecordChange = "added" | "updated" | "unchanged" | "deleted";

/** A record with what it changes compared to the cache. */
export interface ClassifiedRecord {
  record: PreparedRecord;
  change: RecordChange;
  /** When the cache's version last changed, before this batch (absent for a record new to the cache). */
  cachedUpdatedAt?: string;
}

/** What committing a batch did to the cache. */
export interface CacheCommit {
  classified: ClassifiedRecord[];
  counts: Record<RecordChange, number>;
  /** The time written as the changed records' `updated_at` (the batch's `syncedAt`, ISO-8601). */
  at: string;
}

/**
 * What a record changes: "deleted" only when it goes from live (or unknown) to deleted, so a deleted
 * record seen again stays "unchanged" or "updated" like any other.
 */
export function classifyChange(
  cached: Pick<CachedRecordVersion, "hash" | "deleted"> | undefined,
  record: PreparedRecord,
): RecordChange {
  if (!cached) return record.deleted ? "deleted" : "added";
  if (record.deleted && !cached.deleted) return "deleted";
  return cached.hash === record.hash && cached.deleted === record.deleted ? "unchanged" : "updated";
}

/**
 * A stream's change times only move forward, whatever the clock of the process writing (runs of one
 * connection never overlap), since destinations compare them with the time they synced through.
 */
function nextChangeTime(now: Date, lastChange: string | null): string {
  const at = now.toISOString();
  if (lastChange === null || lastChange < at) return at;
  return new Date(Date.parse(lastChange) + 1).toISOString();
}

/** A stored record back as the engine prepares it (the payload is already canonical JSON). */
function fromCache(row: { pk: string; hash: string; payload: string }, deleted: boolean): PreparedRecord {
  return {
    pk: row.pk,
    hash: row.hash,
    deleted,
    json: row.payload,
    fields: fieldsOf(JSON.parse(row.payload) as SyncRecord),
  };
}

/**
 * The records cache: every synced record keyed by connection, stream and primary key, with its hash, its
 * payload and when it last changed. It is the one destination every run writes, and the source the other
 * destinations are fed from: what a record changes, what a full refresh no longer sees, and what a
 * destination has not synced yet are all answered here.
 */
export class RecordsCache implements Destination<CacheCommit> {
  readonly name = "records-cache";

  constructor(private readonly db: Kysely<Database>) {}

  async prepare(_target: StreamTarget): Promise<void> {
    // One shared table; nothing to create per stream.
  }

  /**
   * Classifies the batch against the cache and commits it in one transaction: changed records are upserted
   * with their payload (their `updated_at` becomes the batch's `syncedAt`, or just after the stream's last
   * change if that is later); unchanged ones only get their last-seen time moved. Says what each record
   * changed, and the change time. Keys must be unique within the batch.
   */
  async write(batch: RecordBatch): Promise<CacheCommit> {
    const { connectionId } = batch;
    const stream = batch.target.stream;
    const known = await readRecordVersions(
      this.db,
      connectionId,
      stream,
      batch.records.map((record) => record.pk),
    );
    const counts: CacheCommit["counts"] = { added: 0, updated: 0, unchanged: 0, deleted: 0 };
    const classified: ClassifiedRecord[] = [];
    const upserts = [];
    const seen = [];
    for (const record of batch.records) {
      const cached = known.get(record.pk);
      const change = classifyChange(cached, record);
      counts[change] += 1;
      classified.push(cached ? { record, change, cachedUpdatedAt: cached.updatedAt } : { record, change });
      if (change === "unchanged") seen.push(record.pk);
      else upserts.push({ pk: record.pk, hash: record.hash, payload: record.json, deleted: record.deleted });
    }
    const at = nextChangeTime(batch.syncedAt, await readStreamChangedAt(this.db, connectionId, stream));
    await writeRecords(this.db, connectionId, stream, { upserts, seen, at });
    return { classified, counts, at };
  }

  /** The cache holds every change it made: its mark is the stream's latest change. */
  syncedThrough(connectionId: string, target: StreamTarget): Promise<string | null> {
    return readStreamChangedAt(this.db, connectionId, target.stream);
  }

  /**
   * A page of the stream's records (deleted ones too) that changed after `changedAfter` (all when null), in
   * key order after `afterPk`: what a destination that synced through `changedAfter` lacks.
   */
  async changedAfter(
    connectionId: string,
    stream: string,
    page: { changedAfter: string | null; afterPk?: string; limit: number },
  ): Promise<PreparedRecord[]> {
    const rows = await listRecordsChangedAfter(this.db, connectionId, stream, page);
    return rows.map((row) => fromCache(row, row.deleted));
  }

  /**
   * Up to `limit` live records of the stream not seen since `seenBefore` (what a full refresh no longer
   * finds), as deleted versions with unchanged content, ready to be written everywhere.
   */
  async unseenSince(
    connectionId: string,
    stream: string,
    seenBefore: string,
    limit: number,
  ): Promise<PreparedRecord[]> {
    const rows = await findUnseenRecords(this.db, connectionId, stream, seenBefore, limit);
    // Same content, same hash: only the deleted flag changes.
    return rows.map((row) => fromCache(row, true));
  }

  async close(): Promise<void> {
    // The store owns the database handle.
  }
}
