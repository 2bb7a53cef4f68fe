/**
 * What a worker does with a claimed sync: open the connection, run the engine over the sync's streams and
 * destinations, and keep each stream's last start, finish and result (what sync status reports).
 */

import { connectionTokenSource } from "../app/connection-tokens.ts";
import { openConnection } from "../app/connections.ts";
import { findProvider } from "../app/platform.ts";
import type { ProviderSettings } from "../app/provider-settings.ts";
import {
  ConfigError,
  type Destination,
  describeError,
  emptyRunStats,
  type ProviderDefinition,
} from "../core/index.ts";
import { runSync, type SyncJob } from "../engine/index.ts";
import {
  appendRunLogs,
  createRun,
  finishRun,
  environmentAllowsPrivateNetwork,
  getConnection,
  getRun,
  markStreamStarted,
  markStreamSucceeded,
  markUnfinishedStreamsFailed,
  type Run,
  type Store,
} from "../store/index.ts";
import type { Vault } from "../vault/index.ts";
import type { SyncClaim } from "./queue.ts";
import type { SyncRunner } from "./scheduler.ts";

export interface SyncRunnerDeps {
  store: Store;
  vault: Vault;
  providers: Readonly<Record<string, ProviderDefinition>>;
  /** The warehouse of syncs that ask for one; a sync asking without it here fails with config_invalid. */
  warehouse?: Destination;
  /** OAuth apps per provider, so OAuth2 connections refresh their tokens during runs. */
  providerSettings?: Readonly<Record<string, ProviderSettings>>;
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

async function prepareJob(deps: SyncRunnerDeps, claim: SyncClaim): Promise<SyncJob> {
  const row = await getConnection(deps.store.db, claim.connectionId);
  const provider = findProvider(deps.providers, row.provider);
  const { credentials, config } = openConnection(deps.vault, row);
  if (claim.warehouse && !deps.warehouse) {
    throw new ConfigError(
      `Sync ${claim.syncId} writes the warehouse, but this worker has no warehouse configured.`,
      "Run the sync in a process with a warehouse (npm start has one), or set `destinations.warehouse` to false.",
    );
  }
  const tokens = connectionTokenSource(
    {
      db: deps.store.db,
      vault: deps.vault,
      providers: deps.providers,
      providerSettings: deps.providerSettings,
    },
    row,
    credentials,
  );
  return {
    store: deps.store,
    provider,
    connection: {
      id: row.id,
      credentials,
      ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}),
      allowPrivateAddresses: await environmentAllowsPrivateNetwork(deps.store.db, row.environment_id),
      ...(tokens ? { tokens } : {}),
    },
    streams: claim.streams,
    fullRefresh: claim.fullRefresh,
    ...(claim.warehouse && deps.warehouse ? { destinations: [deps.warehouse] } : {}),
  };
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
  await finishRun(store.db, run.id, { status: "failed", stats: emptyRunStats(), error: summary });
  const failed = await getRun(store.db, run.id);
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
