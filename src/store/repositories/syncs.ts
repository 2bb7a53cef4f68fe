/** Syncs: which streams of a connection run, how often, where they land, and when they run next. */
import type { Kysely, Selectable } from "kysely";
import { NotFoundError } from "../../core/index.ts";
import { type Page, pageNewestFirst } from "../cursor.ts";
import { newId, nowIso } from "../ids.ts";
import type { Database, SyncsTable } from "../schema.ts";
import { inTransaction } from "../transaction.ts";
import { assertStreamsFree, setSyncStreams } from "./sync-streams.ts";

export interface Sync {
  id: string;
  connectionId: string;
  streams: string[];
  /** An interval (`30s`, `1h`) or a 5-field cron expression, read in `timeZone`. */
  frequency: string;
  /** IANA time zone of the cron expression and of next starts as shown; null is UTC. */
  timeZone: string | null;
  enabled: boolean;
  /** Whether runs also write the DuckDB warehouse; the records cache is always written. */
  warehouse: boolean;
  nextRunAt: string | null;
  lastRunId: string | null;
  /** A manual run asked for and not started yet. */
  requested: { at: string; fullRefresh: boolean } | null;
  /** Who runs the sync now, until when (renewed while running), and since when. */
  lease: { owner: string; expiresAt: string; since: string } | null;
  createdAt: string;
  updatedAt: string;
}

