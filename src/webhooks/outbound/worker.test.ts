/**
 * The delivery worker on a fake clock (deliverDue called by hand): the default schedule's waits, the day-long
 * span of attempts, and disabling after days of failures without a success.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTempStore } from "../../../test/helpers/temp-store.ts";
import { createWebhookEndpoint } from "../../app/webhooks/endpoints.ts";
import { sendJson, startTestServer, type TestServer } from "../../http/test-server.ts";
import {
  appendEvent,
  ensureEnvironment,
  getWebhookEndpoint,
  listEvents,
  listWebhookAttempts,
  listWebhookDeliveries,
  type Store,
  setEnvironmentPrivateNetwork,
} from "../../store/index.ts";
import { generateVaultKey, parseVaultKey, Vault } from "../../vault/index.ts";
import { DEFAULT_RETRY_SCHEDULE_MS } from "./backoff.ts";
import { createDeliveryWorker } from "./worker.ts";

const vault = new Vault({ current: parseVaultKey(generateVaultKey()), previous: [] });
const HOUR = 3_600_000;

let store: Store;
let cleanup: () => Promise<void>;
let receiver: TestServer;
let environmentId: string;
/** The fake clock every worker of a test reads. */
let clock: number;

beforeEach(async () => {
  ({ store, cleanup } = await openTempStore());
  receiver = await startTestServer((_request, res) => sendJson(res, 503, { error: "down" }));
  const env = await ensureEnvironment(store.db, "dev");
  await setEnvironmentPrivateNetwork(store.db, env.id, true);
  environmentId = env.id;
  // A little ahead of the real clock, which stamps new deliveries due.
  clock = Date.now() + 1_000;
});

afterEach(async () => {
  await receiver.close();
  await cleanup();
});

async function emit(connectionId: string): Promise<void> {
  await appendEvent(store.db, {
    environmentId,
    type: "sync.failed",
    connectionId,
    data: { connection_id: connectionId },
  });
}

describe("the delivery worker on a fake clock", () => {
  it("retries on the default schedule, about a day, then marks the delivery failed", async () => {
    const { endpoint } = await createWebhookEndpoint({ db: store.db, vault }, environmentId, {
      url: receiver.url,
    });
    const worker = createDeliveryWorker({ db: store.db, vault, jitter: 0, now: () => new Date(clock) });
    try {
      await emit("conn_a");
      const started = clock;
      for (const wait of DEFAULT_RETRY_SCHEDULE_MS) {
        expect(await worker.deliverDue()).toBe(1);
        // Nothing is due a moment before the wait is over, then it is.
        clock += wait - 1;
        expect(await worker.deliverDue()).toBe(0);
        clock += 1;
      }
      expect(await worker.deliverDue()).toBe(1);
      expect(await worker.deliverDue()).toBe(0);
      const [delivery] = (await listWebhookDeliveries(store.db, endpoint.id, { limit: 5 })).items;
      expect(delivery).toMatchObject({ status: "failed", attempts: 8, next_attempt_at: null });
      const attempts = await listWebhookAttempts(store.db, delivery!.id);
      expect(attempts.map((a) => a.response_status)).toEqual(Array(8).fill(503));
      const span = Date.parse(attempts.at(-1)!.started_at) - started;
      expect(span).toBeGreaterThan(24 * HOUR);
      expect(span).toBeLessThan(30 * HOUR);
      expect(receiver.requests).toHaveLength(8);
    } finally {
      await worker.close();
    }
  });

  it("disables an endpoint failing without a success for 5 days, and says why", async () => {
    const { endpoint } = await createWebhookEndpoint({ db: store.db, vault }, environmentId, {
      url: receiver.url,
    });
    const worker = createDeliveryWorker({
      db: store.db,
      vault,
      jitter: 0,
      // Never exhausted in a row: only the time without a success can disable it.
      retrySchedule: Array(100).fill(12 * HOUR),
      now: () => new Date(clock),
    });
    try {
      await emit("conn_a");
      for (let day = 0; day < 5 * 2; day++) {
        expect(await worker.deliverDue()).toBe(1);
        expect((await getWebhookEndpoint(store.db, endpoint.id))?.enabled).toBe(1);
        clock += 12 * HOUR;
      }
      expect(await worker.deliverDue()).toBe(1);
      const disabled = await getWebhookEndpoint(store.db, endpoint.id);
      expect(disabled?.enabled).toBe(0);
      expect(disabled?.disabled_reason).toMatch(/^Disabled: every attempt has failed since .*503/);
      // Disabled: its delivery waits, nothing more is sent.
      clock += 12 * HOUR;
      expect(await worker.deliverDue()).toBe(0);
      const events = await listEvents(store.db, environmentId, { type: "endpoint.disabled", limit: 5 });
      expect(events.items.map((event) => JSON.parse(event.data).endpoint_id)).toEqual([endpoint.id]);
    } finally {
      await worker.close();
    }
  });
});
