/**
 * The delivery log of outbound webhooks: an endpoint's deliveries, one delivery with every attempt (request
 * headers and body, response status and body excerpt, latency, next attempt), and replay (docs/webhooks.md).
 */
import { z } from "zod";
import {
  getWebhookDeliveryIn,
  getWebhookEndpointIn,
  insertReplay,
  listWebhookAttempts,
  listWebhookDeliveries,
  type WebhookAttemptRow,
  type WebhookDeliveryRow,
} from "../../store/index.ts";
import { defineRoute } from "../route.ts";
import { idParams, pageOf, pageQuery, timestamp } from "../schemas.ts";

const DELIVERY_STATUSES = ["pending", "succeeded", "failed"] as const;

export const webhookDeliverySchema = z
  .object({
    id: z.string(),
    endpoint_id: z.string(),
    event_id: z.string(),
    event_type: z.string(),
    connection_id: z.string().nullable(),
    webhook_id: z.string().describe("The `webhook-id` header: the same for every attempt and every replay."),
    status: z
      .enum(DELIVERY_STATUSES)
      .describe("`pending` (waiting or being sent), `succeeded`, `failed` (every attempt failed)."),
    attempts: z.number().int(),
    next_attempt_at: timestamp.nullable(),
    last_response_status: z
      .string()
      .nullable()
      .describe("The last attempt's HTTP status, `error` when there was no answer."),
    replay_of: z.string().nullable().describe("The delivery this one replays."),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: "WebhookDelivery" });

const attemptSchema = z
  .object({
    attempt: z.number().int(),
    started_at: timestamp,
    request_headers: z.record(z.string(), z.string()),
    response_status: z.number().int().nullable(),
    response_body: z.string().nullable().describe("The first 2 KiB of the response body."),
    error: z.string().nullable(),
    latency_ms: z.number().int(),
    next_attempt_at: timestamp.nullable().describe("When it is tried again; null when this was the last."),
  })
  .meta({ id: "WebhookAttempt" });

const deliveryDetailSchema = webhookDeliverySchema
  .extend({
    request_body: z.string().describe("The JSON body sent (and signed), exactly."),
    attempts_log: z.array(attemptSchema),
  })
  .meta({ id: "WebhookDeliveryDetail" });

function deliveryView(row: WebhookDeliveryRow): z.input<typeof webhookDeliverySchema> {
  return {
    id: row.id,
    endpoint_id: row.endpoint_id,
    event_id: row.event_id,
    event_type: row.event_type,
    connection_id: row.connection_id,
    webhook_id: row.message_id,
    status: row.status as (typeof DELIVERY_STATUSES)[number],
    attempts: row.attempts,
    next_attempt_at: row.status === "pending" ? row.next_attempt_at : null,
    last_response_status: row.last_response_status,
    replay_of: row.replay_of,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

function attemptView(row: WebhookAttemptRow): z.input<typeof attemptSchema> {
  return {
    attempt: row.attempt,
    started_at: row.started_at,
    request_headers: JSON.parse(row.request_headers) as Record<string, string>,
    response_status: row.response_status,
    response_body: row.response_body,
    error: row.error,
    latency_ms: row.latency_ms,
    next_attempt_at: row.next_attempt_at,
  };
}

export const listWebhookDeliveriesRoute = defineRoute({
  method: "GET",
  url: "/v1/webhook-endpoints/:id/deliveries",
  name: "listWebhookDeliveries",
  summary: "List a webhook endpoint's deliveries",
  description: "Newest first, optionally in one status.",
  tags: ["Webhooks"],
  auth: "api_key",
  params: idParams,
  query: z.strictObject({ status: z.enum(DELIVERY_STATUSES).optional(), ...pageQuery }),
  response: { 200: pageOf(webhookDeliverySchema) },
  errors: ["not_found", "argument_invalid"],
}).handle(async ({ params, query, caller, deps }) => {
  const endpoint = await getWebhookEndpointIn(deps.db, caller.environmentId, params.id);
  const page = await listWebhookDeliveries(deps.db, endpoint.id, {
    limit: query.limit,
    ...(query.status ? { status: query.status } : {}),
    ...(query.cursor ? { cursor: query.cursor } : {}),
  });
  return { status: 200, body: { data: page.items.map(deliveryView), next_cursor: page.nextCursor } };
});

export const getWebhookDeliveryRoute = defineRoute({
  method: "GET",
  url: "/v1/webhook-deliveries/:id",
  name: "getWebhookDelivery",
  summary: "Get a webhook delivery with its attempts",
  tags: ["Webhooks"],
  auth: "api_key",
  params: idParams,
  response: { 200: deliveryDetailSchema },
  errors: ["not_found"],
}).handle(async ({ params, caller, deps }) => {
  const row = await getWebhookDeliveryIn(deps.db, caller.environmentId, params.id);
  const attempts = await listWebhookAttempts(deps.db, row.id);
  return {
    status: 200,
    body: { ...deliveryView(row), request_body: row.payload, attempts_log: attempts.map(attemptView) },
  };
});

export const replayWebhookDeliveryRoute = defineRoute({
  method: "POST",
  url: "/v1/webhook-deliveries/:id/replay",
  name: "replayWebhookDelivery",
  summary: "Replay a webhook delivery",
  description:
    "Queues a new delivery of the same body with the same `webhook-id` (receivers that de-duplicate by it " +
    "see the same message), sent at once and signed with the endpoint's current secret, outside the " +
    "per-connection order. Any delivery can be replayed, whatever its status.",
  tags: ["Webhooks"],
  auth: "api_key",
  params: idParams,
  response: { 202: webhookDeliverySchema },
  errors: ["not_found"],
}).handle(async ({ params, caller, deps }) => {
  const original = await getWebhookDeliveryIn(deps.db, caller.environmentId, params.id);
  // The endpoint must still be this environment's (it always is; a deleted one took its deliveries along).
  await getWebhookEndpointIn(deps.db, caller.environmentId, original.endpoint_id);
  const replay = await insertReplay(deps.db, original);
  return { status: 202, body: deliveryView(replay) };
});

export const webhookDeliveryRoutes = [
  listWebhookDeliveriesRoute,
  getWebhookDeliveryRoute,
  replayWebhookDeliveryRoute,
] as const;
