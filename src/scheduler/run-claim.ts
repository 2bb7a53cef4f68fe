/**
 * What a worker does with a claimed sync: build the engine job of its connection, run it over the sync's
 * streams and destinations, and keep each stream's last start, finish and result (what sync status reports).
 */

import { ConfigError, type Destination, describeError, emptyRunStats } from "../core/index.ts";
import { runSync, type SyncJob } from "../engine/index.ts";
import {
  appendRunLogs,
  createRun,
  finishRun,
  markStreamStarted,
  markStreamSucceeded,
  markUnfinishedStreamsFailed,
  type Run,
  type Store,
} from "../store/index.ts";
import type { SyncClaim } from "./queue.ts";
import type { SyncRunner } from "./scheduler.ts";

/** A job's settings besides its connection (what the claim decides). */
export type ClaimJobOptions = Pick<SyncJob, "streams" | "fullRefresh" | "destinations">;

export interface SyncRunnerDeps {
  store: Store;
  /**
   * Builds the engine job of a stored connection with these settings: the app's `buildSyncJob`, which
   * CLI runs use too. Throws when the connection cannot run (unknown provider, unusable credentials).
   */
  buildJob: (connectionId: string, options: ClaimJobOptions) => Promise<SyncJob>;
  /** The warehouse of syncs that ask for one; a sync asking without it here fails with config_invalid. */
  warehouse?: Destination;
  /** Engine tuning (tests shorten HTTP retries). */
  engine?: Pick<SyncJob, "batchSize" | "http" | "logSink">;
  now?: () => Date;
}

/**
 * A SyncRunner that runs claims with the engine. It always returns a finished run linked to the sync, also
 * when the run cannot start (unknown provider, unusable credentials, no warehouse): then the run is failed
 * with that error. Streams the run started and did not finish are marked failed; when it started none, all
 * of the claim's streams are.
 */
export function createSyncRunner(deps: SyncRunnerDeps): SyncRunner {
  const { db } = deps.store;
  const now = () => (deps.now ?? (() => new Date()))().toISOString();

  return async (claim, signal) => {
    let job: SyncJob;
    try {
      job = await prepareJob(deps, claim);
    } catch (error) {
      return failBeforeStart(deps.store, claim, error, now());
    }
    const run = await runSync({
      ...deps.engine,
      ...job,
      signal,
      syncId: claim.syncId,
      onStream: async ({ runId, stream, phase }) => {
        const at = { syncId: claim.syncId, stream, runId, time: now() };
        if (phase === "started") await markStreamStarted(db, at);
        else await markStreamSucceeded(db, at);
      },
    });
    if (run.status === "failed") await markFailed(deps.store, claim, run, now());
    return run;
  };
}

function prepareJob(deps: SyncRunnerDeps, claim: SyncClaim): Promise<SyncJob> {
  if (claim.warehouse && !deps.warehouse) {
    throw new ConfigError(
      `Sync ${claim.syncId} writes the warehouse, but this worker has no warehouse configured.`,
      "Run the sync in a process with a warehouse (npm start has one), or set `destinations.warehouse` to false.",
    );
  }
  return deps.buildJob(claim.connectionId, {
    streams: claim.streams,
    fullRefresh: claim.fullRefresh,
    ...(claim.warehouse && deps.warehouse ? { destinations: [deps.warehouse] } : {}),
  });
}

/** Records a run that failed before the engine could start it, so history and status show why. */
async function failBeforeStart(store: Store, claim: SyncClaim, error: unknown, at: string): Promise<Run> {
  const summary = describeError(error);
  const run = await createRun(store.db, {
    connectionId: claim.connectionId,
    syncId: claim.syncId,
    fullRefresh: claim.fullRefresh,
  });
  await appendRunLogs(store.db, [
    { runId: run.id, seq: 0, at, level: "error", message: summary.message, fields: { ...summary } },
  ]);
  const failed = await finishRun(store.db, run.id, {
    status: "failed",
    stats: emptyRunStats(),
    error: summary,
  });
  await markFailed(store, claim, failed, at);
  return failed;
}

async function markFailed(store: Store, claim: SyncClaim, run: Run, at: string): Promise<void> {
  await markUnfinishedStreamsFailed(store.db, {
    syncId: claim.syncId,
    runId: run.id,
    time: at,
    error: run.error ?? { code: "internal", message: "The run failed without an error." },
    fallback: claim.streams,
  });
}
