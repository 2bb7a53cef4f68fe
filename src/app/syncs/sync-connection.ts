/**
 * Running a stored connection through the engine: `buildSyncJob` is the one place a connection becomes an
 * engine job (the CLI's runs and the scheduler's both come through it), and `syncConnection` runs one
 * holding the connection's lease, as every run of a connection does.
 */
import { randomUUID } from "node:crypto";
import { type Destination, type ProviderDefinition, SwitchyardError } from "../../core/index.ts";
import { reapDeadRuns, runSync, type SyncJob, thisProcess } from "../../engine/index.ts";
import { providers as registeredProviders } from "../../providers/registry.ts";
import {
  type ConnectionLease,
  environmentAllowsPrivateNetwork,
  getConnection,
  getConnectionLease,
  type Run,
  releaseConnectionLease,
  renewConnectionLease,
  type Store,
  takeConnectionLease,
} from "../../store/index.ts";
import type { Vault } from "../../vault/index.ts";
import { connectionAccountId } from "../connections/account-id.ts";
import { openConnectionHttp } from "../connections/connection-http.ts";
import { openConnection } from "../connections/connections.ts";
import { connectionTokenSource } from "../connections/tokens.ts";
import { findProvider } from "../platform.ts";
import { type ProviderSettings, providerSettingsFromEnv } from "../provider-settings.ts";

/** What a job of a stored connection is built from. */
export interface SyncJobDeps {
  store: Store;
  vault: Vault;
  providers: Readonly<Record<string, ProviderDefinition>>;
  /** OAuth apps per provider, so OAuth2 connections refresh their access token during runs. */
  providerSettings?: Readonly<Record<string, ProviderSettings>> | undefined;
}

/** A job's settings besides its connection: streams, full refresh, destinations, signal, callbacks… */
export type SyncJobOptions = Omit<SyncJob, "store" | "provider" | "connection">;

/**
 * The engine job of a stored connection: its provider, unsealed credentials, base URL override and (for
 * OAuth2) a token source that refreshes and stores tokens. Throws unknown_provider, or when the stored
 * credentials cannot be opened.
 */
export async function buildSyncJob(
  deps: SyncJobDeps,
  connectionId: string,
  options: SyncJobOptions = {},
): Promise<SyncJob> {
  const row = await getConnection(deps.store.db, connectionId);
  const provider = findProvider(deps.providers, row.provider);
  const { credentials, config } = openConnection(deps.vault, row);
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
  // OAuth2: the provider's account id, so every connection of one account shares its rate-limit budget.
  const accountId = await connectionAccountId(deps.store, provider, row, credentials, () =>
    openConnectionHttp({ ...deps, db: deps.store.db }, row),
  );
  return {
    ...options,
    store: deps.store,
    provider,
    connection: {
      id: row.id,
      credentials,
      ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}),
      allowPrivateAddresses: await environmentAllowsPrivateNetwork(deps.store.db, row.environment_id),
      ...(tokens ? { tokens } : {}),
      ...(accountId ? { accountId } : {}),
    },
  };
}

export type SyncOptions = Pick<
  SyncJob,
  "streams" | "fullRefresh" | "signal" | "onProgress" | "logSink" | "batchSize" | "http"
> & { destinations?: readonly Destination[] };

/** How long a CLI run's lease lasts without renewal; it is renewed every third of that. */
const LEASE_MS = 60_000;

/**
 * Runs one sync of a stored connection holding the connection's lease, so it never overlaps another run of
 * the connection (a scheduled run, or another CLI). Throws `conflict` naming the run going on when the lease
 * is held. Providers default to the registry's and OAuth apps to SWITCHYARD_<PROVIDER>_CLIENT_ID /
 * _CLIENT_SECRET.
 */
export async function syncConnection(
  workspace: Omit<SyncJobDeps, "providers"> & Partial<Pick<SyncJobDeps, "providers">>,
  connectionId: string,
  options: SyncOptions = {},
): Promise<Run> {
  const providers = workspace.providers ?? registeredProviders;
  const deps: SyncJobDeps = {
    ...workspace,
    providers,
    providerSettings: workspace.providerSettings ?? providerSettingsFromEnv(providers),
  };
  const job = await buildSyncJob(deps, connectionId, options);
  const lease = await holdConnectionLease(deps.store, connectionId, options.signal);
  try {
    return await runSync({ ...job, signal: lease.signal });
  } finally {
    await lease.release();
  }
}

/**
 * Takes the connection's lease for a CLI run and renews it until released. Its `signal` aborts when the
 * caller's does or when the lease is lost. A lease whose holder died is reaped first.
 */
async function holdConnectionLease(
  store: Store,
  connectionId: string,
  callerSignal: AbortSignal | undefined,
): Promise<{ signal: AbortSignal; release: () => Promise<void> }> {
  const { db } = store;
  const owner = `cli_${randomUUID().slice(0, 8)}`;
  const expiry = () => new Date(Date.now() + LEASE_MS).toISOString();
  const take = () =>
    takeConnectionLease(db, {
      connectionId,
      owner,
      syncId: null,
      holder: thisProcess(),
      now: new Date().toISOString(),
      expiresAt: expiry(),
    });
  if (!(await take())) {
    await reapDeadRuns(db);
    if (!(await take())) throw leaseHeld(connectionId, await getConnectionLease(db, connectionId));
  }
  const lost = new AbortController();
  const timer = setInterval(() => {
    renewConnectionLease(db, { connectionId, owner, expiresAt: expiry() }).then(
      (held) => {
        if (!held) lost.abort(new Error(`Lost the lease of connection ${connectionId}.`));
      },
      // An unreachable database is reported by the run's own writes.
      () => undefined,
    );
  }, LEASE_MS / 3);
  timer.unref();
  return {
    signal: callerSignal ? AbortSignal.any([callerSignal, lost.signal]) : lost.signal,
    async release() {
      clearInterval(timer);
      await releaseConnectionLease(db, { connectionId, owner });
    },
  };
}

function leaseHeld(connectionId: string, lease: ConnectionLease | undefined): SwitchyardError {
  const who = !lease
    ? "another run"
    : lease.syncId
      ? `a scheduled run of sync ${lease.syncId} (process ${lease.holder.pid} on ${lease.holder.host})`
      : `another \`switchyard sync\` (process ${lease.holder.pid} on ${lease.holder.host})`;
  return new SwitchyardError(
    "conflict",
    `Connection ${connectionId} is being synced right now by ${who}${lease ? `, since ${lease.leasedAt}` : ""}.`,
    {
      hint: "Runs of one connection never overlap. Wait for that run to finish (`switchyard runs` lists it), then sync again.",
      details: { connectionId },
    },
  );
}
