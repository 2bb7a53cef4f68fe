/**
 * `POST /v1/webhooks/{environment_id}/{provider}`: where providers deliver. No API key — the provider's
 * signature authenticates the request, checked over the raw body bytes, so this route reads the body as a
 * buffer whatever its content type. The events are persisted before the 2xx; the processor is woken.
 */
import type { FastifyInstance } from "fastify";
import type { PlatformDeps } from "../../app/platform.ts";
import { receiveWebhook } from "../../webhooks/inbound/receive.ts";

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
      deps.inboundWebhooks?.wake();
      return reply.code(200).send({ received: received.events, new: received.stored });
    });
  });
}
