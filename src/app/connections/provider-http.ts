import type { Credentials, ProviderDefinition } from "../../core/index.ts";
import {
  type AccessTokenSource,
  type ClosableHttpClient,
  createHttpClient,
  getSharedBudget,
  providerAccountKey,
} from "../../http/index.ts";
import { environmentAllowsPrivateNetwork } from "../../store/index.ts";
import type { PlatformDeps } from "../platform.ts";

export interface ProviderHttpOptions {
  credentials: Credentials;
  /** Overrides the provider's base URL (emulators, sandboxes). */
  baseUrl?: string | undefined;
  /**
   * The stored connection the client acts for: it draws on the rate-limit budget of the connection's provider
   * account (see providerAccountKey), shared with every client of that account. Default: a budget of its own.
   */
  connectionId?: string;
  /** Supplies and renews OAuth2 access tokens. */
  tokens?: AccessTokenSource | undefined;
  /** The connection's environment allows loopback and private addresses (see environmentAllowsPrivateNetwork). */
  allowPrivateAddresses: boolean;
}

/** An HTTP client for one live check against a provider, tuned by `deps.checkHttp` (15 s, 3 attempts by default). */
export function createCheckHttp(
  deps: Pick<PlatformDeps, "checkHttp"> & Partial<Pick<PlatformDeps, "db">>,
  provider: ProviderDefinition,
  options: ProviderHttpOptions,
): ClosableHttpClient {
  const baseUrl = options.baseUrl ?? provider.baseUrl;
  const { connectionId, credentials } = options;
  const budgetKey =
    connectionId && providerAccountKey({ provider: provider.name, baseUrl, credentials, connectionId });
  return createHttpClient({
    // Messages name the provider as people know it ("HubSpot"), everywhere.
    provider: provider.displayName,
    baseUrl,
    allowPrivateAddresses: options.allowPrivateAddresses,
    auth: provider.auth,
    credentials: options.credentials,
    ...(provider.rateLimit ? { rateLimit: provider.rateLimit } : {}),
    ...(budgetKey ? { budget: getSharedBudget(budgetKey, deps.db) } : {}),
    ...(options.tokens ? { tokens: options.tokens } : {}),
    timeoutMs: deps.checkHttp?.timeoutMs ?? 15_000,
    maxAttempts: deps.checkHttp?.maxAttempts ?? 3,
  });
}

/**
 * Checks credentials not yet stored on any connection (Connect) with one live `checkCredentials` call in
 * `environmentId` (whose setting says whether private addresses may be reached); the check client is always
 * closed, and the provider's typed error is rethrown unchanged.
 */
export async function checkNewCredentials(
  deps: Pick<PlatformDeps, "db" | "checkHttp" | "providerSettings">,
  provider: ProviderDefinition,
  credentials: Credentials,
  environmentId: string,
): Promise<void> {
  const http = createCheckHttp(deps, provider, {
    credentials,
    baseUrl: accountBaseUrl(credentials, deps.providerSettings?.[provider.name]?.baseUrl),
    allowPrivateAddresses: await environmentAllowsPrivateNetwork(deps.db, environmentId),
  });
  try {
    await provider.checkCredentials(http);
  } finally {
    await http.close();
  }
}

/**
 * The base URL of a new connection: the instance its OAuth tokens named (Salesforce's `instance_url`), else
 * the deployment's setting for the provider (emulators, sandboxes), else undefined (the provider's own).
 */
export function accountBaseUrl(credentials: Credentials, configured: string | undefined): string | undefined {
  return (credentials.type === "oauth2" ? credentials.instanceUrl : undefined) ?? configured;
}
