/** The Connect flow's public surface: the hosted page, the API it calls, and the OAuth2 callback. */
import type { FastifyInstance } from "fastify";
import type { PlatformDeps } from "../../app/platform.ts";
import type { BudgetStore } from "../../http/index.ts";
import { type ConnectLimits, ConnectThrottle } from "./limits.ts";
import { registerOAuthCallback } from "./oauth-callback.ts";
import { registerConnectApi } from "./page-api.ts";
import { registerConnectAssets } from "./page-assets.ts";

export type { ConnectLimits };

/**
 * Registers everything under `/connect` (outside `/v1`: authenticated by session tokens, not API keys),
 * with its API throttled by `limits` (defaults in DEFAULT_CONNECT_LIMITS).
 */
export function registerConnect(
  app: FastifyInstance,
  deps: PlatformDeps,
  limits: Partial<ConnectLimits> = {},
  /** Where the throttles count (a shared backend: limits hold across processes); default this process. */
  store?: BudgetStore,
): void {
  registerConnectAssets(app);
  const throttle = new ConnectThrottle(limits, store);
  registerConnectApi(app, deps, throttle);
  registerOAuthCallback(app, deps, throttle);
}
