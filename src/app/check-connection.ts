import { CredentialsRejectedError, describeError, SwitchyardError } from "../core/index.ts";
import {
  type ConnectionRow,
  environmentAllowsPrivateNetwork,
  getConnection,
  patchConnection,
} from "../store/index.ts";
import { setConnectionStatus } from "./connection-status.ts";
import { connectionTokenSource } from "./connection-tokens.ts";
import { openConnection } from "./connections.ts";
import { findProvider, type PlatformDeps } from "./platform.ts";
import { createCheckHttp } from "./provider-http.ts";

/**
 * Makes one live, authenticated call to the provider (its `checkCredentials`) with the connection's
 * credentials. On success the connection is `active` again (unless paused) and the refreshed row is
 * returned. OAuth2 tokens are refreshed first when they expire soon (or on a 401), and stored sealed.
 * When the provider rejects the credentials (or refuses the refresh token) the connection becomes
 * `needs_reauth`; unusable stored credentials make it `error`; either way the typed error is rethrown.
 */
export async function checkConnection(deps: PlatformDeps, row: ConnectionRow): Promise<ConnectionRow> {
  const provider = findProvider(deps.providers, row.provider);
  const checkedAt = new Date().toISOString();
  let opened: ReturnType<typeof openConnection>;
  try {
    opened = openConnection(deps.vault, row);
  } catch (error) {
    await recordFailure(deps, row, "error", error, checkedAt);
    throw error;
  }
  const http = createCheckHttp(deps, provider, {
    credentials: opened.credentials,
    baseUrl: opened.config.baseUrl,
    budgetKey: `${provider.name}:${row.id}`,
    tokens: connectionTokenSource(deps, row, opened.credentials),
    allowPrivateAddresses: await environmentAllowsPrivateNetwork(deps.db, row.environment_id),
  });
  try {
    await provider.checkCredentials(http);
  } catch (error) {
    const rejected = error instanceof CredentialsRejectedError;
    await recordFailure(deps, row, rejected ? "needs_reauth" : undefined, error, checkedAt);
    throw error instanceof SwitchyardError
      ? error
      : new SwitchyardError("provider_unavailable", describeError(error).message, { cause: error });
  } finally {
    await http.close();
  }
  await setConnectionStatus(deps.db, row, row.status === "paused" ? "paused" : "active", null);
  await patchConnection(deps.db, row.id, { lastCheckedAt: checkedAt });
  return getConnection(deps.db, row.id);
}

/** Stores the problem on the connection; moves it to `status` unless the customer paused it. */
async function recordFailure(
  deps: PlatformDeps,
  row: ConnectionRow,
  status: "needs_reauth" | "error" | undefined,
  error: unknown,
  checkedAt: string,
): Promise<void> {
  const problem = describeError(error);
  if (status && row.status !== "paused") await setConnectionStatus(deps.db, row, status, problem);
  else await patchConnection(deps.db, row.id, { lastError: problem });
  await patchConnection(deps.db, row.id, { lastCheckedAt: checkedAt });
}
