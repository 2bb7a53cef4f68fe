/**
 * The streams of each sync and what happened to each the last time it ran. A stream of a connection belongs
 * to at most one sync (primary key (connection_id, stream)), so runs of two syncs never share a stream's state.
 */
import type { Kysely, Selectable } from "kysely";
import { SwitchyardError } from "../../core/index.ts";
import type { Database, SyncStreamsTable } from "../schema.ts";
import { isUniqueViolation } from "../transaction.ts";

export type SyncStreamRow = Selectable<SyncStreamsTable>;

export interface ErrorSummary {
  code: string;
  message: string;
  hint?: string;
}

/** Throws `conflict` naming the other sync when any of `streams` of the connection belongs to another sync. */
export async function assertStreamsFree(
  db: Kysely<Database>,
  connectionId: string,
  streams: readonly string[],
  syncId: string,
): Promise<void> {
  if (streams.length === 0) return;
  const taken = await db
    .selectFrom("sync_streams")
    .select(["stream", "sync_id"])
    .where("connection_id", "=", connectionId)
    .where("stream", "in", streams)
    .where("sync_id", "!=", syncId)
    .executeTakeFirst();
  if (taken) throw streamTaken(taken.stream, taken.sync_id);
}

function streamTaken(stream: string, owner: string): SwitchyardError {
  return new SwitchyardError(
    "conflict",
    `Stream "${stream}" of this connection already belongs to sync ${owner}.`,
    {
      hint: `A stream can be in one sync only: remove it from sync ${owner} first, or change that sync instead.`,
      details: { stream, sync_id: owner },
    },
  );
}

/**
 * Makes the sync's stream rows exactly `streams`: keeps the history of streams it already had, adds the new
 * ones, removes the others. Throws `conflict` if another sync took one of them meanwhile.
 */
export async function setSyncStreams(
  db: Kysely<Database>,
  sync: { id: string; connectionId: string },
  streams: readonly string[],
): Promise<void> {
  let query = db.deleteFrom("sync_streams").where("sync_id", "=", sync.id);
  if (streams.length > 0) query = query.where("stream", "not in", streams);
  await query.execute();
  const have = new Set(
    (await db.selectFrom("sync_streams").select("stream").where("sync_id", "=", sync.id).execute()).map(
      (row) => row.stream,
    ),
  );
  for (const stream of streams.filter((name) => !have.has(name))) {
    try {
      await db
        .insertInto("sync_streams")
        .values({
          connection_id: sync.connectionId,
          stream,
          sync_id: sync.id,
          last_run_id: null,
          last_started_at: null,
          last_finished_at: null,
          last_result: null,
          last_error: null,
        })
        .execute();
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const owner = await db
        .selectFrom("sync_streams")
        .select("sync_id")
        .where("connection_id", "=", sync.connectionId)
        .where("stream", "=", stream)
        .executeTakeFirst();
      throw streamTaken(stream, owner?.sync_id ?? "(unknown)");
    }
  }
}

/** The stream rows of these syncs. */
export async function streamsOfSyncs(
  db: Kysely<Database>,
  syncIds: readonly string[],
): Promise<SyncStreamRow[]> {
  if (syncIds.length === 0) return [];
  return db
    .selectFrom("sync_streams")
    .selectAll()
    .where("sync_id", "in", syncIds)
    .orderBy("stream")
    .execute();
}

/** Notes that a run started reading a stream; its last result and finish stay until it finishes. */
export async function markStreamStarted(
  db: Kysely<Database>,
  at: { syncId: string; stream: string; runId: string; time: string },
): Promise<void> {
  await db
    .updateTable("sync_streams")
    .set({ last_run_id: at.runId, last_started_at: at.time })
    .where("sync_id", "=", at.syncId)
    .where("stream", "=", at.stream)
    .execute();
}

/** Notes that a run finished a stream and committed all of it. */
export async function markStreamSucceeded(
  db: Kysely<Database>,
  at: { syncId: string; stream: string; runId: string; time: string },
): Promise<void> {
  await db
    .updateTable("sync_streams")
    .set({ last_run_id: at.runId, last_finished_at: at.time, last_result: "succeeded", last_error: null })
    .where("sync_id", "=", at.syncId)
    .where("stream", "=", at.stream)
    .execute();
}

/**
 * Marks failed the streams of a sync that `runId` started and did not finish; when it started none of
 * them, the streams named in `fallback` (what the run was meant to read). Returns how many were marked.
 */
export async function markUnfinishedStreamsFailed(
  db: Kysely<Database>,
  at: { syncId: string; runId: string; time: string; error: ErrorSummary; fallback: readonly string[] },
): Promise<number> {
  const failed = {
    last_finished_at: at.time,
    last_result: "failed",
    last_error: JSON.stringify(at.error),
  };
  const started = await db
    .updateTable("sync_streams")
    .set(failed)
    .where("sync_id", "=", at.syncId)
    .where("last_run_id", "=", at.runId)
    .where((eb) =>
      eb.or([eb("last_finished_at", "is", null), eb("last_finished_at", "<", eb.ref("last_started_at"))]),
    )
    .executeTakeFirst();
  if (Number(started.numUpdatedRows) > 0) return Number(started.numUpdatedRows);
  const touched = await db
    .selectFrom("sync_streams")
    .select("stream")
    .where("sync_id", "=", at.syncId)
    .where("last_run_id", "=", at.runId)
    .executeTakeFirst();
  if (touched || at.fallback.length === 0) return 0;
  const result = await db
    .updateTable("sync_streams")
    .set({ ...failed, last_run_id: at.runId, last_started_at: at.time })
    .where("sync_id", "=", at.syncId)
    .where("stream", "in", at.fallback)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
