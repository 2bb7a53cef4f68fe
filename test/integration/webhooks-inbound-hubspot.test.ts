/**
 * End to end with the HubSpot emulator: the integration subscribes through HubSpot's webhooks API as a
 * real app would, a change in the emulator is delivered as a signed v3 webhook, and the record in the
 * records cache follows — created, property changed, deleted — and the product's endpoint is told, by a
 * signed `records.changed` delivery naming the Common Model and the ids.
 */
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PlatformDeps } from "../../src/app/platform.ts";
import { createWebhookEndpoint } from "../../src/app/webhooks/endpoints.ts";
import { outboundWebhookWorker } from "../../src/app/webhooks/outbound.ts";
import { createInboundProcessor, type InboundProcessor } from "../../src/app/webhooks-inbound/processor.ts";
import {
  type RecordedRequest,
  sendJson,
  startTestServer,
  type TestServer,
} from "../../src/http/test-server.ts";
import {
  DEFAULT_TOKEN,
  type HubSpotEmulator,
  startHubSpotEmulator,
} from "../../src/providers/hubspot/emulator/server.ts";
import { DEFAULT_DEVELOPER_API_KEY, PORTAL_ID } from "../../src/providers/hubspot/emulator/webhooks.ts";
import { hubspot } from "../../src/providers/hubspot/index.ts";
import { buildServer } from "../../src/server/app.ts";
import {
  createConnection,
  ensureEnvironment,
  listInboundEvents,
  type Store,
  setEnvironmentPrivateNetwork,
} from "../../src/store/index.ts";
import { generateVaultKey, parseVaultKey, Vault } from "../../src/vault/index.ts";
import { openTempStore } from "../helpers/temp-store.ts";

const APP = {
  clientId: "webhook-app",
  clientSecret: "hubspot-app-client-secret",
  redirectUris: [],
  scopes: [],
};

