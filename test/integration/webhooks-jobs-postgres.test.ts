/**
 * Inbound webhooks as jobs on graphile-worker, as scale-out runs them: a receiving side that persists each
 * delivery and enqueues its events (`switchyard server`), and two workers each taking `webhooks.inbound`
 * jobs from their own queue instance (`switchyard worker`). Every event is processed, and once: each names
 * a record of its own, so the provider sees exactly one fetch per event.
 */
import { createHmac } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PlatformDeps } from "../../src/app/platform.ts";
import {
  createInboundProcessor,
  type InboundProcessor,
  inboundEventEnqueuer,
} from "../../src/app/webhooks-inbound/processor.ts";
import { createGraphileJobQueue, type JobQueue } from "../../src/scheduler/index.ts";
import { buildServer } from "../../src/server/app.ts";
import {
  createConnection,
  ensureEnvironment,
  openStore,
  type Store,
  saveInboundSecret,
} from "../../src/store/index.ts";
import { generateVaultKey, parseVaultKey, Vault } from "../../src/vault/index.ts";
import { AcmeTruth, acmeProvider, SECRET } from "../helpers/acme-webhooks.ts";
import { createTestDatabase, postgresAvailable } from "../helpers/postgres.ts";

const available = await postgresAvailable();

describe.skipIf(!available)("inbound webhook jobs on Postgres", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let store: Store;
  let receiving: JobQueue;
  const workers: InboundProcessor[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    store = await openStore({ kind: "postgres", connectionString: database.url });
    receiving = await createGraphileJobQueue({ connectionString: database.url, pollMs: 200 });
  });

  afterAll(async () => {
    for (const worker of workers) await worker.stop();
    await receiving?.stop();
    await store?.close();
    await database?.drop();
  });

  it("two workers process every event of a burst once", async () => {
    const truth = new AcmeTruth();
    const vault = new Vault({ current: parseVaultKey(generateVaultKey()), previous: [] });
    const environment = await ensureEnvironment(store.db, "dev");
    const connection = await createConnection(store.db, {
      environmentId: environment.id,
      provider: "acme",
      sealedCredentials: vault.seal(JSON.stringify({ type: "bearer", token: "token-acct-1" })),
    });
    await saveInboundSecret(store.db, environment.id, "acme", vault.seal(SECRET));
    const deps: PlatformDeps = { db: store.db, vault, providers: { acme: acmeProvider(truth) } };
    const onError = (error: unknown) => {
      throw error;
    };
    for (let n = 0; n < 2; n++) {
      const worker = createInboundProcessor(deps, {
        jobs: await createGraphileJobQueue({ connectionString: database.url, pollMs: 200 }),
        onError,
      });
      worker.start();
      workers.push(worker);
    }
    const app = buildServer(
      { ...deps, inboundWebhooks: inboundEventEnqueuer(receiving, onError, 5) },
      { log: false, rateLimit: false },
    );
    const deliveries = 20;
    const perDelivery = 10;
    const total = deliveries * perDelivery;
    try {
      for (let d = 0; d < deliveries; d++) {
        const events = Array.from({ length: perDelivery }, (_, e) => {
          const item = String(d * perDelivery + e);
          truth.records.set(item, { id: item, name: `n${item}`, deleted: false });
          return { id: `e${item}`, account: "acct-1", kind: "changed", item };
        });
        const body = JSON.stringify(events);
        const answer = await app.inject({
          method: "POST",
          url: `/v1/webhooks/${environment.id}/acme`,
          headers: {
            "content-type": "application/json",
            "x-hub-signature-256": `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`,
          },
          payload: body,
        });
        expect(answer.statusCode).toBe(200);
      }
      const statuses = async () => {
        const rows = await sql<{ status: string; n: string }>`
          select status, count(*) as n from inbound_webhook_events group by status`.execute(store.db);
        return Object.fromEntries(rows.rows.map((row) => [row.status, Number(row.n)]));
      };
      for (let i = 0; i < 600 && (await statuses()).processed !== total; i++)
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await statuses()).toEqual({ processed: total });
      // Once each: one fetch per event, and one records.changed per record.
      expect(truth.fetches).toBe(total);
      const cached = await store.db
        .selectFrom("records")
        .select((eb) => eb.fn.countAll<string>().as("n"))
        .where("connection_id", "=", connection.id)
        .executeTakeFirstOrThrow();
      expect(Number(cached.n)).toBe(total);
      const announced = await store.db
        .selectFrom("events")
        .select((eb) => eb.fn.countAll<string>().as("n"))
        .where("type", "=", "records.changed")
        .executeTakeFirstOrThrow();
      expect(Number(announced.n)).toBe(total);
    } finally {
      await app.close();
    }
  }, 90_000);
});
