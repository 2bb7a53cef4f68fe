/**
 * Child process: Switchyard as `npm start` runs it, from `dist/` (the built API with its inbound webhook
 * receiver, inbound and outbound webhook jobs on in-process queues, and the embedded scheduler running syncs
 * through the real sync runner), over a fresh SQLite store, on loopback. What `npm start` adds for newcomers
 * (its own emulators, the demo connection, DuckDB) is left out: the emulator runs in the bench's process of
 * its own, and the bench's connection, endpoint and sync are made here.
 *
 * Usage: server.mjs '<json>' with {dataDir, emulatorUrl, token, receiverUrl, clientId, clientSecret,
 * frequency?}. With `frequency`, a sync of the contacts stream is made on that schedule (the polling side);
 * without, none (the webhook side). The product's endpoint is told `records.changed` and `sync.completed`.
 * Prints `{event: "listening", url, environmentId, connectionId, endpointSecret}`; stops on SIGTERM.
 */
import "../../dist/process-tuning.js";
import pino from "pino";
import { buildSyncJob } from "../../dist/app/syncs/sync-connection.js";
import { createSync } from "../../dist/app/syncs/syncs.js";
import { createWebhookEndpoint } from "../../dist/app/webhooks/endpoints.js";
import { outboundWebhookJobs } from "../../dist/app/webhooks/outbound.js";
import { createInboundProcessor } from "../../dist/app/webhooks-inbound/processor.js";
import { providers } from "../../dist/providers/registry.js";
import {
  createEmbeddedScheduler,
  createInProcessJobQueue,
  createSyncRunner,
} from "../../dist/scheduler/index.js";
import { buildServer } from "../../dist/server/app.js";
import {
  createConnection,
  ensureEnvironment,
  openStore,
  setEnvironmentPrivateNetwork,
} from "../../dist/store/index.js";
import { generateVaultKey, parseVaultKey, Vault } from "../../dist/vault/index.js";

const config = JSON.parse(process.argv[2] ?? "null");
if (!config?.dataDir) throw new Error("usage: server.mjs '<json config>' (see the header)");

const store = await openStore({ kind: "sqlite", path: `${config.dataDir}/switchyard.db` });
const vault = new Vault({ current: parseVaultKey(generateVaultKey()), previous: [] });
const providerSettings = {
  hubspot: { oauth2: { clientId: config.clientId, clientSecret: config.clientSecret } },
};
// The environment allows private addresses: the emulator and the product's receiver are on 127.0.0.1.
const environment = await ensureEnvironment(store.db, "dev");
await setEnvironmentPrivateNetwork(store.db, environment.id, true);
const connection = await createConnection(store.db, {
  environmentId: environment.id,
  provider: "hubspot",
  config: { baseUrl: config.emulatorUrl },
  sealedCredentials: vault.seal(JSON.stringify({ type: "bearer", token: config.token })),
});
const deps = { db: store.db, vault, providers, providerSettings };
const endpoint = await createWebhookEndpoint(deps, environment.id, {
  url: config.receiverUrl,
  eventTypes: ["records.changed", "sync.completed"],
});
if (config.frequency)
  await createSync(store.db, providers.hubspot, connection.id, {
    streams: ["contacts"],
    frequency: config.frequency,
  });

const onError = (error) => process.stderr.write(`server: ${error?.message ?? error}\n`);
const runner = createSyncRunner({
  store,
  buildJob: (connectionId, options) =>
    buildSyncJob({ store, vault, providers, providerSettings }, connectionId, options),
});
const scheduler = createEmbeddedScheduler({ db: store.db, run: runner, onError });
const outbound = outboundWebhookJobs(deps, createInProcessJobQueue(), { onError });
const inbound = createInboundProcessor(
  { ...deps, scheduler },
  { onError, onRecordsChanged: () => outbound.wake() },
);
const app = buildServer(
  { ...deps, scheduler, inboundWebhooks: inbound },
  { log: { stream: pino.destination({ dest: "/dev/null", sync: true }) } },
);
const url = await app.listen({ port: 0, host: "127.0.0.1" });
const abort = new AbortController();
const scheduling = scheduler.start(abort.signal);
await outbound.start();
const delivering = outbound.schedule(abort.signal);
inbound.start();
process.stdout.write(
  `${JSON.stringify({
    event: "listening",
    url,
    environmentId: environment.id,
    connectionId: connection.id,
    endpointSecret: endpoint.secret,
  })}\n`,
);
process.once("SIGTERM", async () => {
  abort.abort();
  await scheduling;
  await delivering;
  await outbound.stop();
  await inbound.stop();
  await app.close();
  await store.close();
  process.exit(0);
});
