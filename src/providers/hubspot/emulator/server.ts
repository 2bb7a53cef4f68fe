/**
 * The HubSpot emulator server: HubSpot's paths, auth, rate limits and error bodies over seeded data,
 * with fault knobs and `/_emulator/*` controls.
 */
import type { FastifyInstance } from "fastify";
import { createEmulatorCore } from "../../../emulator/core.ts";
import type { FaultSettings } from "../../../emulator/faults.ts";
import { createOAuthControls, type OAuthAppSpec, type OAuthControls } from "../../../emulator/oauth/state.ts";
import { buildEmulatorApp, listen } from "../../../emulator/server.ts";
import type { ObjectTypeName } from "./catalog.ts";
import type { EmulatorContext } from "./context.ts";
import { createControls, type EmulatorControls } from "./controls.ts";
import { Dataset } from "./dataset.ts";
import { hubspotErrors } from "./errors.ts";
import { hubspotOAuthServer } from "./oauth.ts";
import { type PublicOwner, toPublicOwner } from "./owners.ts";
import { hubspotRateLimitSpec, type RateLimitConfig, SEARCH } from "./rate-limit.ts";
import { associationRoutes } from "./routes/associations.ts";
import { associationV3Routes } from "./routes/associations-v3.ts";
import { associationV4Routes } from "./routes/associations-v4.ts";
import { hubspotControlRoutes } from "./routes/control.ts";
import { objectRoutes } from "./routes/objects.ts";
import { objectBatchRoutes } from "./routes/objects-batch.ts";
import { ownerRoutes } from "./routes/owners.ts";
import { pipelineRoutes } from "./routes/pipelines.ts";
import { propertyRoutes } from "./routes/properties.ts";
import { propertyBatchRoutes } from "./routes/properties-batch.ts";
import { propertyGroupRoutes } from "./routes/property-groups.ts";
import { searchRoutes } from "./routes/search.ts";
import { hubspotWebhooks } from "./webhooks.ts";

/** The token accepted when none are configured (shaped like a private app token). */
export const DEFAULT_TOKEN = "pat-na1-00000000-0000-4000-8000-000000000001";
export const DEFAULT_SEED = 42;

export interface HubSpotEmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  seed?: number;
  counts?: Partial<Record<ObjectTypeName, number>>;
  /** How many owners (users) the account has (default 8); seeded like the records. */
  owners?: number;
  /** Accepted private app tokens (default: DEFAULT_TOKEN). */
  tokens?: readonly string[];
  rateLimit?: Partial<RateLimitConfig>;
  faults?: FaultSettings;
  /** Start of the logical clock (ISO or epoch ms); seeded data predates it. */
  clockStart?: string | number;
  /** OAuth apps that may be installed through `/oauth/authorize` (more can be registered later). */
  oauthApps?: readonly OAuthAppSpec[];
}

export interface HubSpotEmulator extends EmulatorControls {
  /** Base URL to hand to a client as its base path, e.g. `http://127.0.0.1:40123`. */
  url: string;
  port: number;
  tokens: readonly string[];
  /** The OAuth server: apps, token lifetimes, expiry and revocation, token-endpoint counters. */
  oauth: OAuthControls;
  /** The account's owners as the owners API returns them, deactivated ones included, in id order. */
  owners(): PublicOwner[];
  close(): Promise<void>;
}

/** Starts an emulator listening on loopback (by default); resolves once it accepts connections. */
export async function startHubSpotEmulator(options: HubSpotEmulatorOptions = {}): Promise<HubSpotEmulator> {
  const tokens = options.tokens && options.tokens.length > 0 ? options.tokens : [DEFAULT_TOKEN];
  const seed = options.seed ?? DEFAULT_SEED;
  const dataset = new Dataset({
    seed,
    ...(options.counts ? { counts: options.counts } : {}),
    ...(options.owners !== undefined ? { owners: options.owners } : {}),
    ...(options.clockStart !== undefined ? { clockStart: new Date(options.clockStart).getTime() } : {}),
  });
  const core = createEmulatorCore({
    seed,
    tokens,
    errors: hubspotErrors,
    rateLimit: hubspotRateLimitSpec(options.rateLimit),
    faults: options.faults ?? {},
    oauth: { server: hubspotOAuthServer, ...(options.oauthApps ? { apps: options.oauthApps } : {}) },
    requestKind: (request) => (request.routeOptions.url?.endsWith("/search") ? SEARCH : "default"),
    // HubSpot limits an OAuth app per account: every token of the app on the (one) emulated portal shares it.
    rateLimitPer: "app",
  });
  const ctx: EmulatorContext = { ...core, dataset };
  const controls = createControls(ctx);
  const server = await listen(buildApp(ctx, controls), options);
  return {
    ...controls,
    ...server,
    tokens,
    // The core was built with an OAuth server above.
    oauth: createOAuthControls(ctx.oauth!),
    owners: () =>
      [...Array(dataset.owners.totalCount).keys()].map((k) =>
        toPublicOwner(dataset.owners.get(dataset.owners.idBase + k)!),
      ),
  };
}

/** Builds the Fastify app (not listening): HubSpot's routes on the kit's server. */
export function buildApp(ctx: EmulatorContext, controls: EmulatorControls): FastifyInstance {
  const webhooks = hubspotWebhooks(ctx);
  return buildEmulatorApp(ctx, {
    controls,
    providerControls: (scope) => {
      hubspotControlRoutes(scope, controls);
      webhooks.settingsRoutes(scope);
    },
    api: (api) => {
      webhooks.accountRoutes(api);
      objectRoutes(api, ctx);
      objectBatchRoutes(api, ctx);
      ownerRoutes(api, ctx);
      pipelineRoutes(api, ctx);
      searchRoutes(api, ctx);
      propertyRoutes(api, ctx);
      propertyGroupRoutes(api, ctx);
      propertyBatchRoutes(api, ctx);
      associationRoutes(api, ctx);
      associationV3Routes(api, ctx);
      associationV4Routes(api, ctx);
    },
  });
}
