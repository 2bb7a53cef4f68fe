/**
 * A provider declared for inbound webhook tests: GitHub-style signatures, events naming items of an account,
 * and a fetch of the item from what the test says the provider holds (counting the fetches).
 */
import type { InboundEvent, ProviderDefinition, SyncRecord } from "../../src/core/index.ts";

export const SECRET = "acme-webhook-secret";

/** The provider's side: what it holds, and how often Switchyard fetched. */
export class AcmeTruth {
  records = new Map<string, SyncRecord>();
  fetches = 0;
}

export function acmeProvider(truth: AcmeTruth): ProviderDefinition {
  return {
    name: "acme",
    displayName: "Acme",
    baseUrl: "http://127.0.0.1:9",
    auth: { type: "bearer" },
    streams: [
      {
        name: "items",
        primaryKey: "id",
        deletedField: "deleted",
        schema: { columns: { id: "string", name: "string", deleted: "boolean" } },
        async *read() {},
      },
    ],
    async checkCredentials() {},
    webhooks: {
      scheme: "github",
      secretDescription: "the webhook secret",
      parse(body) {
        const events = body as { id: string; account: string; kind: string; item: string }[];
        return events.map(
          (event): InboundEvent => ({
            eventId: event.id,
            type: `item.${event.kind}`,
            accountId: event.account,
            action:
              ({ deleted: "delete", changed: "upsert", touched: "sync" } as const)[event.kind] ?? "ignore",
            stream: event.kind === "unknown" ? undefined : "items",
            recordId: event.item,
            occurredAt: undefined,
            payload: event,
          }),
        );
      },
      // The test's one connection holds account acct-1.
      async accountId() {
        return "acct-1";
      },
      async fetchRecord(_http, _stream, id) {
        truth.fetches += 1;
        if (id === "unreachable") throw new Error("Acme is down");
        return truth.records.get(id);
      },
    },
  };
}
