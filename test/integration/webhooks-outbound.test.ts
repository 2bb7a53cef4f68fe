/**
 * Outbound webhooks end to end: endpoints through the API, events from connections and runs queued in the
 * event log, the delivery worker posting to a receiver on 127.0.0.1 (the harness's environments allow
 * private addresses), signatures checked with the `standardwebhooks` package, retries, order per
 * connection, disabling, the delivery log, replay, and the address rules.
 */
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it } from "vitest";
import { syncConnection } from "../../src/app/syncs/sync-connection.ts";
import { outboundWebhookWorker } from "../../src/app/webhooks/outbound.ts";
import { CredentialsRejectedError, type ProviderDefinition } from "../../src/core/index.ts";
import {
  type RecordedRequest,
  sendJson,
  startTestServer,
  type TestServer,
} from "../../src/http/test-server.ts";
import { harnessPerTest } from "../../src/server/test-harness.ts";
import { appendEvent, setEnvironmentPrivateNetwork } from "../../src/store/index.ts";
import type { DeliveryWorker } from "../../src/webhooks/outbound/index.ts";
import { fakeProvider, makeItems } from "../helpers/fake-provider.ts";

const items = makeItems(3);
const fake = fakeProvider({ data: items, pageSize: 10 });
/** A provider that refuses every credential, in a live check and in a run. */
const rejecting: ProviderDefinition = {
  ...fake.provider,
  name: "rejecting",
  displayName: "Rejecting",
  streams: fake.provider.streams.map((stream) => ({
    ...stream,
    // biome-ignore lint/correctness/useYield: a stream whose first request is refused
    async *read() {
      throw new CredentialsRejectedError("Rejecting", 401, "token revoked");
    },
  })),
  async checkCredentials() {
    throw new CredentialsRejectedError("Rejecting", 401, "token revoked");
  },
};
const h = harnessPerTest({ providers: { fake: fake.provider, rejecting } });

interface Received {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

/** The receiver's answer to each request: 200 unless `status` says otherwise. */
let answer: (n: number) => number;
let receiver: TestServer | undefined;
const stops: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  await receiver?.close();
  receiver = undefined;
});

async function startReceiver(): Promise<TestServer> {
  answer = () => 200;
  receiver = await startTestServer((_request, res, n) => {
    const status = answer(n);
    sendJson(res, status, status === 200 ? { ok: true } : { error: "down for maintenance" });
  });
  return receiver;
}

/** Runs a delivery worker with a short retry schedule until the test ends. */
function startWorker(options: Parameters<typeof outboundWebhookWorker>[1] = {}): DeliveryWorker {
  const worker = outboundWebhookWorker(h.deps, {
    pollMs: 10,
    jitter: 0,
    retrySchedule: [20, 40, 80, 80, 80, 80, 80, 80, 80, 80],
    leaseMs: 5_000,
    timeoutMs: 2_000,
    ...options,
  });
  const abort = new AbortController();
  const running = worker.run(abort.signal);
  stops.push(async () => {
    abort.abort();
    await running;
  });
  return worker;
}

/** Waits (polling) until `check` returns something truthy; fails after a generous bound. */
async function until<T>(
  check: () => T | Promise<T>,
  what: string,
): Promise<Exclude<T, false | 0 | "" | null | undefined>> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await check();
    if (value) return value as Exclude<T, false | 0 | "" | null | undefined>;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function accepted(server: TestServer, statusOf: (n: number) => number = () => 200): RecordedRequest[] {
  return server.requests.filter((_, n) => statusOf(n) === 200);
}

function bodyOf(request: RecordedRequest): Received {
  return JSON.parse(request.body) as Received;
}

function headersOf(request: RecordedRequest): Record<string, string> {
  return Object.fromEntries(
    ["webhook-id", "webhook-timestamp", "webhook-signature"].map((name) => [
      name,
      String(request.headers[name]),
    ]),
  );
}

