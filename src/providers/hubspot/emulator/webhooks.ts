/**
 * HubSpot's webhooks, emulated: an app's settings and subscriptions through the webhooks API v3
 * (`/webhooks/v3/{appId}/settings`, `/webhooks/v3/{appId}/subscriptions`, with the developer API key as
 * `hapikey`), and, when the account's contacts, companies or deals change, the events HubSpot sends —
 * `contact.creation`, `contact.propertyChange` (one per property), `contact.deletion`, and the same for
 * companies and deals — batched in arrays of up to 100, signed with the app's client secret (v3 and v1
 * signatures), to the app's target URL. `GET /account-info/v3/details` names the portal the events carry.
 */
import { createHash, createHmac } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { parseBody } from "../../../emulator/body.ts";
import { EmulatorError } from "../../../emulator/errors.ts";
import type { TableChange } from "../../../emulator/table.ts";
import { WebhookDispatcher, watchTables } from "../../../emulator/webhooks.ts";
import { OBJECT_TYPES, type ObjectTypeName } from "./catalog.ts";
import type { EmulatorContext } from "./context.ts";
import { hubspotErrors } from "./errors.ts";
import type { PropertyValues } from "./generate.ts";

/** The emulated account's Hub ID (the OAuth consent page names it too). */
export const PORTAL_ID = 1;
/** The developer API key the webhooks API accepts as `hapikey` when none is configured. */
export const DEFAULT_DEVELOPER_API_KEY = "emulator-developer-api-key";

const SINGULAR: Record<ObjectTypeName, string> = { contacts: "contact", companies: "company", deals: "deal" };
const EVENT_TYPES = OBJECT_TYPES.flatMap((type) =>
  ["creation", "propertyChange", "deletion"].map((kind) => `${SINGULAR[type]}.${kind}`),
);

