/**
 * The outbound webhook tables on SQLite and Postgres: events queue deliveries for the endpoints that want
 * them, only the head of each connection's queue is due, leases keep two workers off one delivery, a worker
 * that lost its lease records nothing, replays and run announcements work, and a worker delivers for real.
 */
import { describe, expect } from "vitest";
import { createWebhookEndpoint } from "../../src/app/webhooks/endpoints.ts";
import { emptyRunStats } from "../../src/core/index.ts";
import { startTestServer } from "../../src/http/test-server.ts";
import {
  appendEvent,
  claimDelivery,
  createRun,
  disableWebhookEndpoint,
  ensureEnvironment,
  finishRun,
  getWebhookEndpoint,
  insertReplay,
  listDueDeliveries,
  listUnannouncedRuns,
  listWebhookDeliveries,
  markRunAnnounced,
  noteEndpointFailure,
  recordDeliveryAttempt,
  type Store,
  setEnvironmentPrivateNetwork,
} from "../../src/store/index.ts";
import { generateVaultKey, parseVaultKey, Vault } from "../../src/vault/index.ts";
import { createDeliveryWorker } from "../../src/webhooks/outbound/index.ts";
import { itOnSqliteAndPostgres } from "../helpers/postgres.ts";
import { addTestConnection } from "../helpers/temp-store.ts";

const vault = new Vault({ current: parseVaultKey(generateVaultKey()), previous: [] });

const attempt = (deliveryId: string, status: number) => ({
  delivery_id: deliveryId,
  attempt: 1,
  started_at: new Date().toISOString(),
  request_headers: "{}",
  response_status: status,
  response_body: "",
  error: null,
  latency_ms: 1,
  next_attempt_at: null,
});

describe("outbound webhook deliveries in the store", () => {
  itOnSqliteAndPostgres(async (store: Store) => {
    const { db } = store;
    const env = await ensureEnvironment(db, "dev");
    await setEnvironmentPrivateNetwork(db, env.id, true);
    const receiver = await startTestServer((_request, res) => {
      res.writeHead(200).end("ok");
    });
    try {
      const { endpoint: all } = await createWebhookEndpoint({ db, vault }, env.id, { url: receiver.url });
      const { endpoint: onlyFailures } = await createWebhookEndpoint({ db, vault }, env.id, {
        url: receiver.url,
        eventTypes: ["sync.failed"],
      });
      const stored = await getWebhookEndpoint(db, all.id);
      expect(stored?.secret).not.toMatch(/whsec_/);

      const emit = (connectionId: string, n: number) =>
        appendEvent(db, {
          environmentId: env.id,
          type: "records.changed",
          connectionId,
          data: { connection_id: connectionId, n },
        });
      for (const n of [1, 2, 3]) await emit("conn_a", n);
      await emit("conn_b", 1);
      // Not an outbound type: logged, not delivered.
      await appendEvent(db, { environmentId: env.id, type: "connection.updated", data: {} });
      expect((await listWebhookDeliveries(db, all.id, { limit: 10 })).items).toHaveLength(4);
      expect((await listWebhookDeliveries(db, onlyFailures.id, { limit: 10 })).items).toHaveLength(0);

      const now = new Date().toISOString();
      const due = await listDueDeliveries(db, now, 10);
      const heads = due.map(
        (d) => `${d.connection_id}:${(JSON.parse(d.payload) as { data: { n: number } }).data.n}`,
      );
      expect(heads.sort()).toEqual(["conn_a:1", "conn_b:1"]);
      const head = due.find((d) => d.connection_id === "conn_a")!;

      const lease = { now, expiresAt: new Date(Date.now() + 60_000).toISOString() };
      expect(await claimDelivery(db, head.id, { owner: "w1", ...lease })).toBe(true);
      expect(await claimDelivery(db, head.id, { owner: "w2", ...lease })).toBe(false);
      expect(await listDueDeliveries(db, now, 10)).toHaveLength(1);
      const done = { status: "succeeded" as const, nextAttemptAt: null };
      expect(await recordDeliveryAttempt(db, { id: head.id, owner: "w2" }, attempt(head.id, 200), done)).toBe(
        false,
      );
      expect(await recordDeliveryAttempt(db, { id: head.id, owner: "w1" }, attempt(head.id, 200), done)).toBe(
        true,
      );
      const next = await listDueDeliveries(db, new Date().toISOString(), 10);
      expect(next.map((d) => (JSON.parse(d.payload) as { data: { n: number } }).data.n).sort()).toEqual([
        1, 2,
      ]);

      // An expired lease is taken over.
      const second = next.find((d) => d.connection_id === "conn_a")!;
      const past = new Date(Date.now() - 1_000).toISOString();
      expect(await claimDelivery(db, second.id, { owner: "w1", now, expiresAt: past })).toBe(true);
      expect(await claimDelivery(db, second.id, { owner: "w2", now, expiresAt: lease.expiresAt })).toBe(true);

      const replay = await insertReplay(db, head);
      expect(replay).toMatchObject({ message_id: head.message_id, ordering_key: null, replay_of: head.id });

      const failing = await noteEndpointFailure(db, onlyFailures.id, { at: now, exhausted: true });
      const again = await noteEndpointFailure(db, onlyFailures.id, { at: past, exhausted: true });
      expect([failing?.exhausted_in_a_row, again?.exhausted_in_a_row, again?.failing_since]).toEqual([
        1,
        2,
        now,
      ]);
      expect(await disableWebhookEndpoint(db, onlyFailures.id, "because", now)).toBe(true);
      expect(await disableWebhookEndpoint(db, onlyFailures.id, "because", now)).toBe(false);

      const connectionId = await addTestConnection(db, "dev", "fake");
      const run = await createRun(db, { connectionId, fullRefresh: false });
      const since = new Date(Date.now() - 60_000).toISOString();
      expect(await listUnannouncedRuns(db, since, 10)).toEqual([]);
      await finishRun(db, run.id, { status: "succeeded", stats: emptyRunStats() });
      expect(await listUnannouncedRuns(db, since, 10)).toEqual([run.id]);
      expect(await markRunAnnounced(db, run.id)).toBe(true);
      expect(await markRunAnnounced(db, run.id)).toBe(false);
      expect(await listUnannouncedRuns(db, since, 10)).toEqual([]);

      // A worker delivers what is due (conn_b's head and the replay; conn_a's second is leased by w2).
      const worker = createDeliveryWorker({ db, vault, leaseMs: 60_000 });
      try {
        expect(await worker.deliverDue()).toBe(2);
      } finally {
        await worker.close();
      }
      expect(receiver.requests.map((r) => r.headers["webhook-id"]).sort()).toEqual(
        [head.message_id, due.find((d) => d.connection_id === "conn_b")!.message_id].sort(),
      );
    } finally {
      await receiver.close();
    }
  });
});
