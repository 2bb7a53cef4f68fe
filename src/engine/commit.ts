import type { Kysely } from "kysely";
import {
  type Destination,
  DestinationError,
  fieldsOf,
  type PreparedRecord,
  type StreamDefinition,
  type StreamTarget,
  SwitchyardError,
  type SyncRecord,
} from "../core/index.ts";
import type { RecordChange, RecordsCache } from "../destinations/records-cache.ts";
import { type Database, findUnseenRecords } from "../store/index.ts";
import { hashJson } from "./prepare-records.ts";

export type ChangeCounts = Record<RecordChange, number>;

interface BatchTarget {
  cache: RecordsCache;
  /** Send unchanged records to destinations too (a full refresh rewrites, so a new destination fills). */
  rewriteUnchanged?: boolean;
  destinations: readonly Destination[];
  connectionId: string;
  stream: StreamDefinition;
  target: StreamTarget;
}

/**
 * Classifies prepared records (see prepareRecords), writes the changed ones to every destination, and
 * commits the records cache last. The cache is the one that decides "unchanged", so it must never be
 * ahead of the other destinations: if the process dies in between, the re-read finds the records changed
 * again.
 */
export async function commitBatch(input: BatchTarget & { records: PreparedRecord[] }): Promise<ChangeCounts> {
  return writePrepared(input, dedupeByKey(input.records));
}

async function writePrepared(input: BatchTarget, prepared: readonly PreparedRecord[]): Promise<ChangeCounts> {
  const classified = await input.cache.classify(input.connectionId, input.stream.name, prepared);
  const counts: ChangeCounts = { added: 0, updated: 0, unchanged: 0, deleted: 0 };
  const changed: PreparedRecord[] = [];
  for (const { record, change } of classified) {
    counts[change] += 1;
    if (change !== "unchanged" || input.rewriteUnchanged) changed.push(record);
  }
  const syncedAt = new Date();
  if (changed.length > 0) {
    for (const destination of input.destinations) {
      await writeTo(destination, {
        connectionId: input.connectionId,
        target: input.target,
        records: changed,
        syncedAt,
      });
    }
  }
  await input.cache.commit(input.connectionId, input.stream.name, classified, syncedAt);
  return counts;
}

async function writeTo(destination: Destination, batch: Parameters<Destination["write"]>[0]): Promise<void> {
  try {
    await destination.write(batch);
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
 * in every destination. Returns how many. Safe to repeat after a crash: marked records are no longer live.
 */
export async function applyDiffDeletes(
  input: BatchTarget & { db: Kysely<Database>; seenBefore: string },
): Promise<number> {
  let total = 0;
  for (;;) {
    const unseen = await findUnseenRecords(
      input.db,
      input.connectionId,
      input.stream.name,
      input.seenBefore,
      DIFF_CHUNK,
    );
    if (unseen.length === 0) return total;
    const gone: PreparedRecord[] = unseen.map((row) => {
      // Same content, same hash: only the deleted flag changes.
      return {
        pk: row.pk,
        hash: hashJson(row.payload),
        deleted: true,
        json: row.payload,
        fields: fieldsOf(JSON.parse(row.payload) as SyncRecord),
      };
    });
    const counts = await writePrepared(input, gone);
    total += counts.deleted;
  }
}
