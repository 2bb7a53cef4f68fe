/**
 * HubSpot's webhooks (docs/webhooks-inbound.md): v3 signatures with the app's client secret; deliveries
 * are arrays of events, each naming its portal (`portalId`), which routes it to the connections of that
 * portal (asked once through `GET /account-info/v3/details`). Creations, property changes and restores are
 * applied by fetching the object as the stream outputs it (a property change carries one property);
 * deletions mark the cached record archived; merges and association changes ask for a sync.
 */
import { z } from "zod";
import {
  type HttpClient,
  type InboundEvent,
  type InboundEventAction,
  ProviderRequestError,
  type ProviderWebhooks,
  type ReadContext,
  type SyncRecord,
} from "../../core/index.ts";
import { CRM_OBJECTS, type CrmObject } from "./objects.ts";
import { fetchPropertyCatalog, type PropertyCatalog } from "./properties.ts";
import { companyIdsInline, parseCrmObject, toSyncRecord } from "./records.ts";

const STREAMS: Record<string, string> = { contact: "contacts", company: "companies", deal: "deals" };

const ACTIONS: Record<string, InboundEventAction> = {
  creation: "upsert",
  propertyChange: "upsert",
  restore: "upsert",
  deletion: "delete",
  privacyDeletion: "delete",
  merge: "sync",
  associationChange: "sync",
};

const eventSchema = z.looseObject({
  eventId: z.union([z.number(), z.string()]),
  subscriptionType: z.string(),
  portalId: z.union([z.number(), z.string()]).optional(),
  objectId: z.union([z.number(), z.string()]).optional(),
  occurredAt: z.number().optional(),
});
const deliverySchema = z.array(eventSchema).max(1_000);

function toEvent(event: z.infer<typeof eventSchema>): InboundEvent {
  const [object = "", kind = ""] = event.subscriptionType.split(".");
  const stream = STREAMS[object];
  const action = (stream && ACTIONS[kind]) || "ignore";
  return {
    eventId: String(event.eventId),
    type: event.subscriptionType,
    accountId: event.portalId === undefined ? undefined : String(event.portalId),
    action,
    stream: action === "ignore" ? undefined : stream,
    recordId: event.objectId === undefined ? undefined : String(event.objectId),
    occurredAt: event.occurredAt === undefined ? undefined : new Date(event.occurredAt).toISOString(),
    payload: event,
  };
}

/** Property catalogs per client: one processor pass asks for each object's properties once. */
const catalogs = new WeakMap<HttpClient, Map<string, Promise<PropertyCatalog>>>();

function catalogOf(http: HttpClient, object: CrmObject, signal: AbortSignal): Promise<PropertyCatalog> {
  let perClient = catalogs.get(http);
  if (!perClient) {
    perClient = new Map();
    catalogs.set(http, perClient);
  }
  let catalog = perClient.get(object.name);
  if (!catalog) {
    const ctx: ReadContext = { http, signal, state: undefined, fullRefresh: false, log: { log() {} } };
    catalog = fetchPropertyCatalog(ctx, object);
    perClient.set(object.name, catalog);
  }
  return catalog;
}

async function fetchRecord(
  http: HttpClient,
  stream: string,
  id: string,
  signal: AbortSignal,
): Promise<SyncRecord | undefined> {
  const object = CRM_OBJECTS.find((candidate) => candidate.name === stream);
  if (!object) throw new Error(`HubSpot has no CRM object stream "${stream}".`);
  if (!/^\d+$/.test(id)) return undefined;
  const catalog = await catalogOf(http, object, signal);
  try {
    const response = await http.request(
      {
        path: `/crm/v3/objects/${object.name}/${id}`,
        query: {
          properties: catalog.names.join(","),
          ...(object.withCompanyIds ? { associations: "companies" } : {}),
        },
      },
      { signal },
    );
    const source = parseCrmObject(object, response.body as Record<string, unknown>, 0);
    return toSyncRecord(
      object,
      source,
      catalog.types,
      object.withCompanyIds ? companyIdsInline(source) : undefined,
    );
  } catch (error) {
    // Archived (or never there): the record is gone.
    if (error instanceof ProviderRequestError && error.details?.status === 404) return undefined;
    throw error;
  }
}

export const hubspotWebhooks: ProviderWebhooks = {
  scheme: "hubspot-v3",
  secretDescription: "your HubSpot app's client secret",
  signedWithOAuthClientSecret: true,
  parse: (body) => deliverySchema.parse(body).map(toEvent),
  async accountId(http, signal) {
    const response = await http.request({ path: "/account-info/v3/details" }, { signal });
    return String(z.object({ portalId: z.union([z.number(), z.string()]) }).parse(response.body).portalId);
  },
  fetchRecord,
};
