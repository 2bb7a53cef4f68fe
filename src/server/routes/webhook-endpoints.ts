/**
 * The product's outbound webhook endpoints in the caller's environment: create (the secret is shown once),
 * list, get, change (URL, event filter, enable or disable), delete, and rotate the secret (docs/webhooks.md).
 */
import { z } from "zod";
import {
  changeWebhookEndpoint,
  createWebhookEndpoint,
  DEFAULT_ROTATION_OVERLAP_S,
  removeWebhookEndpoint,
  rotateWebhookSecret,
} from "../../app/webhooks/endpoints.ts";
import {
  getWebhookEndpointIn,
  listWebhookEndpoints,
  OUTBOUND_EVENT_TYPES,
  type OutboundEventType,
  type WebhookEndpointRow,
} from "../../store/index.ts";
import { defineRoute } from "../route.ts";
import { idParams, pageOf, pageQuery, plainText, timestamp } from "../schemas.ts";

const eventTypes = z
  .array(z.enum(OUTBOUND_EVENT_TYPES))
  .min(1)
  .max(OUTBOUND_EVENT_TYPES.length)
  .nullable()
  .describe(`The event types sent to it; null for all of them (${OUTBOUND_EVENT_TYPES.join(", ")}).`);

const endpointUrl = z
  .string()
  .trim()
  .min(1)
  .max(2_000)
  .describe(
    "Where events are POSTed: http(s), not a loopback, private or link-local address unless the environment " +
      "allows private addresses (`allow_private_network`).",
  );

export const webhookEndpointSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    description: z.string(),
    event_types: z.array(z.string()).nullable().describe("Null: every event type."),
    enabled: z.boolean(),
    disabled_reason: z
      .string()
      .nullable()
      .describe("Why it was disabled (by Switchyard or through the API)."),
    disabled_at: timestamp.nullable(),
    failing_since: timestamp
      .nullable()
      .describe("When its deliveries started failing without a success since; null while it works."),
    previous_secret_expires_at: timestamp
      .nullable()
      .describe("Until when the secret before the last rotation also signs deliveries."),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: "WebhookEndpoint" });

const endpointWithSecretSchema = webhookEndpointSchema
  .extend({
    secret: z
      .string()
      .describe("The signing secret (`whsec_…`). Shown only in this response; store it with your receiver."),
  })
  .meta({ id: "WebhookEndpointWithSecret" });

