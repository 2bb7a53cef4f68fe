/**
 * `npm start`: Switchyard in embedded mode with the HubSpot emulator and a demo environment.
 * Opens ./.switchyard, connects a demo customer's HubSpot account (the emulator), runs its first sync
 * into the records cache and DuckDB, serves the API, and keeps syncing while the emulator's data changes.
 */
import { relative } from "node:path";
import { upsertConnection } from "./app/connections.ts";
import { ensureFirstApiKey } from "./app/first-api-key.ts";
import { syncConnection } from "./app/sync-connection.ts";
import { openWorkspace } from "./app/workspace.ts";
import { formatStats } from "./cli/output.ts";
import { describeError } from "./core/index.ts";
import { createDuckDbDestination } from "./destinations/duckdb/index.ts";
import { startHubSpotEmulator } from "./providers/hubspot/emulator/index.ts";
import { providers } from "./providers/registry.ts";
import { buildServer } from "./server/app.ts";

const DEMO_TOKEN = "pat-demo-switchyard-0000";
const RESYNC_EVERY_MS = 60_000;

async function start(): Promise<void> {
  const port = Number(process.env.PORT ?? 3000);
  const host = process.env.HOST ?? "127.0.0.1";
  const workspace = await openWorkspace();
  const emulator = await startHubSpotEmulator({
    host: "127.0.0.1",
    port: Number(process.env.SWITCHYARD_EMULATOR_PORT ?? 0),
    seed: 42,
    counts: { contacts: 2_000, companies: 300, deals: 600 },
    tokens: [DEMO_TOKEN],
  });
  const connection = await upsertConnection(workspace, {
    // The dev environment, so that the first dev API key sees the demo's connection and runs.
    environment: "dev",
    provider: "hubspot",
    endUserId: "demo-customer",
    credentials: { type: "bearer", token: DEMO_TOKEN },
    config: { baseUrl: emulator.url },
  });
  const warehouse = await createDuckDbDestination({ path: workspace.warehousePath });
  const apiKey = await ensureFirstApiKey(workspace);
  const server = buildServer({ db: workspace.store.db, vault: workspace.vault, providers });
  await server.listen({ port, host });
  const base = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`;

  console.log(`Switchyard is running (embedded mode, data in ${workspace.dataDir})`);
  const auth = `-H "Authorization: Bearer $(cat ${relative(process.cwd(), apiKey.path)})"`;
  console.log(`  API:              ${base}/v1   reference: ${base}/docs   health: ${base}/health`);
  if (apiKey.created)
    console.log(`  Dev API key:      ${apiKey.created}   (shown once; saved to ${apiKey.path})`);
  console.log(`  HubSpot emulator: ${emulator.url}`);
  console.log(`  Warehouse:        ${workspace.warehousePath} (DuckDB)`);

  const abort = new AbortController();
  const syncOnce = async (label: string) => {
    const run = await syncConnection(workspace, connection.id, {
      destinations: [warehouse],
      signal: abort.signal,
    });
    if (run.status === "succeeded")
      console.log(`${label} sync ${run.id} succeeded: ${formatStats(run.stats)}`);
    else
      console.log(
        `${label} sync ${run.id} failed: ${run.error?.message} (npm run switchyard -- logs ${run.id})`,
      );
  };

  await syncOnce("Demo");
  console.log(`Look at it: curl ${auth} ${base}/v1/runs   or   npm run switchyard -- runs`);
  console.log(
    `Every ${RESYNC_EVERY_MS / 1000} s the emulator's data changes and an incremental sync picks it up. Ctrl-C stops.`,
  );

  const timer = setInterval(() => {
    for (const type of ["contacts", "companies", "deals"] as const) {
      emulator.mutate({ type, updates: 25, archives: 3, creates: 10 });
    }
    syncOnce("Incremental").catch((error) => console.error(describeError(error).message));
  }, RESYNC_EVERY_MS);

  const stop = async () => {
    clearInterval(timer);
    abort.abort();
    await server.close();
    await emulator.close();
    await warehouse.close();
    await workspace.close();
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
}

start().catch((error) => {
  const summary = describeError(error);
  console.error(`Switchyard could not start: ${summary.message}${summary.hint ? `\n${summary.hint}` : ""}`);
  process.exitCode = 1;
});
