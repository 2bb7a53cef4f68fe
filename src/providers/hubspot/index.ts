/**
 * HubSpot, on the provider kit: private app (bearer) auth or OAuth2, X-HubSpot-RateLimit-* headers, the check
 * call, the CRM object streams (hand-written from the kit's pieces: streams.ts) and the declared owners.
 */
import type { ProviderDefinition } from "../../core/index.ts";
import { defineProvider } from "../kit/index.ts";
import { hubspotActions } from "./actions.ts";
import { hubspotBatchActions } from "./batch-actions.ts";
import { HUBSPOT_SCOPES } from "./scopes.ts";
import { hubspotStreams } from "./streams.ts";
import { hubspotWebhooks } from "./webhooks.ts";

export const HUBSPOT_BASE_URL = "https://api.hubapi.com";

const declared = defineProvider({
  name: "hubspot",
  displayName: "HubSpot",
  baseUrl: HUBSPOT_BASE_URL,
  auth: { type: "bearer" },
  credentialFields: [
    {
      name: "token",
      label: "Private app access token",
      type: "secret",
      help: "In HubSpot: Settings → Integrations → Private Apps → your app → Auth → Access token. It starts with pat-.",
      pattern: "pat-[a-z0-9]+-[A-Za-z0-9-]+",
      placeholder: "pat-na1-…",
    },
  ],
  // Authorize on app.hubspot.com; tokens from the v1 token endpoint (form-encoded, client id and secret in
  // the body). Access tokens last 30 minutes; the refresh token does not change.
  oauth2: {
    authorizationUrl: "https://app.hubspot.com/oauth/authorize",
    tokenUrl: `${HUBSPOT_BASE_URL}/oauth/v1/token`,
    scopes: HUBSPOT_SCOPES,
    pkce: true,
    clientAuth: "client_secret_post",
  },
  rateLimit: {
    limit: "x-hubspot-ratelimit-max",
    remaining: "x-hubspot-ratelimit-remaining",
    windowMsHeader: "x-hubspot-ratelimit-interval-milliseconds",
    // Search responses carry no rate-limit headers; HubSpot's window is 10 seconds.
    windowMs: 10_000,
    // The search endpoints allow 5 requests per second per account and say so in no header.
    fixed: [{ method: "POST", pathPattern: "/search$", limit: 5, windowMs: 1_000 }],
  },
  // One cheap call (one contact, default properties); 401/403 become CredentialsRejectedError in the client.
  check: { path: "/crm/v3/objects/contacts", query: { limit: 1 } },
  streams: hubspotStreams,
});

export const hubspot: ProviderDefinition = {
  ...declared,
  actions: [...hubspotActions, ...hubspotBatchActions],
  webhooks: hubspotWebhooks,
  // Loaded on demand: a server that never starts the emulator does not load it.
  emulator: async (options) => (await import("./emulator-handle.ts")).startHubSpotEmulatorHandle(options),
};

export { CRM_OBJECTS, type CrmObject, columnsOf } from "./objects.ts";
export { HUBSPOT_SCOPES } from "./scopes.ts";
export type { HubSpotState } from "./state.ts";
export { crmStream, hubspotStreams } from "./streams.ts";
