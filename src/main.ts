/**
 * `npm start`: Switchyard in embedded mode with every provider's emulator and a demo environment.
 * Opens ./.switchyard, connects a demo customer's account at each demo provider (its emulator, started through
 * the provider's emulator declaration; SWITCHYARD_DEMO_PROVIDERS picks some), serves the API, and runs the
 * scheduler: each demo sync runs at once into the records cache and DuckDB, then every minute while its
 * emulator's data changes; syncs created through the API run on their own schedules.
 */
// First, for its effect: memory settings that must precede loading DuckDB (see the module).
import "./process-tuning.ts";
import { randomBytes, randomUUID } from "node:crypto";
import { relative } from "node:path";
import { ensureFirstApiKey } from "./app/api-keys/first-api-key.ts";
import { upsertConnection } from "./app/connections/connections.ts";
import { createFlowTriggers } from "./app/flows/triggers.ts";
import {
  type ProviderSettings,
  providerEnvPrefix,
  providerSettingsFromEnv,
} from "./app/provider-settings.ts";
import { reverseEtlRunLine, runReverseEtlSchedules } from "./app/reverse-etl/schedule.ts";
import { embeddedRunLine, runEmbeddedSchedules } from "./app/sources/schedule.ts";
import { buildSyncJob } from "./app/syncs/sync-connection.ts";
import { createSync } from "./app/syncs/syncs.ts";
import { openWarehouse } from "./app/warehouse/open-warehouse.ts";
import { outboundWebhookJobs } from "./app/webhooks/outbound.ts";
import { createInboundProcessor } from "./app/webhooks-inbound/processor.ts";
import { openWorkspace, type Workspace } from "./app/workspace.ts";
import { formatStats } from "./cli/output.ts";
import {
  type Credentials,
  type Destination,
  describeError,
  type EmulatorHandle,
  type ProviderDefinition,
} from "./core/index.ts";
import { ensureDemoAccountToken } from "./demo/account-token.ts";
import { ensureDemoFlow } from "./demo/demo-flow.ts";
import { startDemoRetl } from "./demo/demo-retl.ts";
import {
  type DemoEmulator,
  demoChanges,
  demoEmulatorPort,
  demoEmulatorPorts,
  demoProviders,
  demoToken,
  startDemoEmulator,
} from "./demo/emulator.ts";
import { providers } from "./providers/registry.ts";
import { unifiedMappers } from "./providers/unified-mappers.ts";
import { unifiedWriters } from "./providers/unified-writers.ts";
import {
  createEmbeddedScheduler,
  createInProcessJobQueue,
  createSyncRunner,
  type EmbeddedScheduler as Scheduler,
} from "./scheduler/index.ts";
import { buildServer } from "./server/app.ts";
import {
  type ConnectionRow,
  ensureEnvironment,
  type Sync,
  setEnvironmentPrivateNetwork,
  syncsOfConnection,
} from "./store/index.ts";

/**
 * The demo accounts' token, as the docs name it, for each emulator whose provider's token format it fits
 * (another keeps its own, which the Connect form accepts).
 */
const DEMO_TOKEN = "pat-demo-switchyard-0000";
const DEMO_FREQUENCY = "1m";
/** About how many records each stream of each demo emulator seeds. */
const DEMO_RECORDS = 2_000;
const DEMO_END_USER = "demo-customer";

/** One demo provider: its emulator, the demo customer's connection to it, and the connection's account token file. */
interface DemoAccount {
  emulator: DemoEmulator;
  connection: ConnectionRow;
  accountTokenPath: string;
  /** Connect's settings for the provider are the deployment's own OAuth app, not the emulator's. */
  ownApp: ProviderSettings | undefined;
}

