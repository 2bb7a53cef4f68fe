/**
 * Inbound webhooks end to end over a provider declared in the test (GitHub-style signatures): persisted
 * before the 2xx, routed by account, applied to the records cache once however often delivered, kept when
 * unroutable or unknown, processed after a restart, and a burst of 2,000 deliveries over loopback.
 */
import { createHmac } from "node:crypto";
import type { AddressInfo } from "node:net";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { issueApiKey } from "../../src/app/api-keys/api-keys.ts";
import type { PlatformDeps } from "../../src/app/platform.ts";
import { createSync } from "../../src/app/syncs/syncs.ts";
import { createInboundProcessor } from "../../src/app/webhooks-inbound/processor.ts";
import type { SyncRecord } from "../../src/core/index.ts";
import { buildServer } from "../../src/server/app.ts";
import {
  createConnection,
  ensureEnvironment,
  getSync,
  listInboundEvents,
  type Store,
  saveInboundSecret,
} from "../../src/store/index.ts";
import { generateVaultKey, parseVaultKey, Vault } from "../../src/vault/index.ts";
import { AcmeTruth, acmeProvider, SECRET } from "../helpers/acme-webhooks.ts";
import { itOnSqliteAndPostgres } from "../helpers/postgres.ts";
import { openTempStore } from "../helpers/temp-store.ts";

async function setup(store: Store, truth = new AcmeTruth()) {
  const vault = new Vault({ current: parseVaultKey(generateVaultKey()), previous: [] });
  const environment = await ensureEnvironment(store.db, "dev");
  const connection = await createConnection(store.db, {
    environmentId: environment.id,
    provider: "acme",
    sealedCredentials: vault.seal(JSON.stringify({ type: "bearer", token: "token-acct-1" })),
  });
  await saveInboundSecret(store.db, environment.id, "acme", vault.seal(SECRET));
  const deps: PlatformDeps = { db: store.db, vault, providers: { acme: acmeProvider(truth) } };
  const app = buildServer(deps, { log: false, rateLimit: false });
  const deliver = (events: unknown[], secret = SECRET) => {
    const body = JSON.stringify(events);
    const signature = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
    return app.inject({
      method: "POST",
      url: `/v1/webhooks/${environment.id}/acme`,
      headers: { "content-type": "application/json", "x-hub-signature-256": signature },
      payload: body,
    });
  };
  const statuses = async () => {
    const rows = await sql<{ status: string; n: number }>`
      select status, count(*) as n from inbound_webhook_events group by status`.execute(store.db);
    return Object.fromEntries(rows.rows.map((row) => [row.status, Number(row.n)]));
  };
  const cached = async (pk: string) => {
    const row = await store.db
      .selectFrom("records")
      .select(["payload", "deleted"])
      .where("connection_id", "=", connection.id)
      .where("pk", "=", pk)
      .executeTakeFirst();
    return row
      ? { ...(JSON.parse(row.payload) as SyncRecord), cachedDeleted: Boolean(row.deleted) }
      : undefined;
  };
  return { deps, app, deliver, statuses, cached, truth, environment, connection };
}

