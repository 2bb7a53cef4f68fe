/** Pipedrive's webhooks: `/v1/webhooks` subscriptions; a v2 payload per change (one per request, Basic auth). */
import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import * as kit from "../../../emulator/index.ts";
import type { Entity, Values } from "./catalog.ts";
import type { Dataset } from "./dataset.ts";

const OBJECT = { persons: "person", organizations: "organization", deals: "deal", activities: "activity" };
const ACTION = { created: "create", updated: "change", archived: "delete" } as const;
const schema = z.object({
  ...{ subscription_url: z.url(), event_action: z.enum(["create", "change", "delete", "*"]) },
  ...{ event_object: z.enum([...Object.values(OBJECT), "*"]), user_id: z.number().int().optional() },
  ...{ http_auth_user: z.string().optional(), http_auth_password: z.string().optional() },
  version: z.enum(["1.0", "2.0"]).default("2.0"),
});

export function webhookRoutes(api: FastifyInstance, data: Dataset, style: kit.ErrorStyle, url: () => string) {
  const hooks = kit.subscriptionRoutes(api, {
    ...{ paths: ["/v1/webhooks", "/api/v1/webhooks"], schema, errors: style },
    create: (body, id) => ({ ...body, id, company_id: 7001, add_time: new Date().toISOString() }),
    view: ({ http_auth_password, ...hook }) => ({ ...hook, is_active: true, type: "general" }),
    envelope: (data) => ({ success: true, status: "ok", data }),
    notFound: () => new kit.EmulatorError(404, "not_found", "Webhook not found"),
  });
  const dispatcher = new kit.WebhookDispatcher();
  api.addHook("onClose", async () => dispatcher.close());
  kit.watchTables(data, () => data.tables, send);

  function send(table: string, change: kit.TableChange<Values>): void {
    const [entity, action] = [table as Entity, ACTION[change.kind]];
    const record = data.serialize(entity, data.tables[entity].get(change.id)!);
    const previous = change.kind === "updated" ? change.previous : change.kind === "archived" ? record : null;
    const body = { data: change.kind === "archived" ? null : record, previous };
    const meta = { action, entity: OBJECT[entity], entity_id: `${change.id}`, version: "2.0" };
    const at = { timestamp: new Date(change.at).toISOString(), change_source: "api", host: url() };
    for (const hook of hooks.values()) {
      if (![action, "*"].includes(hook.event_action) || ![meta.entity, "*"].includes(hook.event_object))
        continue;
      const ids = { id: randomUUID(), company_id: "7001", webhook_id: `${hook.id}`, user_id: "1" };
      const headers = kit.basicAuthHeaders(hook.http_auth_user, hook.http_auth_password);
      dispatcher.send({ url: hook.subscription_url, headers }, { ...body, meta: { ...meta, ...at, ...ids } });
    }
  }
}
