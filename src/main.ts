/**
 * `npm start`: Switchyard in embedded mode with a provider's emulator and a demo environment.
 * Opens ./.switchyard, connects a demo customer's account at the demo provider (its emulator, started through
 * the provider's emulator declaration), serves the API, and runs the scheduler: the demo sync runs at once
 * into the records cache and DuckDB, then every minute while the emulator's data changes; syncs created
 * through the API run on their own schedules.
 */
// First, for its effect: memory settings that must precede loading DuckDB (see the module).
import "./process-tuning.ts";
import { randomBytes, randomUUID } from "node:crypto";
import { relative } from "node:path";
import { ensureFirstApiKey } from "./app/api-keys/first-api-key.ts";
import { upsertConnection } from "./app/connections/connections.ts";
import {
  type ProviderSettings,
  providerEnvPrefix,
  providerSettingsFromEnv,
} from "./app/provider-settings.ts";
import { buildSyncJob } from "./app/syncs/sync-connection.ts";
import { createSync } from "./app/syncs/syncs.ts";
import { openWorkspace, type Workspace } from "./app/workspace.ts";
import { formatStats } from "./cli/output.ts";
import { type Credentials, type Destination, describeError, type EmulatorHandle } from "./core/index.ts";
import {
  type DemoEmulator,
  demoChanges,
  demoEmulatorPort,
  demoProvider,
  startDemoEmulator,
} from "./demo/emulator.ts";
import { createDuckDbDestination } from "./destinations/duckdb/index.ts";
import { providers } from "./providers/registry.ts";
import {
  createScheduler,
  createStoreSyncQueue,
  createSyncRunner,
  type Scheduler,
} from "./scheduler/index.ts";
import { buildServer } from "./server/app.ts";
import {
  ensureEnvironment,
  type Sync,
  setEnvironmentPrivateNetwork,
  syncsOfConnection,
} from "./store/index.ts";

/** The demo account's token, as the docs name it (an emulator that takes no token of ours keeps its own). */
const DEMO_TOKEN = "pat-demo-switchyard-0000";
const DEMO_FREQUENCY = "1m";