async function start(): Promise<void> {
  const port = Number(process.env.PORT ?? 3000);
  const host = process.env.HOST ?? "127.0.0.1";
  const workspace = await openWorkspace();
  const chosen = demoProviders(providers);
  const ports = demoEmulatorPorts(chosen, providers, demoEmulatorPort());
  // The demo environment allows private addresses: its emulators listen on 127.0.0.1 (no other does by default).
  const demoEnvironment = await ensureEnvironment(workspace.store.db, "dev");
  await setEnvironmentPrivateNetwork(workspace.store.db, demoEnvironment.id, true);
  const base = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`;
  const publicUrl = (process.env.SWITCHYARD_PUBLIC_URL ?? base).replace(/\/+$/, "");
  const oauthApps = providerSettingsFromEnv(providers);
  const providerSettings: Record<string, ProviderSettings> = { ...oauthApps };
  const demos: DemoAccount[] = [];
  for (const provider of chosen) {
    const demo = await openDemoAccount(
      workspace,
      provider,
      ports.get(provider.name)!,
      oauthApps[provider.name],
    );
    // Without an OAuth app of its own (docs/connecting-accounts.md), Connect's provider is its emulator.
    if (!demo.ownApp) providerSettings[provider.name] = emulatorOAuthApp(demo.emulator.handle, publicUrl);
    demos.push(demo);
  }
  // WAREHOUSE_URL=postgres://… writes a Postgres warehouse instead of the DuckDB file (docs/warehouse.md).
  const opened = await openWarehouse(process.env.WAREHOUSE_URL, workspace.warehousePath);
  const warehouse = opened.destination;
  const apiKey = await ensureFirstApiKey(workspace);
  const { demoSyncs, scheduler } = await demoScheduler(workspace, demos, warehouse, providerSettings);
  // Outbound webhooks (docs/webhooks.md): finished runs into the event log, events to the product's endpoints,
  // as jobs on an in-process queue of their own.
  const outbound = outboundWebhookJobs(
    { db: workspace.store.db, vault: workspace.vault },
    createInProcessJobQueue(),
    { onError: (error) => console.error(describeError(error).message) },
  );
  // Inbound webhooks (docs/webhooks-inbound.md): what providers deliver is stored by the server, then applied
  // by jobs on the processor's in-process queue.
  const inbound = createInboundProcessor(
    { db: workspace.store.db, vault: workspace.vault, providers, providerSettings, scheduler },
    { onRecordsChanged: () => outbound.wake() },
  );
  const server = buildServer({
    db: workspace.store.db,
    vault: workspace.vault,
    providers,
    scheduler,
    publicUrl,
    providerSettings,
    inboundWebhooks: inbound,
    // POST /v1/sql reads it; the destination lets go of the file between its writes for that.
    ...(opened.kind === "duckdb" ? { warehouse: opened.destination } : {}),
  });
  await server.listen({ port, host });

  const here = (path: string) => relative(process.cwd(), path);
  console.log(`Switchyard is running (embedded mode, data in ${workspace.dataDir})`);
  const auth = `-H "Authorization: Bearer $(cat ${here(apiKey.path)})"`;
  console.log(`  Dashboard:        ${base}/   (sign in with the dev API key; docs/dashboard.md)`);
  console.log(`  API:              ${base}/v1   reference: ${base}/docs   health: ${base}/health`);
  if (apiKey.created)
    console.log(
      `  Dev API key:      ${apiKey.created}   (an admin key: it also manages environments; shown once; saved to ${apiKey.path})`,
    );
  console.log(
    `  Connect:          POST ${base}/v1/connect-sessions, then open its connect_url (docs/connect.md)`,
  );
  const [first] = demos;
  console.log(
    opened.kind === "duckdb"
      ? `  Warehouse:        ${workspace.warehousePath} (DuckDB; query it: npm run switchyard -- sql "SELECT count(*) FROM ${first!.connection.provider}_${first!.emulator.handle.streams[0]}", docs/warehouse.md)`
      : `  Warehouse:        ${opened.describe} (Postgres, from WAREHOUSE_URL; docs/warehouse.md)`,
  );
  console.log(
    `The demo customer ("${DEMO_END_USER}") has an account at ${demos.length === 1 ? "one provider" : `${demos.length} providers`}, each its own emulator (SWITCHYARD_DEMO_PROVIDERS picks some; docs/providers.md):`,
  );
  for (const demo of demos) printDemoAccount(demo, publicUrl);
  console.log(
    `  Unified API:      curl ${auth} -H "X-Account-Token: $(cat ${here(first!.accountTokenPath)})" ${base}/api/crm/v1/contacts   (another account: its token file; docs/unified-api.md)`,
  );

  const abort = new AbortController();
  const scheduling = scheduler.start(abort.signal);
  inbound.start();
  // App-to-app flows (docs/flows.md): the demo's, and any saved through the API, on their schedules and changes.
  const flowDeps = {
    db: workspace.store.db,
    vault: workspace.vault,
    providers,
    providerSettings,
    mappers: unifiedMappers,
    writers: unifiedWriters,
  };
  const demoFlow = await ensureDemoFlow(
    flowDeps,
    demos.map((demo) => demo.connection),
  );
  const flowing = createFlowTriggers(flowDeps, {
    queue: createInProcessJobQueue(),
    onError: (error) => console.error(`Flows: ${describeError(error).message}`),
  }).start(abort.signal);
  if (demoFlow)
    console.log(
      `  Flow:             ${demoFlow.name} (HubSpot qualified leads into Pipedrive persons; npm run switchyard -- flows runs ${demoFlow.name})`,
    );
  // Reverse ETL (docs/reverse-etl.md): scheduled syncs, the demo's among them, on an in-process queue of their own.
  const retlDeps = { ...flowDeps, ...(opened.kind === "duckdb" ? { warehouse: opened.destination } : {}) };
  const retlJobs = createInProcessJobQueue();
  const retlScheduling = runReverseEtlSchedules({
    jobs: retlJobs,
    signal: abort.signal,
    dispatch: retlDeps,
    work: retlDeps,
    onRunFinished: (run) => console.log(reverseEtlRunLine(run)),
    onError: (error) => console.error(`Reverse ETL: ${describeError(error).message}`),
  });
  // SWITCHYARD_DEMO_RETL=off leaves it out: its writes go through the emulator's API, which the saved emulator
  // state does not keep, so with it a restart finds the emulator's data changed (and re-reads once).
  const demoRetl =
    process.env.SWITCHYARD_DEMO_RETL === "off"
      ? undefined
      : startDemoRetl(
          retlDeps,
          demos.map((demo) => demo.connection),
          {
            jobs: retlJobs,
            signal: abort.signal,
            onError: (error) => console.error(`Reverse ETL demo: ${describeError(error).message}`),
          },
        );
  if (demoRetl) console.log(`  Reverse ETL:      ${demoRetl.banner}`);
  // Embedded reverse ETL (docs/embedded-reverse-etl.md): embedded syncs run after a push (debounced) and on schedule.
  const embedding = runEmbeddedSchedules({
    jobs: createInProcessJobQueue(),
    signal: abort.signal,
    dispatch: flowDeps,
    work: flowDeps,
    onRunFinished: (run) => console.log(embeddedRunLine(run)),
    onError: (error) => console.error(`Embedded syncs: ${describeError(error).message}`),
  });
  await outbound.start();
  const delivering = outbound.schedule(abort.signal);
  for (const demo of demos) {
    const demoSync = demoSyncs.get(demo.connection.id)!;
    if (demoSync.enabled) await scheduler.triggerNow(demoSync.id, { fullRefresh: !demo.emulator.continuous });
    if (!demo.emulator.continuous)
      await refreshEmulatorSyncs(workspace, scheduler, demo.emulator, demoSync.id);
  }

  console.log(`Look at it: curl ${auth} ${base}/v1/runs   or   npm run switchyard -- runs`);
  console.log(
    `The demo syncs run every ${DEMO_FREQUENCY}: the emulators' data changes and an incremental run picks it up. Ctrl-C stops.`,
  );

  const stop = async () => {
    abort.abort();
    await scheduling;
    await delivering;
    await outbound.stop();
    await inbound.stop();
    await flowing;
    await retlScheduling;
    await embedding;
    await demoRetl?.done;
    await server.close();
    for (const demo of demos) {
      await demo.emulator.save();
      await demo.emulator.handle.close();
    }
    await warehouse.close();
    await workspace.close();
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
}

