/**
 * Applying an event to the records cache through its normal write path (prepared and hashed like a run's
 * records, classified against the cache): an upsert fetches the record as the stream outputs it (a webhook
 * rarely carries all of it); a delete marks the cached record deleted, as the provider's deletion would
 * show at the next sync.
 */

import type { Kysely } from "kysely";
import type { HttpClient, ProviderDefinition, StreamDefinition, SyncRecord } from "../../core/index.ts";
import { SwitchyardError } from "../../core/index.ts";
import { RecordsCache } from "../../destinations/records-cache.ts";
import { prepareRecords, streamTargetOf } from "../../engine/index.ts";
import { type ConnectionRow, cachedPayload, type Database } from "../../store/index.ts";

export type Applied = "written" | "unchanged" | "absent";

function streamOf(provider: ProviderDefinition, name: string): StreamDefinition {
  const stream = provider.streams.find((candidate) => candidate.name === name);
  if (!stream) throw new SwitchyardError("unknown_stream", `${provider.name} has no stream "${name}".`);
  return stream;
}

async function write(
  db: Kysely<Database>,
  provider: ProviderDefinition,
  stream: StreamDefinition,
  connection: ConnectionRow,
  record: SyncRecord,
): Promise<Applied> {
  const target = streamTargetOf(provider.name, stream);
  const commit = await new RecordsCache(db).write({
    connectionId: connection.id,
    target,
    records: prepareRecords(stream, [record]),
    syncedAt: new Date(),
  });
  return commit.counts.unchanged > 0 ? "unchanged" : "written";
}

/** Fetches the record and upserts it; a record the provider no longer has is applied as a delete. */
export async function applyUpsert(
  db: Kysely<Database>,
  provider: ProviderDefinition,
  connection: ConnectionRow,
  http: HttpClient,
  at: { stream: string; recordId: string },
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
  return write(db, provider, stream, connection, record);
}

/** Marks the cached record deleted (its deleted field set); a record the cache never held is left absent. */
export async function applyDelete(
  db: Kysely<Database>,
  provider: ProviderDefinition,
  connection: ConnectionRow,
  at: { stream: string; recordId: string },
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
  return write(db, provider, stream, connection, { ...cached, [stream.deletedField]: true } as SyncRecord);
}
