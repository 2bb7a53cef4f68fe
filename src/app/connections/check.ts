import {
  type Credentials,
  CredentialsRejectedError,
  describeError,
  type HttpClient,
  type ProviderDefinition,
  SwitchyardError,
} from "../../core/index.ts";
import {
  type ConnectionRow,
  environmentAllowsPrivateNetwork,
  getConnection,
  patchConnection,
} from "../../store/index.ts";
import { findProvider, type PlatformDeps } from "../platform.ts";
import { type ConnectionConfig, connectionConfigSchema, openConnection } from "./connections.ts";
import { createCheckHttp } from "./provider-http.ts";
import { setConnectionStatus } from "./status.ts";
import { connectionTokenSource } from "./tokens.ts";

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
    connectionId: row.id,
    tokens: connectionTokenSource(deps, row, opened.credentials),
    allowPrivateAddresses: await environmentAllowsPrivateNetwork(deps.db, row.environment_id),
  });
  try {
    await runCheck(provider, http);
  } catch (error) {
    const rejected = error instanceof CredentialsRejectedError;
    await recordFailure(deps, row, rejected ? "needs_reauth" : undefined, error, checkedAt);
    throw error;
  } finally {
    await http.close();
  }
  await setConnectionStatus(deps.db, row, row.status === "paused" ? "paused" : "active", null);
  await patchConnection(deps.db, row.id, { lastCheckedAt: checkedAt });
  return getConnection(deps.db, row.id);
}

/**
 * One live check of credentials a connection is about to be given, at `config`'s base URL (else its stored
 * one), before anything is stored: returns when it was made, or throws the provider's typed error.
 */
export async function checkCandidateCredentials(
  deps: PlatformDeps,
  row: ConnectionRow,
  credentials: Credentials,
  config: ConnectionConfig | undefined,
): Promise<string> {
  const provider = findProvider(deps.providers, row.provider);
  const stored = connectionConfigSchema.safeParse(JSON.parse(row.config));
  const checkedAt = new Date().toISOString();
  const http = createCheckHttp(deps, provider, {
    credentials,
    baseUrl: (config ?? (stored.success ? stored.data : {})).baseUrl,
    connectionId: row.id,
    allowPrivateAddresses: await environmentAllowsPrivateNetwork(deps.db, row.environment_id),
  });
  try {
    await runCheck(provider, http);
  } finally {
    await http.close();
  }
  return checkedAt;
}

/** The provider's `checkCredentials`; anything it throws that is not typed becomes provider_unavailable. */
async function runCheck(provider: ProviderDefinition, http: HttpClient): Promise<void> {
  try {
    await provider.checkCredentials(http);
  } catch (error) {
    throw error instanceof SwitchyardError
      ? error
      : new SwitchyardError("provider_unavailable", describeError(error).message, { cause: error });
  }
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