/**
 * Starts the provider's demo emulator (with the data of the previous start) and connects the demo customer's
 * account to it in the dev environment, so that the first dev API key sees its connection and runs.
 */
async function openDemoAccount(
  workspace: Workspace,
  provider: ProviderDefinition,
  port: number,
  ownApp: ProviderSettings | undefined,
): Promise<DemoAccount> {
  const token = demoToken(provider, DEMO_TOKEN);
  const emulator = await startDemoEmulator(workspace, provider, {
    port,
    seed: 42,
    records: DEMO_RECORDS,
    ...(token !== undefined ? { token } : {}),
  });
  const connection = await upsertConnection(workspace, {
    environment: "dev",
    provider: provider.name,
    endUserId: DEMO_END_USER,
    credentials: emulator.handle.credentials,
    config: { baseUrl: emulator.handle.url },
  });
  const accountToken = await ensureDemoAccountToken(workspace, connection);
  return { emulator, connection, accountTokenPath: accountToken.path, ownApp };
}

/** A demo account's lines of the start-up banner: its emulator, its connection, and how Connect reaches it. */
function printDemoAccount(
  { emulator, connection, accountTokenPath, ownApp }: DemoAccount,
  publicUrl: string,
) {
  const { provider, handle } = emulator;
  console.log(
    `  ${bannerLabel(`${provider.displayName} emulator:`)}${handle.url}   (${
      emulator.continuous
        ? "same data as at the last stop"
        : "new or changed data: the syncs reading from it re-read everything once"
    })`,
  );
  console.log(
    `    ${bannerLabel("connection:", 16)}${connection.id}   account token: ${relative(process.cwd(), accountTokenPath)}`,
  );
  console.log(
    `    ${bannerLabel(`Connect ${provider.displayName}:`, 16)}${
      ownApp?.oauth2
        ? `your OAuth app ${ownApp.oauth2.clientId} (${providerEnvPrefix(provider)}CLIENT_ID); its redirect URL must be ${publicUrl}/connect/oauth/callback`
        : `the emulator (${describeDemoCredentials(handle.credentials)}); for real accounts see docs/connecting-accounts.md`
    }`,
  );
}

