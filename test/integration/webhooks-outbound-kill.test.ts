/**
 * A delivery worker killed (SIGKILL) while its request is in flight: after a restart, the delivery is sent
 * again (at least once) with the same webhook-id, once the dead worker's lease expires, and nothing is lost.
 * The worker runs in a child process over the same SQLite file; the receiver is on 127.0.0.1.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { Webhook } from "standardwebhooks";
import { afterEach, expect, it } from "vitest";
import { createWebhookEndpoint } from "../../src/app/webhooks/endpoints.ts";
import { outboundWebhookWorker } from "../../src/app/webhooks/outbound.ts";
import { startTestServer, type TestServer } from "../../src/http/test-server.ts";
import {
  appendEvent,
  ensureEnvironment,
  listWebhookAttempts,
  listWebhookDeliveries,
  setEnvironmentPrivateNetwork,
} from "../../src/store/index.ts";
import { generateVaultKey, parseVaultKey, Vault } from "../../src/vault/index.ts";
import { openTempStore } from "../helpers/temp-store.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const WORKER_URL = new URL("../../src/app/webhooks/outbound.ts", import.meta.url).pathname;
const STORE_URL = new URL("../../src/store/index.ts", import.meta.url).pathname;
const VAULT_URL = new URL("../../src/vault/index.ts", import.meta.url).pathname;

/** A worker process over the SQLite file at `path`, with a short lease so a restart takes over quickly. */
function spawnWorker(path: string, vaultKey: string): ChildProcess {
  const code = `
    import { outboundWebhookWorker } from ${JSON.stringify(WORKER_URL)};
    import { openStore } from ${JSON.stringify(STORE_URL)};
    import { parseVaultKey, Vault } from ${JSON.stringify(VAULT_URL)};
    const store = await openStore({ kind: "sqlite", path: process.env.STORE_PATH });
    const vault = new Vault({ current: parseVaultKey(process.env.VAULT_KEY), previous: [] });
    await outboundWebhookWorker({ db: store.db, vault }, { pollMs: 10, leaseMs: 1500, timeoutMs: 1000 })
      .run(new AbortController().signal);
  `;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
    env: { ...process.env, STORE_PATH: path, VAULT_KEY: vaultKey },
    stdio: ["ignore", "ignore", "inherit"],
  });
  cleanups.push(() => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });
  return child;
}

it("a worker killed mid-delivery: the delivery is sent again after a restart, with the same webhook-id", async () => {
  const { store, dir, cleanup } = await openTempStore();
  cleanups.push(cleanup);
  const vaultKey = generateVaultKey();
  const vault = new Vault({ current: parseVaultKey(vaultKey), previous: [] });
  const env = await ensureEnvironment(store.db, "dev");
  await setEnvironmentPrivateNetwork(store.db, env.id, true);

  let child: ChildProcess | undefined;
  let firstArrived: () => void = () => undefined;
  const arrived = new Promise<void>((resolve) => {
    firstArrived = resolve;
  });
  const receiver: TestServer = await startTestServer((_request, res, n) => {
    if (n === 0) {
      // The first attempt never gets an answer: its worker is killed while it waits.
      firstArrived();
      return;
    }
    res.writeHead(204).end();
  });
  cleanups.push(() => receiver.close());
  const { endpoint, secret } = await createWebhookEndpoint({ db: store.db, vault }, env.id, {
    url: `${receiver.url}/hooks`,
  });
  const event = await appendEvent(store.db, {
    environmentId: env.id,
    type: "sync.completed",
    connectionId: "conn_k",
    data: { connection_id: "conn_k", run_id: "run_k" },
  });

  child = spawnWorker(join(dir, "switchyard.sqlite"), vaultKey);
  await arrived;
  child.kill("SIGKILL");
  await new Promise((resolve) => child?.once("exit", resolve));
  const [inFlight] = (await listWebhookDeliveries(store.db, endpoint.id, { limit: 10 })).items;
  expect(inFlight).toMatchObject({ status: "pending", attempts: 0 });
  expect(inFlight!.lease_owner).not.toBeNull();

  // The restarted worker (here, in this process) takes the delivery over once the dead one's lease expires.
  const abort = new AbortController();
  const running = outboundWebhookWorker({ db: store.db, vault }, { pollMs: 20, leaseMs: 1500 }).run(
    abort.signal,
  );
  cleanups.push(async () => {
    abort.abort();
    await running;
  });
  const deadline = Date.now() + 15_000;
  while (receiver.requests.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(receiver.requests).toHaveLength(2);
  const [killed, redelivered] = receiver.requests;
  expect(redelivered!.headers["webhook-id"]).toBe(event.id);
  expect(killed!.headers["webhook-id"]).toBe(event.id);
  expect(redelivered!.body).toBe(killed!.body);
  const headers = {
    "webhook-id": String(redelivered!.headers["webhook-id"]),
    "webhook-timestamp": String(redelivered!.headers["webhook-timestamp"]),
    "webhook-signature": String(redelivered!.headers["webhook-signature"]),
  };
  expect(new Webhook(secret).verify(redelivered!.body, headers)).toMatchObject({ type: "sync.completed" });

  while (Date.now() < deadline) {
    const [delivery] = (await listWebhookDeliveries(store.db, endpoint.id, { limit: 10 })).items;
    if (delivery?.status === "succeeded") break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const [delivered] = (await listWebhookDeliveries(store.db, endpoint.id, { limit: 10 })).items;
  expect(delivered).toMatchObject({ id: inFlight!.id, status: "succeeded", last_response_status: "204" });
  expect((await listWebhookAttempts(store.db, delivered!.id)).map((a) => a.response_status)).toEqual([204]);
});
