/**
 * The raw records API: what any stream of a connection synced, straight from the records cache — mapped to
 * a unified model or not — as a change feed a product can follow with a cursor, like Nango's records API.
 */
import { UnknownStreamError } from "../../core/index.ts";
import {
  type ConnectionRow,
  countRecords,
  decodeCursor,
  encodeCursor,
  getConnectionIn,
  listRecordChanges,
  type Page,
  type RecordChange,
} from "../../store/index.ts";
import { findProvider, type PlatformDeps } from "../platform.ts";

/** What happened to a record last: first seen (and unchanged since), changed, or deleted at the provider. */
export type RecordAction = "added" | "updated" | "deleted";

/** A cached record with what last happened to it and where the feed continues after it. */
export interface StreamRecord extends RecordChange {
  lastAction: RecordAction;
  /** Pass as `cursor` to read the changes after this record. */
  cursor: string;
}

export interface RecordsQuery {
  connectionId: string;
  stream: string;
  /** A record's `cursor` (or a page's `next_cursor`): only what changed after it. */
  cursor?: string;
  /** Only records changed after this time (ISO-8601). */
  modifiedAfter?: string;
  limit: number;
}

/** The last action of a cached record. */
export function lastActionOf(
  record: Pick<RecordChange, "deleted" | "firstSeenAt" | "updatedAt">,
): RecordAction {
  if (record.deleted) return "deleted";
  return record.firstSeenAt === record.updatedAt ? "added" : "updated";
}

function withAction(record: RecordChange): StreamRecord {
  return { ...record, lastAction: lastActionOf(record), cursor: encodeCursor([record.updatedAt, record.pk]) };
}

/** The connection of `environmentId` whose provider has this stream (not_found, or unknown_stream naming its streams). */
async function streamOfConnection(
  deps: Pick<PlatformDeps, "db" | "providers">,
  environmentId: string,
  query: { connectionId: string; stream: string },
): Promise<ConnectionRow> {
  const connection = await getConnectionIn(deps.db, environmentId, query.connectionId);
  const provider = findProvider(deps.providers, connection.provider);
  const streams = provider.streams.map((stream) => stream.name);
  if (!streams.includes(query.stream)) throw new UnknownStreamError(provider.name, query.stream, streams);
  return connection;
}

/**
 * One page of a stream's records of a connection in `environmentId`, oldest change first, deleted ones
 * included, after `cursor`. Guarantees: a connection of another environment is not_found; an unknown stream is
 * unknown_stream naming the provider's; a cursor this API did not make is argument_invalid; following
 * `next_cursor` (then the last record's `cursor`, when polling) visits every change once, in order.
 */
export async function listStreamRecords(
  deps: Pick<PlatformDeps, "db" | "providers">,
  environmentId: string,
  query: RecordsQuery,
): Promise<Page<StreamRecord>> {
  const connection = await streamOfConnection(deps, environmentId, query);
  const after = query.cursor === undefined ? undefined : (decodeCursor(query.cursor, 2) as [string, string]);
  const rows = await listRecordChanges(deps.db, connection.id, query.stream, {
    ...(after ? { after } : {}),
    ...(query.modifiedAfter !== undefined ? { modifiedAfter: query.modifiedAfter } : {}),
    limit: query.limit + 1,
  });
  const items = rows.slice(0, query.limit).map(withAction);
  return { items, nextCursor: rows.length > query.limit ? (items[items.length - 1]?.cursor ?? null) : null };
}

/** How many records of one stream the cache holds for a connection: live ones, and deleted ones apart. */
export interface StreamRecordCount {
  live: number;
  deleted: number;
}

/**
 * Counts a stream's cached records of a connection in `environmentId`, exactly, with the same not_found and
 * unknown_stream answers as the list. Cheap: one COUNT over the records index the engine already keeps
 * (connection, stream, deleted, …), which never reads a payload.
 */
export async function countStreamRecords(
  deps: Pick<PlatformDeps, "db" | "providers">,
  environmentId: string,
  query: { connectionId: string; stream: string },
): Promise<StreamRecordCount> {
  const connection = await streamOfConnection(deps, environmentId, query);
  return countRecords(deps.db, connection.id, query.stream);
}