async function start(): Promise<void> {
  const port = Number(process.env.PORT ?? 3000);
  const host = process.env.HOST ?? "127.0.0.1";
  const workspace = await openWorkspace();
  const provider = demoProvider(providers);
  const demo = await startDemoEmulator(workspace, provider, {
    port: demoEmulatorPort(),
    seed: 42,
    records: 2_000,
    token: DEMO_TOKEN,
  });
  const emulator = demo.handle;
  // The demo environment allows private addresses: its emulator listens on 127.0.0.1 (no other does by default).
  const demoEnvironment = await ensureEnvironment(workspace.store.db, "dev");
  await setEnvironmentPrivateNetwork(workspace.store.db, demoEnvironment.id, true);
  const connection = await upsertConnection(workspace, {
    // The dev environment, so that the first dev API key sees the demo's connection and runs.
    environment: "dev",
    provider: provider.name,
    endUserId: "demo-customer",
    credentials: emulator.credentials,
    config: { baseUrl: emulator.url },
  });
  const warehouse = await createDuckDbDestination({ path: workspace.warehousePath });
  const apiKey = await ensureFirstApiKey(workspace);
  const base = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`;
  const publicUrl = (process.env.SWITCHYARD_PUBLIC_URL ?? base).replace(/\/+$/, "");
  const oauthApps = providerSettingsFromEnv(providers);
  // Without an OAuth app of its own (docs/connecting-accounts.md), Connect's demo provider is the emulator.
  const ownApp = oauthApps[provider.name];
  const providerSettings = ownApp
    ? oauthApps
    : { ...oauthApps, [provider.name]: emulatorOAuthApp(emulator, publicUrl) };
  const { demoSync, scheduler } = await demoScheduler(
    workspace,
    connection.id,
    demo,
    warehouse,
    providerSettings,
  );
  const server = buildServer({
    db: workspace.store.db,
    vault: workspace.vault,
    providers,
    scheduler,
    publicUrl,
    providerSettings,
    // POST /v1/sql reads it; the destination lets go of the file between its writes for that.
    warehouse,
  });
  await server.listen({ port, host });

  console.log(`Switchyard is running (embedded mode, data in ${workspace.dataDir})`);
  const auth = `-H "Authorization: Bearer $(cat ${relative(process.cwd(), apiKey.path)})"`;
  console.log(`  API:              ${base}/v1   reference: ${base}/docs   health: ${base}/health`);
  if (apiKey.created)
    console.log(
      `  Dev API key:      ${apiKey.created}   (an admin key: it also manages environments; shown once; saved to ${apiKey.path})`,
    );
  console.log(
    `  ${bannerLabel(`${provider.displayName} emulator:`)}${emulator.url}   (the demo customer's account; ${
      demo.continuous
        ? "same data as at the last stop"
        : "new or changed data: the syncs reading from it re-read everything once"
    })`,
  );
  const connectLabel = bannerLabel(`Connect ${provider.displayName}:`);
  console.log(
    ownApp?.oauth2
      ? `  ${connectLabel}your OAuth app ${ownApp.oauth2.clientId} (${providerEnvPrefix(provider)}CLIENT_ID); its redirect URL must be ${publicUrl}/connect/oauth/callback`
      : `  ${connectLabel}the emulator (${describeDemoCredentials(emulator.credentials)}); for real accounts see docs/connecting-accounts.md`,
  );
  console.log(
    `  Connect:          POST ${base}/v1/connect-sessions, then open its connect_url (docs/connect.md)`,
  );
  console.log(
    `  Warehouse:        ${workspace.warehousePath} (DuckDB; query it: npm run switchyard -- sql "SELECT count(*) FROM ${provider.name}_${emulator.streams[0]}", docs/warehouse.md)`,
  );

  const abort = new AbortController();
  const scheduling = scheduler.start(abort.signal);
  if (demoSync.enabled) await scheduler.triggerNow(demoSync.id, { fullRefresh: !demo.continuous });
  if (!demo.continuous) await refreshEmulatorSyncs(workspace, scheduler, demo, demoSync.id);

  console.log(
    `Look at it: curl ${auth} ${base}/v1/syncs/${demoSync.id}/status   or   npm run switchyard -- runs`,
  );
  console.log(
    `The demo sync runs every ${demoSync.frequency}: the emulator's data changes and an incremental run picks it up. Ctrl-C stops.`,
  );

  const stop = async () => {
    abort.abort();
    await scheduling;
    await server.close();
    await demo.save();
    await emulator.close();
    await warehouse.close();
    await workspace.close();
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
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
function bannerLabel(label: string): string {
  return `${label} `.padEnd(18);
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
 * The scheduler of `npm start` and the demo connection's sync (created on the first start: every minute into
 * the records cache and DuckDB; later starts keep it as the API may have changed it). Before every demo run
 * after the first, the emulator's data changes, so each incremental run has something to pick up.
 */
async function demoScheduler(
  workspace: Workspace,
  connectionId: string,
  demo: DemoEmulator,
  warehouse: Destination,
  providerSettings: Readonly<Record<string, ProviderSettings>>,
): Promise<{ demoSync: Sync; scheduler: Scheduler }> {
  const [existing] = await syncsOfConnection(workspace.store.db, connectionId);
  const demoSync =
    existing ??
    (await createSync(workspace.store.db, demo.provider, connectionId, {
      frequency: DEMO_FREQUENCY,
      warehouse: true,
    }));
  const jobDeps = { store: workspace.store, vault: workspace.vault, providers, providerSettings };
  const runner = createSyncRunner({
    store: workspace.store,
    buildJob: (connectionId, options) => buildSyncJob(jobDeps, connectionId, options),
    warehouse,
  });
  let demoRuns = 0;
  const scheduler = createScheduler({
    queue: createStoreSyncQueue(workspace.store.db),
    concurrency: Number(process.env.SWITCHYARD_SYNC_CONCURRENCY ?? 4),
    run: async (claim, signal) => {
      if (claim.syncId === demoSync.id && demoRuns++ > 0)
        await demo.applyChanges(demoChanges(demo.handle.streams));
      return runner(claim, signal);
    },
    onRunFinished: (claim, run) => {
      const label =
        claim.syncId !== demoSync.id
          ? `Sync ${claim.syncId}: run`
          : demoRuns > 1
            ? "Incremental sync"
            : "Demo sync";
      if (run.status === "succeeded") console.log(`${label} ${run.id} succeeded: ${formatStats(run.stats)}`);
      else
        console.log(
          `${label} ${run.id} failed: ${run.error?.message} (npm run switchyard -- logs ${run.id})`,
        );
    },
    onError: (error) => console.error(`Scheduler: ${describeError(error).message}`),
  });
  return { demoSync, scheduler };
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
