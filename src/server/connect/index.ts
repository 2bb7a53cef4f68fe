/** The Connect flow's public surface: the hosted page, the API it calls, and the OAuth2 callback. */
import type { FastifyInstance } from "fastify";
import type { PlatformDeps } from "../../app/platform.ts";
import { registerOAuthCallback } from "./oauth-callback.ts";
import { registerConnectApi } from "./page-api.ts";
import { registerConnectAssets } from "./page-assets.ts";

/** Registers everything under `/connect` (outside `/v1`: authenticated by session tokens, not API keys). */
export function registerConnect(app: FastifyInstance, deps: PlatformDeps): void {
  registerConnectAssets(app);
  registerConnectApi(app, deps);
  registerOAuthCallback(app, deps);
}
