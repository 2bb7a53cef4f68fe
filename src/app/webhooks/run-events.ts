/**
 * Finished runs into the event log: `sync.completed` or `sync.failed` with the run's counts (and error),
 * `records.changed` with the ids the run added, updated and deleted per stream, and `connection.auth_failed`
 * when the provider refused the credentials. A run is announced once (its mark is written in the same
 * transaction as its events), by whichever process sweeps it first, so runs of the CLI, the scheduler or a
 * process that died right after the run are all announced.
 */
import type { Kysely } from "kysely";
import {
  appendEvent,
  type ConnectionRow,
  type Database,
  getConnection,
  getRun,
  inTransaction,
  listChangedRecords,
  listUnannouncedRuns,
  markRunAnnounced,
  type Run,
  streamsChangedSince,
} from "../../store/index.ts";
import { appendRecordsChanged, type ChangedIds } from "./records-changed.ts";

/** Error codes of a run that mean the provider refused the connection's credentials. */
const AUTH_FAILURE_CODES = new Set(["credentials_rejected", "reauthorization_required"]);

/**
 * Announces runs finished within `lookbackMs` (default a day) that were not announced yet, oldest first, up
 * to `limit`. Returns how many it announced.
 */
export async function announceFinishedRuns(
  db: Kysely<Database>,
  options: { now?: Date; lookbackMs?: number; limit?: number } = {},
): Promise<number> {
  const now = options.now ?? new Date();
  const since = new Date(now.getTime() - (options.lookbackMs ?? 86_400_000)).toISOString();
  let announced = 0;
  for (const runId of await listUnannouncedRuns(db, since, options.limit ?? 50)) {
    if (await announceRun(db, runId)) announced += 1;
  }
  return announced;
}

/** Writes a finished run's events, unless it was announced already; says whether it did. */
export async function announceRun(db: Kysely<Database>, runId: string): Promise<boolean> {
  const run = await getRun(db, runId);
  if (run.status === "running" || !run.finishedAt) return false;
  const connection = await getConnection(db, run.connectionId).catch(() => undefined);
  return inTransaction(db, async (trx) => {
    if (!(await markRunAnnounced(trx, run.id))) return false;
    // A connection deleted since has no environment to tell any more.
    if (!connection) return true;
    await appendEvent(trx, syncOutcomeEvent(connection, run));
    if (run.error && AUTH_FAILURE_CODES.has(run.error.code)) {
      await appendEvent(trx, {
        environmentId: connection.environment_id,
        type: "connection.auth_failed",
        connectionId: connection.id,
        data: {
          connection_id: connection.id,
          provider: connection.provider,
          run_id: run.id,
          error: run.error,
        },
      });
    }
    const { recordsAdded, recordsUpdated, recordsDeleted } = run.stats;
    if (recordsAdded + recordsUpdated + recordsDeleted > 0)
      await appendRunRecordsChanged(trx, connection, run);
    return true;
  });
}

function syncOutcomeEvent(connection: ConnectionRow, run: Run) {
  const { stats } = run;
  return {
    environmentId: connection.environment_id,
    type: run.status === "succeeded" ? "sync.completed" : "sync.failed",
    connectionId: connection.id,
    data: {
      connection_id: connection.id,
      provider: connection.provider,
      sync_id: run.syncId,
      run_id: run.id,
      full_refresh: run.fullRefresh,
      started_at: run.startedAt,
      finished_at: run.finishedAt,
      counts: {
        added: stats.recordsAdded,
        updated: stats.recordsUpdated,
        unchanged: stats.recordsUnchanged,
        deleted: stats.recordsDeleted,
        pages: stats.pages,
        requests: stats.requests,
      },
      duration_ms: stats.durationMs,
      ...(run.status === "failed" ? { error: run.error } : {}),
    },
  };
}

/**
 * One `records.changed` event per stream the run changed (more when a kind has over RECORDS_CHANGED_CHUNK
 * ids): the stream's record ids added, updated and deleted, read from the records cache over the run's time.
 */
async function appendRunRecordsChanged(
  db: Kysely<Database>,
  connection: ConnectionRow,
  run: Run,
): Promise<void> {
  const window = { from: run.startedAt, to: run.finishedAt ?? run.startedAt };
  for (const stream of await streamsChangedSince(db, connection.id, window.from)) {
    const ids: ChangedIds = { added: [], updated: [], deleted: [] };
    for (const change of await listChangedRecords(db, connection.id, stream, window))
      ids[change.change].push(change.pk);
    await appendRecordsChanged(db, connection, stream, ids, { run_id: run.id });
  }
}
