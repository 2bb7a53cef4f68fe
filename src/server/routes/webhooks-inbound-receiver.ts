/**
 * `POST /v1/webhooks/{environment_id}/{provider}`: where providers deliver. No API key — the provider's
 * signature authenticates the request, checked over the raw body bytes, so this route reads the body as a
 * buffer whatever its content type. The events are persisted before the 2xx, then enqueued for processing.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { PlatformDeps } from "../../app/platform.ts";
import { SwitchyardError } from "../../core/index.ts";
import { receiveWebhook } from "../../webhooks/inbound/receive.ts";
import type { AnyRoute } from "../route.ts";

export const INBOUND_WEBHOOK_PATH = "/v1/webhooks/:environment_id/:provider";

export function registerInboundWebhookReceiver(app: FastifyInstance, deps: PlatformDeps): void {
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));
    scope.post(INBOUND_WEBHOOK_PATH, async (request, reply) => {
      const { environment_id: environmentId, provider } = request.params as {
        environment_id: string;
        provider: string;
      };
      // The URL as the provider called it (HubSpot signs it): the public URL when one is configured.
      const origin = deps.publicUrl?.replace(/\/$/, "") ?? `${request.protocol}://${request.host}`;
      const received = await receiveWebhook(deps, environmentId, provider, {
        method: request.method,
        url: `${origin}${request.url}`,
        headers: request.headers,
        rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
      });
      deps.inboundWebhooks?.wake(received.toProcess);
      return reply.code(200).send({ received: received.events, new: received.stored });
    });
  });
}

/** The receiving endpoint in the API reference (it is registered by hand: it reads the raw body). */
export const inboundWebhookRouteDocs: readonly AnyRoute[] = [
  {
    method: "POST",
    url: "/v1/webhooks/:environment_id/:provider",
    name: "receiveProviderWebhook",
    summary: "Receive a provider's webhook",
    description:
      "Where a provider delivers its webhooks (set it as the subscription's target URL). No API key: the " +
      "provider's signature is checked over the raw body with the environment's secret for the provider " +
      "(`PUT /v1/webhook-settings/{provider}`). The events are stored before the 2xx, then applied or turned " +
      "into a sync. See docs/webhooks-inbound.md.",
    tags: ["Inbound webhooks"],
    auth: "public",
    params: z.object({
      environment_id: z.string().describe("The environment (`env_…`) whose connections the events are for."),
      provider: z.string().describe("The provider sending, e.g. `hubspot`."),
    }),
    body: z.unknown().describe("The provider's payload, exactly as it signed it."),
    response: {
      200: z.object({
        received: z.number().int().describe("Events in the delivery."),
        new: z.number().int().describe("Of those, events not received before (the rest are redeliveries)."),
      }),
    },
    errors: ["unauthenticated", "not_found"],
    handler: async () => {
      throw new SwitchyardError("internal", "The receiver's documentation entry is not a route.");
    },
  },
];
