import type { Credentials, ProviderDefinition } from "../core/index.ts";
import {
  type AccessTokenSource,
  type ClosableHttpClient,
  createHttpClient,
  getSharedBudget,
} from "../http/index.ts";
import type { PlatformDeps } from "./platform.ts";

export interface ProviderHttpOptions {
  credentials: Credentials;
  /** Overrides the provider's base URL (emulators, sandboxes). */
  baseUrl?: string | undefined;
  /** Shares the rate-limit budget of this account key (`hubspot:conn_…`); default: a budget of its own. */
  budgetKey?: string;
  /** Supplies and renews OAuth2 access tokens. */
  tokens?: AccessTokenSource | undefined;
  /** How errors name the provider; default its registry name. End users see the display name instead. */
  label?: string;
}

/** An HTTP client for one live check against a provider, tuned by `deps.checkHttp` (15 s, 3 attempts by default). */
export function createCheckHttp(
  deps: Pick<PlatformDeps, "checkHttp">,
  provider: ProviderDefinition,
  options: ProviderHttpOptions,
): ClosableHttpClient {
  return createHttpClient({
    provider: options.label ?? provider.name,
    baseUrl: options.baseUrl ?? provider.baseUrl,
    auth: provider.auth,
    credentials: options.credentials,
    ...(provider.rateLimit ? { rateLimit: provider.rateLimit } : {}),
    ...(options.budgetKey ? { budget: getSharedBudget(options.budgetKey) } : {}),
    ...(options.tokens ? { tokens: options.tokens } : {}),
    timeoutMs: deps.checkHttp?.timeoutMs ?? 15_000,
    maxAttempts: deps.checkHttp?.maxAttempts ?? 3,
  });
}

/**
 * Checks credentials not yet stored on any connection (Connect) with one live `checkCredentials` call,
 * errors naming the provider by its display name; the check client is always closed, and the provider's
 * typed error is rethrown unchanged.
 */
export async function checkNewCredentials(
  deps: Pick<PlatformDeps, "checkHttp" | "providerSettings">,
  provider: ProviderDefinition,
  credentials: Credentials,
): Promise<void> {
  const http = createCheckHttp(deps, provider, {
    credentials,
    baseUrl: deps.providerSettings?.[provider.name]?.baseUrl,
    label: provider.displayName,
  });
  try {
    await provider.checkCredentials(http);
  } finally {
    await http.close();
  }
}
