/**
 * Sync status per stream, like Merge's sync-status: when each stream last started and finished, how that
 * ended, when it starts next, and where it is now. Read from stored rows; no log scanning.
 */
import type { Kysely } from "kysely";
import {
  type Database,
  getConnection,
  RUNNABLE_CONNECTION_STATUSES,
  type Sync,
  type SyncStreamRow,
  streamsOfSyncs,
  syncsOfConnection,
} from "../../store/index.ts";

/**
 * `syncing`: in the run going on now and not finished in it. `done` / `failed`: how its last run ended.
 * `paused`: the sync is paused, or its connection is paused or needs re-authorisation. `pending`: never ran yet.
 */
export const STREAM_SYNC_STATUSES = ["syncing", "done", "failed", "paused", "pending"] as const;
export type StreamSyncStatus = (typeof STREAM_SYNC_STATUSES)[number];

export interface StreamStatus {
  syncId: string;
  stream: string;
  status: StreamSyncStatus;
  lastStartedAt: string | null;
  lastFinishedAt: string | null;
  lastResult: "succeeded" | "failed" | null;
  lastRunId: string | null;
  lastError: { code: string; message: string; hint?: string } | null;
  /** When the stream's sync runs next: null while it is paused; the request time when a run was asked for. */
  nextStartAt: string | null;
}

/** Whether a run of the sync holds a live lease at `now`. */
export function isSyncRunning(sync: Sync, now: Date): boolean {
  return sync.lease !== null && sync.lease.expiresAt > now.toISOString();
}

/** The status of each stream of a sync (rows of other syncs are ignored), in the sync's stream order. */
export function streamStatuses(
  sync: Sync,
  connectionStatus: string,
  rows: readonly SyncStreamRow[],
  now: Date,
): StreamStatus[] {
  const running = isSyncRunning(sync, now);
  const paused = !sync.enabled || !RUNNABLE_CONNECTION_STATUSES.includes(connectionStatus);
  const nextStartAt = paused ? null : (sync.requested?.at ?? sync.nextRunAt);
  const order = (stream: string) => {
    const index = sync.streams.indexOf(stream);
    return index === -1 ? sync.streams.length : index;
  };
  return rows
    .filter((row) => row.sync_id === sync.id)
    .sort((a, b) => order(a.stream) - order(b.stream))
    .map((row) => {
      const lastResult =
        row.last_result === "succeeded" || row.last_result === "failed" ? row.last_result : null;
      const finishedInThisRun =
        sync.lease !== null && row.last_finished_at !== null && row.last_finished_at >= sync.lease.since;
      let status: StreamSyncStatus;
      if (running && !finishedInThisRun) status = "syncing";
      else if (paused) status = "paused";
      else if (lastResult === "succeeded") status = "done";
      else if (lastResult === "failed") status = "failed";
      else status = "pending";
      return {
        syncId: sync.id,
        stream: row.stream,
        status,
        lastStartedAt: row.last_started_at,
        lastFinishedAt: row.last_finished_at,
        lastResult,
        lastRunId: row.last_run_id,
        lastError: row.last_error ? (JSON.parse(row.last_error) as StreamStatus["lastError"]) : null,
        nextStartAt,
      };
    });
}

/** The status of each stream of these syncs of one connection, sync by sync, as stored now. */
export async function loadStreamStatuses(
  db: Kysely<Database>,
  connectionId: string,
  syncs?: readonly Sync[],
  now = new Date(),
): Promise<StreamStatus[]> {
  const connection = await getConnection(db, connectionId);
  const chosen = syncs ?? (await syncsOfConnection(db, connectionId));
  const rows = await streamsOfSyncs(
    db,
    chosen.map((sync) => sync.id),
  );
  return chosen.flatMap((sync) => streamStatuses(sync, connection.status, rows, now));
}
