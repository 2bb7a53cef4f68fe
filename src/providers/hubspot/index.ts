/**
 * HubSpot: private app (bearer) auth, X-HubSpot-RateLimit-* headers, and the CRM streams.
 */
import type { HttpClient, ProviderDefinition } from "../../core/index.ts";
import { hubspotStreams } from "./streams.ts";

export const HUBSPOT_BASE_URL = "https://api.hubapi.com";

/** Proves the token works with one cheap call (one contact, default properties); 401/403 become CredentialsRejectedError in the client. */
async function checkCredentials(http: HttpClient): Promise<void> {
  await http.request({ path: "/crm/v3/objects/contacts", query: { limit: 1 } });
}

export const hubspot: ProviderDefinition = {
  name: "hubspot",
  displayName: "HubSpot",
  baseUrl: HUBSPOT_BASE_URL,
  auth: { type: "bearer" },
  rateLimit: {
    limit: "x-hubspot-ratelimit-max",
    remaining: "x-hubspot-ratelimit-remaining",
    windowMsHeader: "x-hubspot-ratelimit-interval-milliseconds",
    // Search responses carry no rate-limit headers; HubSpot's window is 10 seconds.
    windowMs: 10_000,
  },
  streams: hubspotStreams,
  checkCredentials,
};

export { CRM_OBJECTS, type CrmObject, columnsOf } from "./objects.ts";
export type { HubSpotState } from "./state.ts";
export { crmStream, hubspotStreams } from "./streams.ts";
