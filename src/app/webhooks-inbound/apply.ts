/**
 * Applying an event to the records cache through its normal write path (prepared and hashed like a run's
 * records, classified against the cache), with the `records.changed` event of what it changed: an upsert fetches the record as the stream outputs it (a webhook
 * rarely carries all of it); a delete marks the cached record deleted, as the provider's deletion would
 * show at the next sync.
 */

import type { Kysely } from "kysely";
import type { HttpClient, ProviderDefinition, StreamDefinition, SyncRecord } from "../../core/index.ts";
import { SwitchyardError } from "../../core/index.ts";
import { RecordsCache } from "../../destinations/records-cache.ts";
import { prepareRecords, streamTargetOf } from "../../engine/index.ts";
import { type ConnectionRow, cachedPayload, type Database, inTransaction } from "../../store/index.ts";
import { appendRecordsChanged, type ChangedIds } from "../webhooks/records-changed.ts";

export type Applied = "written" | "unchanged" | "absent";

/** The record an event names, and the event (its id goes into the `records.changed` it causes). */
export interface AppliedEvent {
  stream: string;
  recordId: string;
  eventId: string;
}

function streamOf(provider: ProviderDefinition, name: string): StreamDefinition {
  const stream = provider.streams.find((candidate) => candidate.name === name);
  if (!stream) throw new SwitchyardError("unknown_stream", `${provider.name} has no stream "${name}".`);
  return stream;
}

/**
 * Writes the record and, when the cache changed, its `records.changed` event, in one transaction: an event
 * applied again after a crash finds the record unchanged and announces nothing twice, and none is lost.
 */
async function write(
  db: Kysely<Database>,
  provider: ProviderDefinition,
  stream: StreamDefinition,
  connection: ConnectionRow,
  record: SyncRecord,
  eventId: string,
): Promise<Applied> {
  const target = streamTargetOf(provider.name, stream);
  return inTransaction(db, async (trx) => {
    const commit = await new RecordsCache(trx).write({
      connectionId: connection.id,
      target,
      records: prepareRecords(stream, [record]),
      syncedAt: new Date(),
    });
    const ids: ChangedIds = { added: [], updated: [], deleted: [] };
    for (const { record: written, change } of commit.classified)
      if (change !== "unchanged") ids[change].push(written.pk);
    await appendRecordsChanged(trx, connection, stream.name, ids, { inbound_event_id: eventId });
    return commit.counts.unchanged > 0 ? "unchanged" : "written";
  });
}

/** Fetches the record and upserts it; a record the provider no longer has is applied as a delete. */
export async function applyUpsert(
  db: Kysely<Database>,
  provider: ProviderDefinition,
  connection: ConnectionRow,
  http: HttpClient,
  at: AppliedEvent,
): Promise<Applied> {
  const stream = streamOf(provider, at.stream);
  const fetchRecord = provider.webhooks?.fetchRecord;
  if (!fetchRecord) {
    throw new SwitchyardError(
      "internal",
      `${provider.name} declares upserts from webhooks but no fetchRecord.`,
    );
  }
  const record = await fetchRecord(http, stream.name, at.recordId, AbortSignal.timeout(60_000));
  if (!record) return applyDelete(db, provider, connection, at);
  return write(db, provider, stream, connection, record, at.eventId);
}

/** Marks the cached record deleted (its deleted field set); a record the cache never held is left absent. */
export async function applyDelete(
  db: Kysely<Database>,
  provider: ProviderDefinition,
  connection: ConnectionRow,
  at: AppliedEvent,
): Promise<Applied> {
  const stream = streamOf(provider, at.stream);
  const cached = await cachedPayload(db, connection.id, stream.name, at.recordId);
  if (!cached) return "absent";
  if (!stream.deletedField) {
    throw new SwitchyardError(
      "internal",
      `${provider.name}'s ${stream.name} has no deleted field to apply a delete with.`,
    );
  }
  const deleted = { ...cached, [stream.deletedField]: true } as SyncRecord;
  return write(db, provider, stream, connection, deleted, at.eventId);
}
