/**
 * Inbound webhooks through the API: the secret an environment verifies each provider's deliveries with
 * (write-only: it is stored sealed and never shown again), and the events received, including those
 * Switchyard could not route or does not act on. The receiving endpoint itself is webhooks-inbound-receiver.ts.
 */
import { z } from "zod";
import type { PlatformDeps } from "../../app/platform.ts";
import { SwitchyardError } from "../../core/index.ts";
import {
  findInboundSecret,
  type InboundEventRow,
  listInboundEvents,
  saveInboundSecret,
} from "../../store/index.ts";
import { webhooksOf } from "../../webhooks/inbound/receive.ts";
import { defineRoute } from "../route.ts";
import { pageOf, pageQuery, timestamp } from "../schemas.ts";

const tags = ["Inbound webhooks"];
const STATUSES = ["received", "syncing", "processed", "ignored", "unroutable", "failed"] as const;

export const inboundEventSchema = z
  .object({
    id: z.string(),
    provider: z.string(),
    event_id: z.string().describe("The provider's event id (prefixed by its account id when it names one)."),
    type: z.string().describe("The provider's event type, e.g. `contact.propertyChange`."),
    account_id: z
      .string()
      .nullable()
      .describe("The provider account it happened in (HubSpot portal, Pipedrive company)."),
    action: z.string().describe("`upsert`, `delete`, `sync` or `ignore`."),
    stream: z.string().nullable(),
    record_id: z.string().nullable(),
    status: z.enum(STATUSES),
    connection_ids: z.array(z.string()).describe("The connections it was routed to."),
    error: z
      .string()
      .nullable()
      .describe("Why it is unroutable, ignored or failed (or the last failed try)."),
    attempts: z.number().int(),
    payload: z.unknown().describe("The event as the provider sent it."),
    occurred_at: timestamp.nullable(),
    received_at: timestamp,
    processed_at: timestamp.nullable(),
  })
  .meta({ id: "InboundWebhookEvent" });

function view(row: InboundEventRow): z.input<typeof inboundEventSchema> {
  return {
    id: row.id,
    provider: row.provider,
    event_id: row.event_id,
    type: row.type,
    account_id: row.account_id,
    action: row.action,
    stream: row.stream,
    record_id: row.record_id,
    status: row.status,
    connection_ids: row.connection_ids ? (JSON.parse(row.connection_ids) as string[]) : [],
    error: row.error,
    attempts: row.attempts,
    payload: JSON.parse(row.payload) as unknown,
    occurred_at: row.occurred_at,
    received_at: row.received_at,
    processed_at: row.processed_at,
  };
}

export const listInboundEventsRoute = defineRoute({
  method: "GET",
  url: "/v1/webhook-events",
  name: "listInboundWebhookEvents",
  summary: "List inbound webhook events",
  description:
    "Events providers delivered to this environment, newest first. `status=unroutable` lists those no connection " +
    "holds the account of; `ignored`, those Switchyard does not act on; `failed`, those whose application kept failing.",
  tags,
  auth: "api_key",
  query: z.strictObject({
    status: z.enum(STATUSES).optional(),
    provider: z.string().max(100).optional(),
    ...pageQuery,
  }),
  response: { 200: pageOf(inboundEventSchema) },
  errors: ["argument_invalid"],
}).handle(async ({ query, caller, deps }) => {
  const page = await listInboundEvents(deps.db, caller.environmentId, {
    limit: query.limit,
    ...(query.cursor ? { cursor: query.cursor } : {}),
    ...(query.status ? { status: query.status } : {}),
    ...(query.provider ? { provider: query.provider } : {}),
  });
  return { status: 200, body: { data: page.items.map(view), next_cursor: page.nextCursor } };
});

const settingsSchema = z
  .object({
    provider: z.string(),
    scheme: z
      .string()
      .describe(
        "How its deliveries are verified: `hubspot-v3`, `basic-auth`, `stripe`, `shopify`, `github`.",
      ),
    url: z.string().describe("Where the provider delivers: set it as the subscription's target URL."),
    secret_set: z.boolean().describe("A secret is stored for this environment (it is never shown)."),
    updated_at: timestamp.nullable(),
  })
  .meta({ id: "InboundWebhookSettings" });

const providerParams = z.strictObject({
  provider: z.string().min(1).max(100).describe("A provider's name, e.g. `hubspot`."),
});

function receivingUrl(publicUrl: string | undefined, environmentId: string, provider: string): string {
  return `${(publicUrl ?? "http://127.0.0.1:3000").replace(/\/$/, "")}/v1/webhooks/${environmentId}/${provider}`;
}

/** What GET and PUT answer: the receiving URL, the scheme, and whether (and when) a secret was set. */
async function settingsView(
  deps: PlatformDeps,
  environmentId: string,
  provider: string,
): Promise<z.input<typeof settingsSchema>> {
  const webhooks = webhooksOf(deps, provider);
  const stored = await findInboundSecret(deps.db, environmentId, provider);
  return {
    provider,
    scheme: webhooks.scheme,
    url: receivingUrl(deps.publicUrl, environmentId, provider),
    secret_set: stored !== undefined,
    updated_at: stored?.updated_at ?? null,
  };
}

export const getInboundSettingsRoute = defineRoute({
  method: "GET",
  url: "/v1/webhook-settings/:provider",
  name: "getInboundWebhookSettings",
  summary: "See a provider's inbound webhook settings",
  description: "The URL to subscribe with, the signature scheme, and whether a secret is set.",
  tags,
  auth: "api_key",
  params: providerParams,
  response: { 200: settingsSchema },
  errors: ["not_found"],
}).handle(async ({ params, caller, deps }) => {
  return { status: 200, body: await settingsView(deps, caller.environmentId, params.provider) };
});

export const setInboundSettingsRoute = defineRoute({
  method: "PUT",
  url: "/v1/webhook-settings/:provider",
  name: "setInboundWebhookSettings",
  summary: "Set a provider's inbound webhook secret",
  description:
    "The secret this environment verifies the provider's deliveries with: HubSpot's app client secret, the " +
    "`user:password` set as HTTP Basic credentials on a Pipedrive subscription, a Stripe `whsec_…` secret. Stored sealed.",
  tags,
  auth: "api_key",
  params: providerParams,
  body: z.strictObject({ secret: z.string().min(8).max(1_000).describe("Never shown again.") }),
  response: { 200: settingsSchema },
  errors: ["argument_invalid", "not_found"],
  example: { body: { secret: "your-app-client-secret" } },
}).handle(async ({ params, body, caller, deps }) => {
  const webhooks = webhooksOf(deps, params.provider);
  if (webhooks.scheme === "basic-auth" && !/^[^:]+:.+$/.test(body.secret)) {
    throw new SwitchyardError("argument_invalid", "A basic-auth secret is `user:password`.", {
      hint: "Send the HTTP Basic user and password set on the subscription, joined by a colon.",
    });
  }
  await saveInboundSecret(deps.db, caller.environmentId, params.provider, deps.vault.seal(body.secret));
  return { status: 200, body: await settingsView(deps, caller.environmentId, params.provider) };
});

export const inboundWebhookRoutes = [
  listInboundEventsRoute,
  getInboundSettingsRoute,
  setInboundSettingsRoute,
] as const;