/**
 * The demo provider in `npm start` is the emulator: connections made through Connect reach it, and OAuth2
 * goes through an app registered in it for this start (a fresh client secret, kept in memory only) whose
 * redirect URL is this Switchyard's OAuth callback, when its emulator has an OAuth server.
 */
function emulatorOAuthApp(emulator: EmulatorHandle, publicUrl: string): ProviderSettings {
  if (!emulator.registerOAuthApp) return { baseUrl: emulator.url };
  const app = { clientId: randomUUID(), clientSecret: randomBytes(24).toString("base64url") };
  const endpoints = emulator.registerOAuthApp({
    ...app,
    name: "Switchyard (npm start)",
    redirectUris: [`${publicUrl}/connect/oauth/callback`],
  });
  return { baseUrl: emulator.url, oauth2: { ...app, ...endpoints } };
}

/** A label of the start-up banner, its values aligned in one column (a longer label still gets a space). */
function bannerLabel(label: string, width = 18): string {
  return `${label} `.padEnd(width);
}

/** The demo account's credential for the start-up banner (an emulator's, not a real secret). */
function describeDemoCredentials(credentials: Credentials): string {
  switch (credentials.type) {
    case "bearer":
      return `token: ${credentials.token}`;
    case "api_key":
      return `API key: ${credentials.key}`;
    case "basic":
      return `user: ${credentials.username}`;
    case "oauth2":
      return "OAuth2";
  }
}