describe("HubSpot webhooks, emulator to records cache", () => {
  let emulator: HubSpotEmulator;
  let store: Store;
  let cleanup: () => Promise<void>;
  let app: ReturnType<typeof buildServer>;
  let processor: InboundProcessor;
  let environmentId: string;
  let connectionId: string;
  let appId: number;
  let receiver: TestServer;
  let receiverSecret: string;
  const delivering = new AbortController();
  let delivered: Promise<void>;

  beforeAll(async () => {
    emulator = await startHubSpotEmulator({
      counts: { contacts: 20, companies: 5, deals: 5 },
      oauthApps: [APP],
    });
    // The kit's OAuth server numbers registered apps from 2,000,000: the one app is 2000000.
    appId = 2_000_000;
    ({ store, cleanup } = await openTempStore());
    const vault = new Vault({ current: parseVaultKey(generateVaultKey()), previous: [] });
    const environment = await ensureEnvironment(store.db, "dev");
    environmentId = environment.id;
    await setEnvironmentPrivateNetwork(store.db, environmentId, true);
    const connection = await createConnection(store.db, {
      environmentId,
      provider: "hubspot",
      config: { baseUrl: emulator.url },
      sealedCredentials: vault.seal(JSON.stringify({ type: "bearer", token: DEFAULT_TOKEN })),
    });
    connectionId = connection.id;
    // No secret stored for the environment: the deployment's OAuth app secret verifies (HubSpot signs with it).
    const deps: PlatformDeps = {
      db: store.db,
      vault,
      providers: { hubspot },
      providerSettings: { hubspot: { oauth2: { clientId: APP.clientId, clientSecret: APP.clientSecret } } },
    };
    // The product's endpoint, told of every records.changed (the outbound worker is woken by each apply).
    receiver = await startTestServer((_request, res) => sendJson(res, 200, { ok: true }));
    const endpoint = await createWebhookEndpoint(deps, environmentId, {
      url: receiver.url,
      eventTypes: ["records.changed"],
    });
    receiverSecret = endpoint.secret;
    const worker = outboundWebhookWorker(deps, { pollMs: 5_000, timeoutMs: 2_000 });
    delivered = worker.run(delivering.signal);
    processor = createInboundProcessor(deps, { debounceMs: 10, onRecordsChanged: () => worker.wake() });
    deps.inboundWebhooks = processor;
    app = buildServer(deps, { log: false, rateLimit: false });
    await app.listen({ host: "127.0.0.1", port: 0 });
    processor.start();
    const { port } = app.server.address() as AddressInfo;
    const hubspotApi = (path: string, method: string, body: unknown) =>
      fetch(`${emulator.url}/webhooks/v3/${appId}${path}?hapikey=${DEFAULT_DEVELOPER_API_KEY}`, {
        method,
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const settings = await hubspotApi("/settings", "PUT", {
      targetUrl: `http://127.0.0.1:${port}/v1/webhooks/${environmentId}/hubspot`,
      throttling: { maxConcurrentRequests: 10 },
    });
    expect(settings.status).toBe(200);
    for (const eventType of ["contact.creation", "contact.propertyChange", "contact.deletion"]) {
      const subscription = await hubspotApi("/subscriptions", "POST", {
        eventType,
        active: true,
        ...(eventType === "contact.propertyChange" ? { propertyName: "firstname" } : {}),
      });
      expect(subscription.status).toBe(201);
    }
  });

  afterAll(async () => {
    delivering.abort();
    await delivered;
    await receiver?.close();
    await processor?.stop();
    await app?.close();
    await emulator?.close();
    await cleanup?.();
  });

  const crm = (method: string, path: string, body?: unknown) =>
    fetch(`${emulator.url}/crm/v3/objects/contacts${path}`, {
      method,
      headers: {
        authorization: `Bearer ${DEFAULT_TOKEN}`,
        ...(body ? { "content-type": "application/json" } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });

  /** Waits until `count` events were received and none is left to process (no time assertion). */
  async function processedEvents(count: number) {
    for (let i = 0; i < 500; i++) {
      await processor.idle();
      const page = await listInboundEvents(store.db, environmentId, { limit: 100 });
      if (page.items.length >= count && page.items.every((event) => event.status !== "received"))
        return page.items;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`fewer than ${count} events arrived`);
  }

  const cached = async (pk: string) => {
    const row = await store.db
      .selectFrom("records")
      .select(["payload", "deleted"])
      .where("connection_id", "=", connectionId)
      .where("stream", "=", "contacts")
      .where("pk", "=", pk)
      .executeTakeFirst();
    return (
      row && { ...(JSON.parse(row.payload) as Record<string, unknown>), cacheDeleted: Boolean(row.deleted) }
    );
  };

  it("applies a creation, a property change and a deletion to the cache", async () => {
    const created = (await (
      await crm("POST", "", { properties: { firstname: "Ada", lastname: "Lovelace" } })
    ).json()) as {
      id: string;
    };
    const events = await processedEvents(1);
    expect(events[0]).toMatchObject({
      type: "contact.creation",
      account_id: String(PORTAL_ID),
      status: "processed",
      connection_ids: JSON.stringify([connectionId]),
    });
    expect(await cached(created.id)).toMatchObject({
      id: created.id,
      firstname: "Ada",
      lastname: "Lovelace",
      archived: false,
    });

    expect((await crm("PATCH", `/${created.id}`, { properties: { firstname: "Augusta" } })).status).toBe(200);
    const afterChange = await processedEvents(2);
    expect(afterChange.find((event) => event.type === "contact.propertyChange")?.status).toBe("processed");
    expect(await cached(created.id)).toMatchObject({ firstname: "Augusta", cacheDeleted: false });

    expect((await crm("DELETE", `/${created.id}`)).status).toBe(204);
    await processedEvents(3);
    expect(await cached(created.id)).toMatchObject({ archived: true, cacheDeleted: true });
  });

  /** The records.changed deliveries the product's endpoint received about `id`, verified with its secret. */
  function recordsChangedAbout(id: string) {
    const verifier = new Webhook(receiverSecret);
    return receiver.requests
      .map((request: RecordedRequest) => {
        const headers = Object.fromEntries(
          ["webhook-id", "webhook-timestamp", "webhook-signature"].map((name) => [
            name,
            String(request.headers[name]),
          ]),
        );
        return verifier.verify(request.body, headers) as { type: string; data: Record<string, unknown> };
      })
      .filter(
        (message) =>
          message.type === "records.changed" &&
          ["added", "updated", "deleted"].some((kind) => (message.data[kind] as string[]).includes(id)),
      );
  }

  async function deliveredAbout(id: string, count: number) {
    for (let i = 0; i < 500; i++) {
      const found = recordsChangedAbout(id);
      if (found.length >= count) return found;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`fewer than ${count} records.changed deliveries named ${id}`);
  }

  it("tells the product's endpoint: records.changed for the Contact added, updated and deleted", async () => {
    const created = (await (
      await crm("POST", "", { properties: { firstname: "Grace", lastname: "Hopper" } })
    ).json()) as { id: string };
    const [added] = await deliveredAbout(created.id, 1);
    const events = await listInboundEvents(store.db, environmentId, { limit: 100 });
    const creation = events.items.find(
      (event) => event.type === "contact.creation" && event.record_id === created.id,
    );
    expect(added!.data).toEqual({
      connection_id: connectionId,
      provider: "hubspot",
      model: "contacts",
      unified_models: ["Contact"],
      inbound_event_id: creation!.id,
      added: [created.id],
      updated: [],
      deleted: [],
    });
    expect(await cached(created.id)).toMatchObject({ firstname: "Grace" });

    expect((await crm("PATCH", `/${created.id}`, { properties: { firstname: "Amazing" } })).status).toBe(200);
    const [, updated] = await deliveredAbout(created.id, 2);
    expect(updated!.data).toMatchObject({ added: [], updated: [created.id], deleted: [] });
    expect(await cached(created.id)).toMatchObject({ firstname: "Amazing" });

    expect((await crm("DELETE", `/${created.id}`)).status).toBe(204);
    const [, , deleted] = await deliveredAbout(created.id, 3);
    expect(deleted!.data).toMatchObject({ added: [], updated: [], deleted: [created.id] });
    expect(await cached(created.id)).toMatchObject({ cacheDeleted: true });
    // Nothing announced twice: each change of the cache is one delivery.
    await processor.idle();
    expect(recordsChangedAbout(created.id)).toHaveLength(3);
  });

  it("refuses a delivery signed with another secret", async () => {
    const { port } = app.server.address() as AddressInfo;
    const body = JSON.stringify([
      { eventId: 1, subscriptionType: "contact.creation", portalId: PORTAL_ID, objectId: 1 },
    ]);
    const response = await fetch(`http://127.0.0.1:${port}/v1/webhooks/${environmentId}/hubspot`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-hubspot-signature-v3": "bm90IGEgc2lnbmF0dXJl",
        "x-hubspot-request-timestamp": String(Date.now()),
      },
      body,
    });
    expect(response.status).toBe(401);
    // The deployment's secret verifies deliveries only to environments that exist.
    const elsewhere = await fetch(`http://127.0.0.1:${port}/v1/webhooks/env_missing/hubspot`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    expect(elsewhere.status).toBe(404);
  });
});