describe("inbound webhooks", () => {
  itOnSqliteAndPostgres(async (store) => {
    const s = await setup(store);
    const processor = createInboundProcessor(s.deps, { debounceMs: 10 });
    try {
      s.truth.records.set("1", { id: "1", name: "first", deleted: false });
      const first = [{ id: "e1", account: "acct-1", kind: "changed", item: "1" }];
      const answer = await s.deliver(first);
      expect(answer.statusCode).toBe(200);
      expect(answer.json()).toEqual({ received: 1, new: 1 });
      // Persisted before the 2xx: the row is there though no processor has run.
      expect(await s.statuses()).toEqual({ received: 1 });

      processor.start();
      await processor.idle();
      expect(await s.cached("1")).toMatchObject({ id: "1", name: "first", cachedDeleted: false });
      expect(s.truth.fetches).toBe(1);

      // The same delivery again (at-least-once): recognised and applied once.
      expect((await s.deliver(first)).json()).toEqual({ received: 1, new: 0 });
      await processor.idle();
      expect(s.truth.fetches).toBe(1);

      // A deletion, an event of another account, and one Switchyard does not know: all kept.
      await s.deliver([
        { id: "e2", account: "acct-1", kind: "deleted", item: "1" },
        { id: "e3", account: "acct-404", kind: "changed", item: "9" },
        { id: "e4", account: "acct-1", kind: "unknown", item: "1" },
      ]);
      await processor.idle();
      expect(await s.cached("1")).toMatchObject({ deleted: true, cachedDeleted: true });
      expect(await s.statuses()).toEqual({ processed: 2, unroutable: 1, ignored: 1 });
      const unroutable = await s.app.inject({
        method: "GET",
        url: "/v1/webhook-events?status=unroutable",
        headers: { authorization: "Bearer none" },
      });
      // Listing needs an API key (the receiving URL does not).
      expect(unroutable.statusCode).toBe(401);
      const { secret } = await issueApiKey(store.db, s.environment, "test");
      const listed = await s.app.inject({
        method: "GET",
        url: "/v1/webhook-events?status=unroutable",
        headers: { authorization: `Bearer ${secret}` },
      });
      expect(listed.json()).toMatchObject({
        data: [
          {
            event_id: "acct-404:e3",
            type: "item.changed",
            status: "unroutable",
            error: expect.stringContaining("acct-404"),
            payload: { id: "e3", account: "acct-404" },
          },
        ],
      });
    } finally {
      await processor.stop();
      await s.app.close();
    }
  });

  it("refuses a bad signature and stores nothing", async () => {
    const { store, cleanup } = await openTempStore();
    const s = await setup(store);
    try {
      const answer = await s.deliver(
        [{ id: "e1", account: "acct-1", kind: "changed", item: "1" }],
        "wrong-secret",
      );
      expect(answer.statusCode).toBe(401);
      expect(answer.json()).toMatchObject({ code: "unauthenticated" });
      expect(JSON.stringify(answer.json())).not.toContain(SECRET);
      expect(await s.statuses()).toEqual({});
    } finally {
      await s.app.close();
      await cleanup();
    }
  });

  it("processes after a restart what a killed process had persisted", async () => {
    const { store, cleanup } = await openTempStore();
    const s = await setup(store);
    try {
      s.truth.records.set("7", { id: "7", name: "seven", deleted: false });
      // Persisted, then the process "dies" before any processor ran.
      await s.deliver([{ id: "k1", account: "acct-1", kind: "changed", item: "7" }]);
      expect(await s.statuses()).toEqual({ received: 1 });
      expect(await s.cached("7")).toBeUndefined();
      // The next process starts its processor: what was waiting is processed.
      const next = createInboundProcessor(s.deps, { debounceMs: 10 });
      next.start();
      await next.idle();
      await next.stop();
      expect(await s.statuses()).toEqual({ processed: 1 });
      expect(await s.cached("7")).toMatchObject({ name: "seven" });
    } finally {
      await s.app.close();
      await cleanup();
    }
  });

  it("persists and processes a burst of 2,000 deliveries over loopback", async () => {
    const { store, cleanup } = await openTempStore();
    const s = await setup(store);
    const processor = createInboundProcessor(s.deps, { debounceMs: 10 });
    s.deps.inboundWebhooks = processor;
    await s.app.listen({ host: "127.0.0.1", port: 0 });
    const { port } = s.app.server.address() as AddressInfo;
    processor.start();
    try {
      const total = 2_000;
      for (let i = 0; i < total; i++)
        s.truth.records.set(String(i), { id: String(i), name: `n${i}`, deleted: false });
      let next = 0;
      const statuses: number[] = [];
      const worker = async () => {
        while (next < total) {
          const i = next++;
          const body = JSON.stringify([{ id: `b${i}`, account: "acct-1", kind: "changed", item: String(i) }]);
          const response = await fetch(`http://127.0.0.1:${port}/v1/webhooks/${s.environment.id}/acme`, {
            method: "POST",
            headers: {
              "content-type": "application/json",
              "x-hub-signature-256": `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`,
            },
            body,
          });
          statuses.push(response.status);
          await response.arrayBuffer();
        }
      };
      await Promise.all(Array.from({ length: 32 }, worker));
      expect(statuses.filter((status) => status === 200)).toHaveLength(total);
      await processor.idle();
      expect(await s.statuses()).toEqual({ processed: total });
      const count = await store.db
        .selectFrom("records")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("connection_id", "=", s.connection.id)
        .executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(total);
    } finally {
      await processor.stop();
      await s.app.close();
      await cleanup();
    }
  }, 120_000);

  it("asks for the sync a killed process had routed but not asked for yet", async () => {
    const { store, cleanup } = await openTempStore();
    const s = await setup(store);
    try {
      const provider = s.deps.providers.acme!;
      const sync = await createSync(store.db, provider, s.connection.id, { frequency: "1h" });
      // The first process routes the event and waits (debounce) — then dies before asking for the run.
      const first = createInboundProcessor(s.deps, { debounceMs: 60_000 });
      await s.deliver([{ id: "t1", account: "acct-1", kind: "touched", item: "1" }]);
      first.start();
      for (let i = 0; i < 200 && (await s.statuses()).syncing !== 1; i++)
        await new Promise((r) => setTimeout(r, 10));
      await first.stop();
      expect(await s.statuses()).toEqual({ syncing: 1 });
      expect((await getSync(store.db, sync.id)).requested).toBeNull();
      // The next process asks for it.
      const next = createInboundProcessor(s.deps, { debounceMs: 10 });
      next.start();
      await next.idle();
      await next.stop();
      expect(await s.statuses()).toEqual({ processed: 1 });
      expect((await getSync(store.db, sync.id)).requested).toMatchObject({ fullRefresh: false });
    } finally {
      await s.app.close();
      await cleanup();
    }
  });

  it("tries a failing application again, then keeps it as failed with the error", async () => {
    const { store, cleanup } = await openTempStore();
    const s = await setup(store);
    const processor = createInboundProcessor(s.deps, { maxAttempts: 3, retryDelayMs: 5 });
    try {
      await s.deliver([{ id: "f1", account: "acct-1", kind: "changed", item: "unreachable" }]);
      processor.start();
      for (let i = 0; i < 500 && (await s.statuses()).failed !== 1; i++)
        await new Promise((r) => setTimeout(r, 10));
      expect(await s.statuses()).toEqual({ failed: 1 });
      expect(s.truth.fetches).toBe(3);
      const [event] = (await listInboundEvents(store.db, s.environment.id, { status: "failed", limit: 10 }))
        .items;
      expect(event).toMatchObject({ attempts: 3, error: expect.stringContaining("Acme is down") });
    } finally {
      await processor.stop();
      await s.app.close();
      await cleanup();
    }
  });
});