/**
 * The scheduler of `npm start` and each demo connection's sync (created on the first start: every minute
 * into the records cache and DuckDB; later starts keep it as the API may have changed it). Before every demo
 * run after the first, the demo's emulator's data changes, so each incremental run has something to pick up.
 */
async function demoScheduler(
  workspace: Workspace,
  demos: readonly DemoAccount[],
  warehouse: Destination,
  providerSettings: Readonly<Record<string, ProviderSettings>>,
): Promise<{ demoSyncs: Map<string, Sync>; scheduler: Scheduler }> {
  const demoSyncs = new Map<string, Sync>();
  /** Demo sync id → its demo and how many runs it started in this process. */
  const bySync = new Map<string, { demo: DemoAccount; runs: number }>();
  for (const demo of demos) {
    const [existing] = await syncsOfConnection(workspace.store.db, demo.connection.id);
    const demoSync =
      existing ??
      (await createSync(workspace.store.db, demo.emulator.provider, demo.connection.id, {
        frequency: DEMO_FREQUENCY,
        warehouse: true,
      }));
    demoSyncs.set(demo.connection.id, demoSync);
    bySync.set(demoSync.id, { demo, runs: 0 });
  }
  const jobDeps = { store: workspace.store, vault: workspace.vault, providers, providerSettings };
  const runner = createSyncRunner({
    store: workspace.store,
    buildJob: (connectionId, options) => buildSyncJob(jobDeps, connectionId, options),
    warehouse,
  });
  const scheduler = createEmbeddedScheduler({
    db: workspace.store.db,
    concurrency: Number(process.env.SWITCHYARD_SYNC_CONCURRENCY ?? 4),
    run: async (claim, signal) => {
      const demoSync = bySync.get(claim.syncId);
      if (demoSync && demoSync.runs++ > 0)
        await demoSync.demo.emulator.applyChanges(demoChanges(demoSync.demo.emulator.handle.streams));
      return runner(claim, signal);
    },
    onRunFinished: (claim, run) => {
      const demoSync = bySync.get(claim.syncId);
      const label = !demoSync
        ? `Sync ${claim.syncId}: run`
        : `${demoSync.demo.emulator.provider.displayName} ${demoSync.runs > 1 ? "incremental" : "demo"} sync`;
      if (run.status === "succeeded") console.log(`${label} ${run.id} succeeded: ${formatStats(run.stats)}`);
      else
        console.log(
          `${label} ${run.id} failed: ${run.error?.message} (npm run switchyard -- logs ${run.id})`,
        );
    },
    onError: (error) => console.error(`Scheduler: ${describeError(error).message}`),
  });
  return { demoSyncs, scheduler };
}

/**
 * When the emulator's data is not what it was at the last stop (first start with this data directory, other
 * seed or counts, changes it could not replay), the cursors of every sync reading from it are stale: each
 * such sync re-reads everything once, so its cache and warehouse match the emulator again.
 */
async function refreshEmulatorSyncs(
  workspace: Workspace,
  scheduler: Scheduler,
  demo: DemoEmulator,
  alreadyTriggered: string,
): Promise<void> {
  for (const connectionId of demo.connectionIds) {
    for (const sync of await syncsOfConnection(workspace.store.db, connectionId)) {
      if (sync.enabled && sync.id !== alreadyTriggered)
        await scheduler.triggerNow(sync.id, { fullRefresh: true });
    }
  }
}

start().catch((error) => {
  const summary = describeError(error);
  console.error(`Switchyard could not start: ${summary.message}${summary.hint ? `\n${summary.hint}` : ""}`);
  // Exit even though the emulator or the database may still hold the event loop open.
  process.exit(1);
});