interface Subscription {
  id: number;
  eventType: string;
  propertyName?: string;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

interface AppWebhooks {
  settings?: {
    targetUrl: string;
    throttling: { maxConcurrentRequests: number; period?: string };
    createdAt: string;
    updatedAt: string;
  };
  subscriptions: Subscription[];
}

const settingsBody = z.object({
  targetUrl: z.string().url(),
  throttling: z.object({ maxConcurrentRequests: z.number().int().min(1), period: z.string().optional() }),
});
const subscriptionBody = z.object({
  eventType: z.enum(EVENT_TYPES as [string, ...string[]]),
  propertyName: z.string().min(1).optional(),
  active: z.boolean().default(true),
});

/** The v3 signature HubSpot sends: base64 HMAC-SHA256 of method + URI + body + timestamp, keyed by the client secret. */
function signatureHeaders(secret: string, body: string, url: string): Record<string, string> {
  const timestamp = String(Date.now());
  return {
    "x-hubspot-signature-v3": createHmac("sha256", secret)
      .update(`POST${url}${body}${timestamp}`)
      .digest("base64"),
    "x-hubspot-request-timestamp": timestamp,
    "x-hubspot-signature-version": "v1",
    "x-hubspot-signature": createHash("sha256").update(`${secret}${body}`).digest("hex"),
  };
}

export interface HubSpotWebhooks {
  /** The settings and subscriptions API (outside the private-app token guard: it takes `hapikey`). */
  settingsRoutes(scope: FastifyInstance): void;
  /** `GET /account-info/v3/details`, behind the token guard like any API call. */
  accountRoutes(api: FastifyInstance): void;
  dispatcher: WebhookDispatcher;
}

export function hubspotWebhooks(
  ctx: EmulatorContext,
  developerApiKey = DEFAULT_DEVELOPER_API_KEY,
): HubSpotWebhooks {
  const apps = new Map<number, AppWebhooks>();
  const dispatcher = new WebhookDispatcher({ batchSize: 100, flushMs: 20 });
  let eventIds = 0;
  let subscriptionIds = 0;

  const secretOf = (appId: number) =>
    [...(ctx.oauth?.apps.values() ?? [])].find((app) => app.appId === appId)?.clientSecret;

  function emit(type: ObjectTypeName, change: TableChange<PropertyValues>): void {
    const kind =
      change.kind === "created" ? "creation" : change.kind === "archived" ? "deletion" : "propertyChange";
    const eventType = `${SINGULAR[type]}.${kind}`;
    for (const [appId, app] of apps) {
      const secret = secretOf(appId);
      if (!app.settings || !secret) continue;
      const target = {
        url: app.settings.targetUrl,
        headers: (body: string, url: string) => signatureHeaders(secret, body, url),
      };
      const base = (subscription: Subscription) => ({
        eventId: ++eventIds,
        subscriptionId: subscription.id,
        portalId: PORTAL_ID,
        appId,
        occurredAt: change.at,
        subscriptionType: eventType,
        attemptNumber: 0,
        objectId: change.id,
        changeSource: "CRM",
      });
      for (const subscription of app.subscriptions) {
        if (!subscription.active || subscription.eventType !== eventType) continue;
        if (change.kind !== "updated") {
          dispatcher.send(target, {
            ...base(subscription),
            changeFlag: change.kind === "created" ? "NEW" : "DELETED",
          });
          continue;
        }
        for (const [propertyName, value] of Object.entries(change.fields)) {
          // A subscription names its property (the emulator also takes one without: every property).
          if (subscription.propertyName !== undefined && subscription.propertyName !== propertyName) continue;
          dispatcher.send(target, {
            ...base(subscription),
            propertyName,
            propertyValue: value == null ? "" : String(value),
          });
        }
      }
    }
  }

  const tables = () => Object.fromEntries(OBJECT_TYPES.map((type) => [type, ctx.dataset.table(type)]));
  watchTables(ctx.dataset, tables, (type, change) => emit(type as ObjectTypeName, change));

  function appOf(request: { params: unknown; query: unknown }): AppWebhooks {
    const { hapikey } = request.query as { hapikey?: string };
    if (hapikey !== developerApiKey) {
      throw new EmulatorError(401, "INVALID_AUTHENTICATION", "The developer API key provided is invalid.");
    }
    const appId = Number((request.params as { appId: string }).appId);
    if (!Number.isSafeInteger(appId) || secretOf(appId) === undefined) {
      throw new EmulatorError(
        404,
        "NOT_FOUND",
        `App ${String((request.params as { appId: string }).appId)} not found.`,
      );
    }
    let app = apps.get(appId);
    if (!app) {
      app = { subscriptions: [] };
      apps.set(appId, app);
    }
    return app;
  }

  return {
    dispatcher,
    settingsRoutes(scope) {
      scope.addHook("onClose", async () => dispatcher.close());
      const base = "/webhooks/v3/:appId";
      scope.get(`${base}/settings`, async (request) => {
        const app = appOf(request);
        if (!app.settings) throw new EmulatorError(404, "NOT_FOUND", "No webhook settings for this app.");
        return app.settings;
      });
      scope.put(`${base}/settings`, async (request) => {
        const app = appOf(request);
        const body = parseBody(hubspotErrors, settingsBody, request.body);
        const at = new Date().toISOString();
        app.settings = { ...body, createdAt: app.settings?.createdAt ?? at, updatedAt: at };
        return app.settings;
      });
      scope.delete(`${base}/settings`, async (request, reply) => {
        delete appOf(request).settings;
        return reply.code(204).send();
      });
      scope.get(`${base}/subscriptions`, async (request) => ({ results: appOf(request).subscriptions }));
      scope.post(`${base}/subscriptions`, async (request, reply) => {
        const app = appOf(request);
        const body = parseBody(hubspotErrors, subscriptionBody, request.body);
        const at = new Date().toISOString();
        const subscription: Subscription = { id: ++subscriptionIds, ...body, createdAt: at, updatedAt: at };
        app.subscriptions.push(subscription);
        return reply.code(201).send(subscription);
      });
      scope.delete(`${base}/subscriptions/:subscriptionId`, async (request, reply) => {
        const app = appOf(request);
        const id = Number((request.params as { subscriptionId: string }).subscriptionId);
        const index = app.subscriptions.findIndex((subscription) => subscription.id === id);
        if (index < 0) throw new EmulatorError(404, "NOT_FOUND", `Subscription ${id} not found.`);
        app.subscriptions.splice(index, 1);
        return reply.code(204).send();
      });
    },
    accountRoutes(api) {
      api.get("/account-info/v3/details", async () => ({
        portalId: PORTAL_ID,
        accountType: "STANDARD",
        timeZone: "US/Eastern",
        companyCurrency: "USD",
        additionalCurrencies: [],
        utcOffset: "-05:00",
        utcOffsetMilliseconds: -18_000_000,
        uiDomain: "app.hubspot.com",
        dataHostingLocation: "na1",
      }));
    },
  };
}