/** The API view of an endpoint: never its secrets. */
export function webhookEndpointView(row: WebhookEndpointRow): z.input<typeof webhookEndpointSchema> {
  const rotating = row.previous_secret_expires_at;
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    event_types: row.event_types === null ? null : (JSON.parse(row.event_types) as string[]),
    enabled: row.enabled === 1,
    disabled_reason: row.disabled_reason,
    disabled_at: row.disabled_at,
    failing_since: row.failing_since,
    previous_secret_expires_at: rotating && rotating > new Date().toISOString() ? rotating : null,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

const typesOf = (types: readonly OutboundEventType[] | null | undefined) => types ?? null;

export const createWebhookEndpointRoute = defineRoute({
  method: "POST",
  url: "/v1/webhook-endpoints",
  name: "createWebhookEndpoint",
  summary: "Register a webhook endpoint",
  description:
    "Events of this environment are POSTed to `url`, signed per the Standard Webhooks spec with the " +
    "returned `secret`, which is shown only here. A loopback, private or link-local address is refused " +
    "unless the environment allows private addresses.",
  tags: ["Webhooks"],
  auth: "api_key",
  body: z.strictObject({
    url: endpointUrl,
    description: plainText(0, 500).optional(),
    event_types: eventTypes.optional(),
  }),
  response: { 201: endpointWithSecretSchema },
  errors: ["request_invalid"],
  example: {
    body: { url: "https://api.example.com/switchyard-webhooks", event_types: ["records.changed"] },
  },
}).handle(async ({ body, caller, deps }) => {
  const { endpoint, secret } = await createWebhookEndpoint(deps, caller.environmentId, {
    url: body.url,
    ...(body.description !== undefined ? { description: body.description } : {}),
    eventTypes: typesOf(body.event_types),
  });
  return { status: 201, body: { ...webhookEndpointView(endpoint), secret } };
});

export const listWebhookEndpointsRoute = defineRoute({
  method: "GET",
  url: "/v1/webhook-endpoints",
  name: "listWebhookEndpoints",
  summary: "List the webhook endpoints of this environment",
  tags: ["Webhooks"],
  auth: "api_key",
  query: z.strictObject({ ...pageQuery }),
  response: { 200: pageOf(webhookEndpointSchema) },
  errors: ["argument_invalid"],
}).handle(async ({ query, caller, deps }) => {
  const page = await listWebhookEndpoints(deps.db, caller.environmentId, {
    limit: query.limit,
    ...(query.cursor ? { cursor: query.cursor } : {}),
  });
  return { status: 200, body: { data: page.items.map(webhookEndpointView), next_cursor: page.nextCursor } };
});

export const getWebhookEndpointRoute = defineRoute({
  method: "GET",
  url: "/v1/webhook-endpoints/:id",
  name: "getWebhookEndpoint",
  summary: "Get a webhook endpoint",
  tags: ["Webhooks"],
  auth: "api_key",
  params: idParams,
  response: { 200: webhookEndpointSchema },
  errors: ["not_found"],
}).handle(async ({ params, caller, deps }) => {
  const row = await getWebhookEndpointIn(deps.db, caller.environmentId, params.id);
  return { status: 200, body: webhookEndpointView(row) };
});

export const updateWebhookEndpointRoute = defineRoute({
  method: "PATCH",
  url: "/v1/webhook-endpoints/:id",
  name: "updateWebhookEndpoint",
  summary: "Change a webhook endpoint: URL, description, event filter, enable or disable",
  description:
    "Changes only the fields given. `enabled: true` enables an endpoint Switchyard disabled and sends its " +
    "waiting deliveries at once; `enabled: false` stops deliveries (they wait) with `disabled_reason`.",
  tags: ["Webhooks"],
  auth: "api_key",
  params: idParams,
  body: z
    .strictObject({
      url: endpointUrl.optional(),
      description: plainText(0, 500).optional(),
      event_types: eventTypes.optional(),
      enabled: z.boolean().optional(),
      disabled_reason: plainText(1, 500).optional().describe("With `enabled: false`: why."),
    })
    .refine(
      (body) => Object.values(body).some((value) => value !== undefined),
      "Give at least one field to change.",
    ),
  response: { 200: webhookEndpointSchema },
  errors: ["not_found", "request_invalid"],
  example: { body: { enabled: true } },
}).handle(async ({ params, body, caller, deps }) => {
  const row = await changeWebhookEndpoint(deps, caller.environmentId, params.id, {
    ...(body.url !== undefined ? { url: body.url } : {}),
    ...(body.description !== undefined ? { description: body.description } : {}),
    ...(body.event_types !== undefined ? { eventTypes: body.event_types } : {}),
    ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
    ...(body.disabled_reason !== undefined ? { disabledReason: body.disabled_reason } : {}),
  });
  return { status: 200, body: webhookEndpointView(row) };
});

export const deleteWebhookEndpointRoute = defineRoute({
  method: "DELETE",
  url: "/v1/webhook-endpoints/:id",
  name: "deleteWebhookEndpoint",
  summary: "Delete a webhook endpoint",
  description: "Its waiting deliveries are dropped, with its delivery log.",
  tags: ["Webhooks"],
  auth: "api_key",
  params: idParams,
  response: { 200: z.object({ id: z.string(), deleted: z.literal(true) }) },
  errors: ["not_found"],
}).handle(async ({ params, caller, deps }) => {
  const row = await removeWebhookEndpoint(deps, caller.environmentId, params.id);
  return { status: 200, body: { id: row.id, deleted: true as const } };
});

export const rotateWebhookSecretRoute = defineRoute({
  method: "POST",
  url: "/v1/webhook-endpoints/:id/rotate-secret",
  name: "rotateWebhookSecret",
  summary: "Rotate a webhook endpoint's secret",
  description:
    "Returns the new secret, shown only here. For `overlap_seconds` (default a day) deliveries carry two " +
    "signatures, one per secret, so the receiver can switch to the new secret without missing a delivery.",
  tags: ["Webhooks"],
  auth: "api_key",
  params: idParams,
  body: z
    .strictObject({
      overlap_seconds: z
        .number()
        .int()
        .min(0)
        .max(7 * 86_400)
        .default(DEFAULT_ROTATION_OVERLAP_S)
        .describe("How long the old secret keeps signing (0–604800 s, default 86400)."),
    })
    .optional(),
  response: { 200: endpointWithSecretSchema },
  errors: ["not_found"],
  example: { body: { overlap_seconds: 3600 } },
}).handle(async ({ params, body, caller, deps }) => {
  const { endpoint, secret } = await rotateWebhookSecret(
    deps,
    caller.environmentId,
    params.id,
    body?.overlap_seconds ?? DEFAULT_ROTATION_OVERLAP_S,
  );
  return { status: 200, body: { ...webhookEndpointView(endpoint), secret } };
});

export const webhookEndpointRoutes = [
  createWebhookEndpointRoute,
  listWebhookEndpointsRoute,
  getWebhookEndpointRoute,
  updateWebhookEndpointRoute,
  deleteWebhookEndpointRoute,
  rotateWebhookSecretRoute,
] as const;