/** Maps a syncs row to a Sync (JSON and flag columns decoded). */
export function toSync(row: Selectable<SyncsTable>): Sync {
  return {
    id: row.id,
    connectionId: row.connection_id,
    streams: JSON.parse(row.streams) as string[],
    frequency: row.frequency,
    timeZone: row.time_zone,
    enabled: row.enabled === 1,
    warehouse: row.warehouse === 1,
    nextRunAt: row.next_run_at,
    lastRunId: row.last_run_id,
    requested: row.requested_at
      ? { at: row.requested_at, fullRefresh: row.requested_full_refresh === 1 }
      : null,
    lease:
      row.lease_owner && row.lease_expires_at
        ? {
            owner: row.lease_owner,
            expiresAt: row.lease_expires_at,
            since: row.leased_at ?? row.lease_expires_at,
          }
        : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface NewSync {
  connectionId: string;
  streams: readonly string[];
  frequency: string;
  timeZone: string | null;
  enabled: boolean;
  warehouse: boolean;
  nextRunAt: string | null;
}

/** Inserts a sync and its stream rows atomically; throws `conflict` if a stream belongs to another sync. */
export async function insertSync(db: Kysely<Database>, input: NewSync): Promise<Sync> {
  const at = nowIso();
  const row: Selectable<SyncsTable> = {
    id: newId("sync"),
    connection_id: input.connectionId,
    streams: JSON.stringify(input.streams),
    created_at: at,
    updated_at: at,
    frequency: input.frequency,
    time_zone: input.timeZone,
    enabled: input.enabled ? 1 : 0,
    warehouse: input.warehouse ? 1 : 0,
    next_run_at: input.nextRunAt,
    last_run_id: null,
    requested_at: null,
    requested_full_refresh: 0,
    lease_owner: null,
    lease_expires_at: null,
    leased_at: null,
  };
  await inTransaction(db, async (trx) => {
    await assertStreamsFree(trx, input.connectionId, input.streams, row.id);
    await trx.insertInto("syncs").values(row).execute();
    await setSyncStreams(trx, { id: row.id, connectionId: input.connectionId }, input.streams);
  });
  return toSync(row);
}

/** The sync or NotFoundError. */
export async function getSync(db: Kysely<Database>, id: string): Promise<Sync> {
  const row = await db.selectFrom("syncs").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) throw new NotFoundError("Sync", id);
  return toSync(row);
}

/** The sync with this id if its connection is in this environment, or NotFoundError. */
export async function getSyncIn(db: Kysely<Database>, environmentId: string, id: string): Promise<Sync> {
  const row = await db
    .selectFrom("syncs")
    .innerJoin("connections", "connections.id", "syncs.connection_id")
    .selectAll("syncs")
    .where("syncs.id", "=", id)
    .where("connections.environment_id", "=", environmentId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError("Sync", id);
  return toSync(row);
}

/** Pages through an environment's syncs, newest first, optionally of one connection. */
export async function listSyncsIn(
  db: Kysely<Database>,
  environmentId: string,
  filter: { connectionId?: string; cursor?: string; limit: number },
): Promise<Page<Sync>> {
  let query = db
    .selectFrom("syncs")
    .innerJoin("connections", "connections.id", "syncs.connection_id")
    .selectAll("syncs")
    .where("connections.environment_id", "=", environmentId);
  if (filter.connectionId) query = query.where("syncs.connection_id", "=", filter.connectionId);
  const page = await pageNewestFirst(query, { at: "syncs.created_at", id: "syncs.id" }, filter, (row) => [
    row.created_at,
    row.id,
  ]);
  return { items: page.items.map(toSync), nextCursor: page.nextCursor };
}

/** Every sync of a connection, oldest first. */
export async function syncsOfConnection(db: Kysely<Database>, connectionId: string): Promise<Sync[]> {
  const rows = await db
    .selectFrom("syncs")
    .selectAll()
    .where("connection_id", "=", connectionId)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  return rows.map(toSync);
}

export interface SyncPatch {
  streams?: readonly string[];
  frequency?: string;
  timeZone?: string | null;
  enabled?: boolean;
  warehouse?: boolean;
  nextRunAt?: string | null;
}

/** Applies the given changes atomically (stream rows included) and returns the sync; `conflict` as insertSync. */
export async function patchSync(db: Kysely<Database>, sync: Sync, patch: SyncPatch): Promise<Sync> {
  return inTransaction(db, async (trx) => {
    if (patch.streams) {
      await assertStreamsFree(trx, sync.connectionId, patch.streams, sync.id);
      await setSyncStreams(trx, sync, patch.streams);
    }
    await trx
      .updateTable("syncs")
      .set({
        updated_at: nowIso(),
        ...(patch.streams ? { streams: JSON.stringify(patch.streams) } : {}),
        ...(patch.frequency !== undefined ? { frequency: patch.frequency } : {}),
        ...(patch.timeZone !== undefined ? { time_zone: patch.timeZone } : {}),
        ...(patch.enabled !== undefined ? { enabled: patch.enabled ? 1 : 0 } : {}),
        ...(patch.warehouse !== undefined ? { warehouse: patch.warehouse ? 1 : 0 } : {}),
        ...(patch.nextRunAt !== undefined ? { next_run_at: patch.nextRunAt } : {}),
      })
      .where("id", "=", sync.id)
      .execute();
    return getSync(trx, sync.id);
  });
}

/** Deletes a sync and its stream rows. Its runs stay in history, still naming it. */
export async function deleteSync(db: Kysely<Database>, id: string): Promise<void> {
  await inTransaction(db, async (trx) => {
    await trx.deleteFrom("sync_streams").where("sync_id", "=", id).execute();
    await trx.deleteFrom("syncs").where("id", "=", id).execute();
  });
}

/**
 * Asks for a run as soon as a worker is free. Asking again before it starts keeps the first request's time;
 * a full refresh asked for at any point makes that run a full refresh.
 */
export async function requestSyncRun(
  db: Kysely<Database>,
  id: string,
  request: { at: string; fullRefresh: boolean },
): Promise<Sync> {
  await db
    .updateTable("syncs")
    .set((eb) => ({
      requested_at: eb.fn.coalesce("requested_at", eb.val(request.at)),
      ...(request.fullRefresh ? { requested_full_refresh: 1 } : {}),
    }))
    .where("id", "=", id)
    .execute();
  return getSync(db, id);
}