async function createEndpoint(url: string, eventTypes?: string[]) {
  const created = await h.dev.post("/v1/webhook-endpoints", {
    body: { url, ...(eventTypes ? { event_types: eventTypes as never } : {}) },
  });
  h.secret(created.secret);
  return created;
}

async function connect(endUser: string, provider = "fake"): Promise<string> {
  const connection = await h.dev.post("/v1/connections", {
    body: { provider, credentials: { type: "bearer", token: "t" }, end_user: { id: endUser } },
  });
  return connection.id;
}

describe("outbound webhooks", () => {
  it("registers an endpoint with a secret shown once and delivers connection.created, verified by standardwebhooks", async () => {
    const server = await startReceiver();
    const created = await createEndpoint(`${server.url}/hooks`, ["connection.created"]);
    expect(created.secret).toMatch(/^whsec_/);
    const fetched = await h.dev.get("/v1/webhook-endpoints/:id", { params: { id: created.id } });
    expect(fetched).not.toHaveProperty("secret");
    expect(JSON.stringify(await h.dev.get("/v1/webhook-endpoints"))).not.toContain(created.secret);
    expect(fetched.event_types).toEqual(["connection.created"]);

    startWorker();
    const connectionId = await connect("customer-1");
    const [request] = await until(() => accepted(server).length > 0 && accepted(server), "a delivery");
    expect(request!.url).toBe("/hooks");
    const payload = new Webhook(created.secret).verify(request!.body, headersOf(request!)) as Received;
    expect(payload.type).toBe("connection.created");
    expect(payload.data).toMatchObject({ connection_id: connectionId, provider: "fake" });
    expect(request!.headers["webhook-id"]).toBe(payload.id);
    // Filtered: the connection's other events (connection.updated…) are not sent.
    await h.dev.patch("/v1/connections/:id", { params: { id: connectionId }, body: { tags: ["x"] } });
    expect(server.requests.map((r) => bodyOf(r).type)).toEqual(["connection.created"]);
  });

  it("signs with both secrets while a rotation overlaps, and only the new one after", async () => {
    const server = await startReceiver();
    const created = await createEndpoint(server.url, ["connection.created"]);
    const rotated = await h.dev.post("/v1/webhook-endpoints/:id/rotate-secret", {
      params: { id: created.id },
      body: { overlap_seconds: 3600 },
    });
    h.secret(rotated.secret);
    expect(rotated.secret).not.toBe(created.secret);
    expect(rotated.previous_secret_expires_at).not.toBeNull();
    startWorker();
    await connect("customer-1");
    const [first] = await until(() => server.requests.length > 0 && server.requests, "a delivery");
    expect(String(first!.headers["webhook-signature"]).split(" ")).toHaveLength(2);
    expect(new Webhook(created.secret).verify(first!.body, headersOf(first!))).toBeTruthy();
    expect(new Webhook(rotated.secret).verify(first!.body, headersOf(first!))).toBeTruthy();

    const again = await h.dev.post("/v1/webhook-endpoints/:id/rotate-secret", {
      params: { id: created.id },
      body: { overlap_seconds: 0 },
    });
    h.secret(again.secret);
    await connect("customer-2");
    const second = await until(() => server.requests[1], "a second delivery");
    expect(String(second.headers["webhook-signature"]).split(" ")).toHaveLength(1);
    expect(new Webhook(again.secret).verify(second.body, headersOf(second))).toBeTruthy();
    expect(() => new Webhook(rotated.secret).verify(second.body, headersOf(second))).toThrow();
  });

  it("announces runs: sync.completed with counts, records.changed with the ids added, updated and deleted", async () => {
    const server = await startReceiver();
    await createEndpoint(server.url, ["sync.completed", "records.changed"]);
    startWorker();
    const connectionId = await connect("customer-1");
    const workspace = { store: h.store, vault: h.deps.vault, providers: h.deps.providers };
    await syncConnection(workspace, connectionId, { streams: ["items"] });
    const firstTwo = await until(
      () => server.requests.length >= 2 && server.requests.map(bodyOf),
      "2 events",
    );
    expect(firstTwo.map((event) => event.type)).toEqual(["sync.completed", "records.changed"]);
    expect(firstTwo[0]!.data).toMatchObject({
      connection_id: connectionId,
      counts: { added: 3, updated: 0, deleted: 0 },
    });
    expect(firstTwo[1]!.data).toMatchObject({
      model: "items",
      unified_models: [],
      added: items.map((item) => item.id),
      updated: [],
      deleted: [],
    });

    items[0]!.name = "renamed";
    items[1]!.deleted = true;
    items.push({ ...items[2]!, id: "item-new" });
    await syncConnection(workspace, connectionId, { streams: ["items"], fullRefresh: true });
    const next = await until(
      () => server.requests.length >= 4 && server.requests.slice(2).map(bodyOf),
      "4 events",
    );
    expect(next[1]!.data).toMatchObject({
      added: ["item-new"],
      updated: [items[0]!.id],
      deleted: [items[1]!.id],
    });
    // Announced once, whatever the number of sweeps.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.requests).toHaveLength(4);
  });

  it("sends connection.auth_failed when a check or a run finds the credentials refused, and sync.failed with the error", async () => {
    const server = await startReceiver();
    await createEndpoint(server.url, ["connection.auth_failed", "sync.failed"]);
    startWorker();
    const connectionId = await connect("customer-1", "rejecting");
    const checked = await h.dev.request("POST", "/v1/connections/:id/test", { params: { id: connectionId } });
    expect(checked.ok ? 0 : checked.status).toBe(422);
    const [fromCheck] = await until(
      () => server.requests.length >= 1 && server.requests.map(bodyOf),
      "an event",
    );
    expect(fromCheck).toMatchObject({
      type: "connection.auth_failed",
      data: { connection_id: connectionId, provider: "rejecting", error: { code: "credentials_rejected" } },
    });

    const workspace = { store: h.store, vault: h.deps.vault, providers: h.deps.providers };
    const run = await syncConnection(workspace, connectionId, { streams: ["items"] });
    expect(run.status).toBe("failed");
    const fromRun = await until(
      () => server.requests.length >= 3 && server.requests.slice(1).map(bodyOf),
      "the run's events",
    );
    expect(fromRun.map((event) => event.type)).toEqual(["sync.failed", "connection.auth_failed"]);
    expect(fromRun[0]!.data).toMatchObject({
      run_id: run.id,
      error: { code: "credentials_rejected", message: expect.stringContaining("token revoked") },
    });
    expect(fromRun[1]!.data).toMatchObject({ run_id: run.id, connection_id: connectionId });
  });

  it("a receiver down for a while then up receives everything, in order per connection, nothing lost", async () => {
    const server = await startReceiver();
    let down = true;
    const statuses: number[] = [];
    answer = (n) => {
      statuses[n] = down ? 503 : 200;
      return statuses[n]!;
    };
    await createEndpoint(server.url, ["records.changed"]);
    startWorker();
    const connections = ["conn_a", "conn_b", "conn_c"];
    const sent = new Map(connections.map((id) => [id, [] as number[]]));
    for (let seq = 0; seq < 8; seq++) {
      for (const connectionId of connections) {
        await appendEvent(h.store.db, {
          environmentId: h.environments.dev.id,
          type: "records.changed",
          connectionId,
          data: { connection_id: connectionId, seq },
        });
        sent.get(connectionId)!.push(seq);
      }
    }
    // Down until every connection's first delivery failed a few times.
    await until(() => server.requests.length >= 9, "failed attempts");
    down = false;
    await until(() => accepted(server, (n) => statuses[n]!).length >= 24, "every event");
    const received = accepted(server, (n) => statuses[n]!).map(bodyOf);
    for (const connectionId of connections) {
      const order = received
        .filter((event) => event.data.connection_id === connectionId)
        .map((e) => e.data.seq);
      expect(order, connectionId).toEqual(sent.get(connectionId));
    }
    const endpoints = await h.dev.get("/v1/webhook-endpoints");
    const listDeliveries = () =>
      h.dev.get("/v1/webhook-endpoints/:id/deliveries", {
        params: { id: endpoints.data[0]!.id },
        query: { limit: 100 },
      });
    // The last answers reached the receiver a moment before the worker records them.
    await until(
      async () => (await listDeliveries()).data.every((d) => d.status !== "pending"),
      "the attempts recorded",
    ).catch(() => undefined);
    const deliveries = await listDeliveries();
    expect(deliveries.data.map((d) => d.status)).toEqual(Array(24).fill("succeeded"));
    expect(Math.max(...deliveries.data.map((d) => d.attempts))).toBeGreaterThan(1);
  });

  it("disables an endpoint that keeps failing, with an endpoint.disabled event and a visible reason", async () => {
    const server = await startReceiver();
    answer = () => 500;
    const failing = await createEndpoint(server.url, ["records.changed"]);
    const watcher = await startTestServer((_request, res) => sendJson(res, 200, {}));
    stops.push(() => watcher.close());
    await createEndpoint(watcher.url, ["endpoint.disabled"]);
    startWorker({ retrySchedule: [10], disableAfter: { exhaustedDeliveries: 2 } });
    for (const connectionId of ["conn_a", "conn_b"]) {
      await appendEvent(h.store.db, {
        environmentId: h.environments.dev.id,
        type: "records.changed",
        connectionId,
        data: { connection_id: connectionId },
      });
    }
    const notice = await until(() => watcher.requests[0], "endpoint.disabled");
    expect(bodyOf(notice)).toMatchObject({ type: "endpoint.disabled", data: { endpoint_id: failing.id } });
    const endpoint = await h.dev.get("/v1/webhook-endpoints/:id", { params: { id: failing.id } });
    expect(endpoint.enabled).toBe(false);
    expect(endpoint.disabled_reason).toMatch(/2 deliveries in a row failed every attempt \(last: .*500/);
    // 2 deliveries × 2 attempts, then nothing more is sent to it.
    expect(server.requests).toHaveLength(4);
    const events = await h.dev.get("/v1/events", { query: { type: "endpoint.disabled" } });
    expect(events.data).toHaveLength(1);

    // Enabled again, it receives new events.
    answer = () => 200;
    await h.dev.patch("/v1/webhook-endpoints/:id", { params: { id: failing.id }, body: { enabled: true } });
    await appendEvent(h.store.db, {
      environmentId: h.environments.dev.id,
      type: "records.changed",
      connectionId: "conn_a",
      data: { connection_id: "conn_a", after: "re-enabled" },
    });
    const last = await until(() => server.requests[4], "a delivery after re-enabling");
    expect(bodyOf(last).data).toMatchObject({ after: "re-enabled" });
  });

  it("keeps every attempt in the delivery log, and replays a delivery with the same webhook-id", async () => {
    const server = await startReceiver();
    answer = (n) => (n === 0 ? 502 : 200);
    const endpoint = await createEndpoint(server.url, ["connection.created"]);
    startWorker();
    await connect("customer-1");
    await until(() => server.requests.length >= 2, "a retried delivery");
    const [delivery] = (
      await until(async () => {
        const page = await h.dev.get("/v1/webhook-endpoints/:id/deliveries", { params: { id: endpoint.id } });
        return page.data[0]?.status === "succeeded" && page;
      }, "a succeeded delivery")
    ).data;
    const detail = await h.dev.get("/v1/webhook-deliveries/:id", { params: { id: delivery!.id } });
    expect(detail.attempts).toBe(2);
    expect(detail.request_body).toBe(server.requests[0]!.body);
    expect(detail.attempts_log.map((a) => [a.attempt, a.response_status])).toEqual([
      [1, 502],
      [2, 200],
    ]);
    expect(detail.attempts_log[0]!.response_body).toContain("down for maintenance");
    expect(detail.attempts_log[0]!.next_attempt_at).not.toBeNull();
    expect(detail.attempts_log[0]!.request_headers["webhook-id"]).toBe(detail.webhook_id);
    expect(detail.attempts_log[1]!.latency_ms).toBeGreaterThanOrEqual(0);

    const replay = await h.dev.post("/v1/webhook-deliveries/:id/replay", { params: { id: delivery!.id } });
    expect(replay).toMatchObject({
      replay_of: delivery!.id,
      webhook_id: detail.webhook_id,
      status: "pending",
    });
    const replayed = await until(() => server.requests[2], "the replay");
    expect(replayed.headers["webhook-id"]).toBe(detail.webhook_id);
    expect(replayed.body).toBe(detail.request_body);
    expect(new Webhook(endpoint.secret).verify(replayed.body, headersOf(replayed))).toBeTruthy();
  });

  it("refuses private addresses at creation without private network, and again at delivery", async () => {
    await setEnvironmentPrivateNetwork(h.store.db, h.environments.prod.id, false);
    for (const url of [
      "http://127.0.0.1:9/hooks",
      "http://10.0.0.8/hooks",
      "http://[::1]/x",
      "http://169.254.169.254/",
    ]) {
      const refused = await h.prod.request("POST", "/v1/webhook-endpoints", { body: { url } });
      expect(refused.ok, url).toBe(false);
      if (refused.ok) return;
      expect(refused.status).toBe(400);
      expect(refused.problem.errors).toEqual([
        { location: "body", path: "url", message: expect.stringMatching(/does not send requests to/) },
      ]);
    }
    const notHttp = await h.prod.request("POST", "/v1/webhook-endpoints", {
      body: { url: "ftp://example.com/" },
    });
    expect(notHttp.ok ? 0 : notHttp.status).toBe(400);
    // Metadata addresses are refused even where private addresses are allowed.
    const metadata = await h.dev.request("POST", "/v1/webhook-endpoints", {
      body: { url: "http://169.254.169.254/" },
    });
    expect(metadata.ok ? 0 : metadata.status).toBe(400);

    // Created while the environment allowed private addresses, then no longer: the delivery is refused at
    // the socket, and nothing reaches the receiver.
    const server = await startReceiver();
    const endpoint = await createEndpoint(server.url, ["connection.created"]);
    await setEnvironmentPrivateNetwork(h.store.db, h.environments.dev.id, false);
    startWorker({ retrySchedule: [] });
    await appendEvent(h.store.db, {
      environmentId: h.environments.dev.id,
      type: "connection.created",
      connectionId: "conn_x",
      data: { connection_id: "conn_x" },
    });
    const page = await until(async () => {
      const deliveries = await h.dev.get("/v1/webhook-endpoints/:id/deliveries", {
        params: { id: endpoint.id },
      });
      return deliveries.data[0]?.status === "failed" && deliveries;
    }, "a failed delivery");
    const detail = await h.dev.get("/v1/webhook-deliveries/:id", { params: { id: page.data[0]!.id } });
    expect(detail.attempts_log[0]!.error).toMatch(/does not send requests to 127\.0\.0\.1/);
    expect(server.requests).toHaveLength(0);
  });

  it("keeps another environment's endpoints and deliveries out of reach", async () => {
    const server = await startReceiver();
    const endpoint = await createEndpoint(server.url);
    const fromProd = await h.prod.request("GET", "/v1/webhook-endpoints/:id", {
      params: { id: endpoint.id },
    });
    expect(fromProd.ok ? 0 : fromProd.status).toBe(404);
    expect((await h.prod.get("/v1/webhook-endpoints")).data).toEqual([]);
  });
});
