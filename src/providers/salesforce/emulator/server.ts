/**
 * The Salesforce emulator: an org with Accounts, Contacts, Opportunities and Users behind the REST API
 * (`/services/data/vXX.X/...`), the OAuth 2.0 web server flow, the `Sforce-Limit-Info` budget, Salesforce's
 * error bodies, the kit's faults and the `/_emulator/*` controls. Start it, point a client (jsforce, or the
 * connector) at `url` as the instance URL.
 */
import { z } from "zod";
import {
  buildEmulatorApp,
  createEmulatorCore,
  createOAuthControls,
  emulatorControls,
  type FaultSettings,
  listen,
  type OAuthAppSpec,
  parseBody,
} from "../../../emulator/index.ts";
import { findObject, OBJECT_NAMES, type ObjectName } from "./catalog.ts";
import { type ChangeRequest, DEFAULT_ORG_SIZE, Org, type RenderedRecord } from "./dataset.ts";
import { salesforceErrors } from "./errors.ts";
import type { OrgSize } from "./generate.ts";
import { ADMIN_USER_ID } from "./generate.ts";
import { registerIdentityRoutes } from "./identity.ts";
import { toSalesforceId } from "./ids.ts";
import { salesforceOAuthServer } from "./oauth.ts";
import { QueryService } from "./query.ts";
import { DEFAULT_RATE_LIMIT, type RateLimitConfig, salesforceRateLimit } from "./rate-limit.ts";
import { LATEST_VERSION, registerRoutes } from "./routes.ts";

export const DEFAULT_SEED = 7;
/** The org's id (`00D…`), which session ids start with. */
export const ORG_ID = toSalesforceId("00D", 1);
/** A session id (access token) the emulator accepts without OAuth, as `Authorization: Bearer`. */
export const DEFAULT_TOKEN = `${ORG_ID.slice(0, 15)}!AQ4AQEmulatedSessionIdForTests`;

export interface SalesforceEmulatorOptions {
  port?: number;
  host?: string;
  seed?: number;
  size?: Partial<OrgSize>;
  tokens?: readonly string[];
  faults?: FaultSettings;
  rateLimit?: Partial<RateLimitConfig>;
  oauthApps?: readonly OAuthAppSpec[];
  /** The most rows a query batch holds, whatever was asked (default 2000, Salesforce's largest). */
  largestBatch?: number;
}

/** What the org holds now: live records as the API renders them, and the ids of deleted ones. */
export interface GroundTruth {
  live: RenderedRecord[];
  deletedIds: string[];
}

const changeSchema = z.strictObject({
  object: z.enum(OBJECT_NAMES as [ObjectName, ...ObjectName[]]),
  updates: z.number().int().min(0).max(100_000).optional(),
  creates: z.number().int().min(0).max(100_000).optional(),
  deletes: z.number().int().min(0).max(100_000).optional(),
  stepMs: z.number().int().min(0).optional(),
});
export type ChangeInput = z.infer<typeof changeSchema>;

export async function startSalesforceEmulator(options: SalesforceEmulatorOptions = {}) {
  const seed = options.seed ?? DEFAULT_SEED;
  const size: OrgSize = { ...DEFAULT_ORG_SIZE, ...options.size };
  const tokens = options.tokens ?? [DEFAULT_TOKEN];
  let org = new Org(seed, size);
  let url = "";
  const queries = new QueryService(() => org, options.largestBatch);

  const core = createEmulatorCore({
    seed,
    tokens,
    errors: salesforceErrors,
    rateLimit: salesforceRateLimit({ ...DEFAULT_RATE_LIMIT, ...options.rateLimit }),
    ...(options.faults ? { faults: options.faults } : {}),
    oauth: {
      server: salesforceOAuthServer(() => url, ORG_ID, ADMIN_USER_ID),
      ...(options.oauthApps ? { apps: options.oauthApps } : {}),
    },
  });

  const change = (input: ChangeInput) => {
    const { deletes, ...rest } = input;
    return org.change({ ...rest, ...(deletes !== undefined ? { archives: deletes } : {}) } as ChangeRequest);
  };
  const groundTruth = (objectName: ObjectName): GroundTruth => {
    const object = findObject(objectName)!;
    const live: RenderedRecord[] = [];
    const deletedIds: string[] = [];
    for (const record of org.allRecords(object)) {
      if (record.archivedAt === undefined) live.push(org.render(object, record));
      else deletedIds.push(toSalesforceId(object.keyPrefix, record.id));
    }
    return { live, deletedIds };
  };
  /** Every query locator handed out so far stops working, as after 15 idle minutes. */
  const expireQueryLocators = () => {
    const open = queries.openCursors;
    queries.reset();
    return open;
  };
  const controls = emulatorControls(core, {
    state: () => ({
      clock: new Date(org.clock).toISOString(),
      records: Object.fromEntries(OBJECT_NAMES.map((name) => [name, org.table(name).liveCount])),
    }),
    reset: () => {
      org = new Org(seed, size);
      queries.reset();
    },
  });

  const app = buildEmulatorApp(core, {
    controls,
    api: (api) => {
      registerRoutes(api, () => org, queries);
      registerIdentityRoutes(
        api,
        () => org,
        { orgId: ORG_ID, userId: ADMIN_USER_ID },
        () => url,
      );
    },
    providerControls: (control) => {
      control.post("/_emulator/change", async (request) =>
        change(parseBody(salesforceErrors, changeSchema, request.body ?? {})),
      );
      control.post("/_emulator/expire-query-locators", async () => ({ expired: expireQueryLocators() }));
      control.get("/_emulator/ground-truth/:object", async (request) => {
        const object = findObject((request.params as { object: string }).object);
        if (!object) throw salesforceErrors.routeNotFound("GET", request.url);
        return groundTruth(object.name as ObjectName);
      });
    },
  });
  const server = await listen(app, options);
  url = server.url;
  return {
    ...server,
    ...controls,
    tokens,
    version: LATEST_VERSION,
    change,
    groundTruth,
    expireQueryLocators,
    oauth: createOAuthControls(core.oauth!),
  };
}

export type SalesforceEmulator = Awaited<ReturnType<typeof startSalesforceEmulator>>;
