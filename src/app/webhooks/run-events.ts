/**
 * Finished runs into the event log: `sync.completed` or `sync.failed` with the run's counts (and error),
 * `records.changed` with the ids the run added, updated and deleted per stream, and `connection.auth_failed`
 * when the provider refused the credentials. A run is announced once (its mark is written in the same
 * transaction as its events), by whichever process sweeps it first, so runs of the CLI, the scheduler or a
 * process that died right after the run are all announced.
 */
import type { Kysely } from "kysely";
import { unifiedMappers } from "../../providers/unified-mappers.ts";
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

/** Error codes of a run that mean the provider refused the connection's credentials. */
const AUTH_FAILURE_CODES = new Set(["credentials_rejected", "reauthorization_required"]);

/** Most ids of one change kind in one `records.changed` event; more make more events. */
export const RECORDS_CHANGED_CHUNK = 1_000;

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
    if (recordsAdded + recordsUpdated + recordsDeleted > 0) await appendRecordsChanged(trx, connection, run);
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
async function appendRecordsChanged(
  db: Kysely<Database>,
  connection: ConnectionRow,
  run: Run,
): Promise<void> {
  const window = { from: run.startedAt, to: run.finishedAt ?? run.startedAt };
  for (const stream of await streamsChangedSince(db, connection.id, window.from)) {
    const changes = await listChangedRecords(db, connection.id, stream, window);
    const ids = { added: [] as string[], updated: [] as string[], deleted: [] as string[] };
    for (const change of changes) ids[change.change].push(change.pk);
    const chunks = Math.max(
      1,
      ...Object.values(ids).map((list) => Math.ceil(list.length / RECORDS_CHANGED_CHUNK)),
    );
    if (changes.length === 0) continue;
    const models = unifiedModelsOf(connection.provider, stream);
    for (let chunk = 0; chunk < chunks; chunk++) {
      const slice = (list: string[]) =>
        list.slice(chunk * RECORDS_CHANGED_CHUNK, (chunk + 1) * RECORDS_CHANGED_CHUNK);
      await appendEvent(db, {
        environmentId: connection.environment_id,
        type: "records.changed",
        connectionId: connection.id,
        data: {
          connection_id: connection.id,
          provider: connection.provider,
          model: stream,
          unified_models: models,
          run_id: run.id,
          added: slice(ids.added),
          updated: slice(ids.updated),
          deleted: slice(ids.deleted),
          ...(chunks > 1 ? { part: chunk + 1, parts: chunks } : {}),
        },
      });
    }
  }
}

/** The Common Models read from a provider's stream (`Contact` from HubSpot's `contacts`), if any. */
function unifiedModelsOf(provider: string, stream: string): string[] {
  return unifiedMappers.ofStream(provider, stream).map((mapper) => mapper.model);
}
