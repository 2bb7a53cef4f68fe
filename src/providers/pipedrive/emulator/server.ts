/**
 * The Pipedrive emulator: Pipedrive's paths, credentials, token-based rate limits and error bodies over a
 * seeded company that changes over time, on the emulator kit (faults, OAuth server with the per-company
 * `api_domain`, `/_emulator/*` controls).
 */
import { z } from "zod";
import * as kit from "../../../emulator/index.ts";
import { ENTITIES, type Entity } from "./catalog.ts";
import { type ChangeRequest, Dataset } from "./dataset.ts";
import { pipedriveRoutes } from "./routes.ts";
import { webhookRoutes } from "./webhooks.ts";

/** The API token accepted when none are configured (40 hex characters, like Pipedrive's). */
export const DEFAULT_TOKEN = "0123456789abcdef0123456789abcdef01234567";
export const DEFAULT_SEED = 7;

/** Token-based limits: a burst budget per 2-second window, and a daily budget. */
export type RateLimitConfig = { perTwoSeconds: number; daily: number };
export const DEFAULT_RATE_LIMIT: RateLimitConfig = { perTwoSeconds: 80, daily: 30_000 };

const ERROR_INFO = "Please check developers.pipedrive.com for more information about Pipedrive API.";

/** `{ success: false, error, error_info, data: null, additional_data: null }`, as every Pipedrive error. */
export const pipedriveErrors = kit.defineErrorStyle({
  requestIdHeader: "x-correlation-id",
  body: ({ message }) => ({
    success: false,
    error: message,
    error_info: ERROR_INFO,
    data: null,
    additional_data: null,
  }),
  missingCredentials: () =>
    new kit.EmulatorError(401, "unauthorized", "You need to be authorized to make this request."),
  invalidCredentials: () => new kit.EmulatorError(401, "unauthorized", "unauthorized access"),
  expiredCredentials: () => new kit.EmulatorError(401, "unauthorized", "Access token expired"),
  rateLimited: () => new kit.EmulatorError(429, "rate_limited", "Request over limit"),
  routeNotFound: () => new kit.EmulatorError(404, "not_found", "Unknown method ."),
  htmlPageTitle: "Pipedrive",
});

export interface PipedriveEmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  seed?: number;
  counts?: Partial<Record<Entity | "users", number>>;
  /** Accepted API tokens (default: DEFAULT_TOKEN). */
  tokens?: readonly string[];
  rateLimit?: Partial<RateLimitConfig>;
  faults?: kit.FaultSettings;
  /** OAuth apps that may be installed through `/oauth/authorize`. */
  oauthApps?: readonly kit.OAuthAppSpec[];
}

const count = z.number().int().min(0).optional();
const changeSchema = z.strictObject({
  ...{ entities: z.array(z.enum(ENTITIES)).optional(), stepMs: count },
  ...{ updates: count, creates: count, deletes: count },
});

export async function startPipedriveEmulator(options: PipedriveEmulatorOptions = {}) {
  const seed = options.seed ?? DEFAULT_SEED;
  const tokens = options.tokens && options.tokens.length > 0 ? options.tokens : [DEFAULT_TOKEN];
  const data = new Dataset({ seed, ...(options.counts ? { counts: options.counts } : {}) });
  let url = "";
  const core = kit.createEmulatorCore({
    seed,
    tokens,
    // v1 takes `?api_token=`; every version takes the `x-api-token` header; OAuth tokens are bearer tokens.
    credentials: kit.anyCredential(
      kit.headerCredential("x-api-token"),
      kit.queryCredential("api_token"),
      kit.bearerToken,
    ),
    errors: pipedriveErrors,
    rateLimit: {
      config: { ...DEFAULT_RATE_LIMIT, ...options.rateLimit },
      policy: (limits) => ({
        windows: [
          { name: "burst", limit: limits.perTwoSeconds, windowMs: 2000 },
          { name: "daily", limit: limits.daily, windowMs: 86_400_000 },
        ],
        faultWindow: "burst",
        headers: ({ burst, daily }) => ({
          ...kit.limitRemainingResetHeaders(burst!),
          "x-daily-requests-left": String(daily!.remaining),
        }),
      }),
      schema: z.object({ perTwoSeconds: z.number().int().min(1), daily: z.number().int().min(1) }).partial(),
    },
    ...(options.faults ? { faults: options.faults } : {}),
    oauth: {
      server: kit.defineOAuthServer({
        // Client id and secret in a Basic header only; the response names the company's API domain.
        clientAuth: ["client_secret_basic"],
        accessTokenTtlSeconds: 3599,
        accessTokenPrefix: "v1:",
        tokenResponseExtras: () => ({ api_domain: url }),
        page: { providerName: "Pipedrive", accountLabel: "Emulated Company", accentColor: "#017737" },
      }),
      ...(options.oauthApps ? { apps: options.oauthApps } : {}),
    },
  });
  const controls = kit.emulatorControls(core, {
    state: () => ({
      clock: new Date(data.clock.now).toISOString(),
      live: Object.fromEntries(ENTITIES.map((entity) => [entity, data.tables[entity].liveCount])),
    }),
    reset: () => data.reset(),
  });
  const app = kit.buildEmulatorApp(core, {
    controls,
    api: (api) => {
      pipedriveRoutes(api, data, pipedriveErrors);
      webhookRoutes(api, data, pipedriveErrors, () => url);
    },
    providerControls: (control) => {
      control.post("/_emulator/changes", async (request) =>
        data.change(kit.parseBody(pipedriveErrors, changeSchema, request.body ?? {})),
      );
      kit.groundTruthRoute(control, pipedriveErrors, ENTITIES, (entity) => data.groundTruth(entity));
    },
  });
  const server = await kit.listen(app, options);
  url = server.url;
  return {
    ...server,
    ...controls,
    tokens,
    /** Updates, creations and deletions at later times (per entity; default every entity). */
    change: (request: ChangeRequest): Partial<Record<Entity, kit.ChangeResult>> => data.change(request),
    groundTruth: (entity: Entity) => data.groundTruth(entity),
    oauth: kit.createOAuthControls(core.oauth!) as kit.OAuthControls,
  };
}

export type PipedriveEmulator = Awaited<ReturnType<typeof startPipedriveEmulator>>;
