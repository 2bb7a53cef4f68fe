import {
  type Destination,
  DestinationError,
  type PreparedRecord,
  type RecordBatch,
  type StreamTarget,
  SwitchyardError,
} from "../core/index.ts";
import type { ClassifiedRecord, RecordChange, RecordsCache } from "../destinations/records-cache.ts";

export type ChangeCounts = Record<RecordChange, number>;

/** A destination fed from the records cache, with the time it had synced through when its stream started. */
export interface Replica {
  destination: Destination;
  syncedThrough: string | null;
}

/** Where one stream's batches go. */
export interface StreamSink {
  cache: RecordsCache;
  replicas: readonly Replica[];
  connectionId: string;
  target: StreamTarget;
  /** Send records unchanged for a destination too (a full refresh rewrites every record everywhere). */
  rewriteUnchanged: boolean;
}

/**
 * Commits prepared records (see prepareRecords) to the records cache, then sends each other destination
 * what is new to it. Returns what the batch changed in the cache (the run's counts).
 *
 * "Unchanged" is judged per destination: a record goes to a destination when the cache found it changed,
 * or when the cache's version is newer than what that destination had synced through at the start of the
 * stream (another run, without this destination, saw the change first). Each destination commits the
 * batch's time as its mark, so after a crash between the cache and a destination, the next run's catch-up
 * (see catchUp) finds what the destination lacks.
 */
export async function commitBatch(sink: StreamSink, records: PreparedRecord[]): Promise<ChangeCounts> {
  const unique = dedupeByKey(records);
  const syncedAt = new Date();
  const base = { connectionId: sink.connectionId, target: sink.target, syncedAt };
  const committed = await writeTo(sink.cache, { ...base, records: unique });
  for (const replica of sink.replicas) {
    const news = newTo(replica, committed.classified, sink.rewriteUnchanged);
    if (news.length === 0) continue;
    await writeTo(replica.destination, { ...base, records: news, syncedThrough: committed.at });
  }
  return committed.counts;
}

/** The records of a committed batch that are new to one destination (see commitBatch). */
function newTo(
  replica: Replica,
  classified: readonly ClassifiedRecord[],
  rewriteUnchanged: boolean,
): PreparedRecord[] {
  const mark = replica.syncedThrough;
  const news: PreparedRecord[] = [];
  for (const { record, change, cachedUpdatedAt } of classified) {
    const newer = cachedUpdatedAt !== undefined && (mark === null || cachedUpdatedAt > mark);
    if (change !== "unchanged" || rewriteUnchanged || newer) news.push(record);
  }
  return news;
}

/** Writes a batch to a destination (see `askDestination`). */
export function writeTo<T>(destination: Destination<T>, batch: RecordBatch): Promise<T> {
  return askDestination(destination, () => destination.write(batch));
}

/** Runs a call to a destination, turning anything it throws into a DestinationError naming it. */
export async function askDestination<T>(destination: { name: string }, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof SwitchyardError) throw error;
    throw new DestinationError(destination.name, error instanceof Error ? error.message : String(error), {
      cause: error,
    });
  }
}

/**
 * A page may repeat a key (providers do, across slices); the last version wins, as an upsert would.
 * Keeping one per key makes change counts honest and keeps multi-row upserts valid.
 */
function dedupeByKey(records: PreparedRecord[]): PreparedRecord[] {
  const byKey = new Map<string, PreparedRecord>();
  for (const record of records) {
    byKey.delete(record.pk);
    byKey.set(record.pk, record);
  }
  return byKey.size === records.length ? records : [...byKey.values()];
}

const DIFF_CHUNK = 1_000;

/**
 * After a full refresh: every live record of the stream that the refresh did not see is marked deleted,
 * in the cache and every destination. Returns how many. Safe to repeat after a crash: marked records are
 * no longer live, and a destination that missed the marking catches up from the cache.
 */
export async function applyDiffDeletes(sink: StreamSink, seenBefore: string): Promise<number> {
  let total = 0;
  for (;;) {
    const gone = await sink.cache.unseenSince(sink.connectionId, sink.target.stream, seenBefore, DIFF_CHUNK);
    if (gone.length === 0) return total;
    const counts = await commitBatch(sink, gone);
    total += counts.deleted;
  }
}
