/**
 * Pipedrive's webhooks v2 (docs/webhooks-inbound.md): one event per request, authenticated by the HTTP
 * Basic credentials set on the subscription (`http_auth_user` / `http_auth_password`), naming its company
 * (`meta.company_id`), which routes it to that company's connections (asked once through
 * `GET /api/v1/users/me`). Creations and changes ask for an incremental sync of the stream (the payload's
 * custom fields are keyed by hash; a sync names and types them); deletions mark the cached record deleted.
 */
import { z } from "zod";
import type { InboundEvent, ProviderWebhooks } from "../../core/index.ts";

const STREAMS: Record<string, string> = {
  person: "persons",
  organization: "organizations",
  deal: "deals",
  activity: "activities",
  user: "users",
  stage: "stages",
};
/** Streams whose records carry a deleted flag a delete can set. */
const DELETABLE = new Set(["persons", "organizations", "deals", "activities"]);

const payloadSchema = z.looseObject({
  meta: z.looseObject({
    action: z.string(),
    entity: z.string(),
    entity_id: z.union([z.string(), z.number()]),
    id: z.string().min(1),
    company_id: z.union([z.string(), z.number()]),
    timestamp: z.string().optional(),
    version: z.literal("2.0"),
  }),
});

function toEvent(payload: z.infer<typeof payloadSchema>): InboundEvent {
  const { meta } = payload;
  const stream = STREAMS[meta.entity];
  const known = stream !== undefined && ["create", "change", "delete"].includes(meta.action);
  const action = !known ? "ignore" : meta.action === "delete" && DELETABLE.has(stream) ? "delete" : "sync";
  return {
    eventId: meta.id,
    type: `${meta.action}.${meta.entity}`,
    accountId: String(meta.company_id),
    action,
    stream: known ? stream : undefined,
    recordId: String(meta.entity_id),
    occurredAt: meta.timestamp,
    payload,
  };
}

export const pipedriveWebhooks: ProviderWebhooks = {
  scheme: "basic-auth",
  secretDescription: "the `user:password` you set as the webhook's HTTP Basic credentials",
  parse: (body) => [toEvent(payloadSchema.parse(body))],
  async accountId(http, signal) {
    const response = await http.request({ path: "/api/v1/users/me" }, { signal });
    const me = z
      .object({ data: z.object({ company_id: z.union([z.number(), z.string()]) }) })
      .parse(response.body);
    return String(me.data.company_id);
  },
};
