import type { Destination } from "../core/index.ts";
import { runSync, type SyncJob } from "../engine/index.ts";
import { getProvider, providers } from "../providers/registry.ts";
import { environmentAllowsPrivateNetwork, getConnection, type Run } from "../store/index.ts";
import { connectionTokenSource } from "./connection-tokens.ts";
import { openConnection } from "./connections.ts";
import { providerSettingsFromEnv } from "./provider-settings.ts";
import type { Workspace } from "./workspace.ts";

export type SyncOptions = Pick<
  SyncJob,
  "streams" | "fullRefresh" | "signal" | "onProgress" | "logSink" | "batchSize" | "http"
> & { destinations?: readonly Destination[] };

/**
 * Runs one sync of a stored connection with its provider, unsealed credentials and destinations.
 * OAuth2 connections refresh their access token as scheduled runs do, with the OAuth app from
 * SWITCHYARD_<PROVIDER>_CLIENT_ID / _CLIENT_SECRET.
 */
export async function syncConnection(
  workspace: Workspace,
  connectionId: string,
  options: SyncOptions = {},
): Promise<Run> {
  const row = await getConnection(workspace.store.db, connectionId);
  const provider = getProvider(row.provider);
  const { credentials, config } = openConnection(workspace.vault, row);
  const tokens = connectionTokenSource(
    {
      db: workspace.store.db,
      vault: workspace.vault,
      providers,
      providerSettings: providerSettingsFromEnv(providers),
    },
    row,
    credentials,
  );
  return runSync({
    ...options,
    store: workspace.store,
    provider,
    connection: {
      id: row.id,
      credentials,
      ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}),
      allowPrivateAddresses: await environmentAllowsPrivateNetwork(workspace.store.db, row.environment_id),
      ...(tokens ? { tokens } : {}),
    },
  });
}
