import type { Command } from "commander";
import { type ConnectionConfig, upsertConnection } from "../../app/connections/connections.ts";
import { findProvider } from "../../app/platform.ts";
import { syncConnection } from "../../app/syncs/sync-connection.ts";
import { openWarehouse } from "../../app/warehouse/open-warehouse.ts";
import { openWorkspace } from "../../app/workspace.ts";
import {
  ArgumentError,
  type Credentials,
  type Destination,
  type ProviderDefinition,
} from "../../core/index.ts";
import { createDuckDbDestination } from "../../destinations/duckdb/index.ts";
import { assertBaseUrlAllowed } from "../../http/index.ts";
import { providers } from "../../providers/registry.ts";
import {
  ensureEnvironment,
  environmentAllowsPrivateNetwork,
  findConnection,
  setEnvironmentPrivateNetwork,
  updateConnection,
} from "../../store/index.ts";
import { EXIT, formatStats, printJson } from "../output.ts";
import { positiveInt } from "../parse.ts";
import { createProgressReporter } from "../progress.ts";

interface SyncFlags {
  token?: string;
  streams?: string[];
  fullRefresh?: boolean;
  duckdb: string | false | undefined;
  baseUrl?: string;
  connection: string;
  environment: string;
  allowPrivateNetwork?: boolean;
  dataDir?: string;
  json?: boolean;
  batchSize?: number;
}

export function registerSyncCommand(program: Command): void {
  program
    .command("sync")
    .description("Sync a provider account into the records cache and a DuckDB warehouse")
    .argument("<provider>", `provider name: ${Object.keys(providers).join(", ")}`)
    .option("--token <token>", "API token for the account (stored encrypted; optional once stored)")
    .option("--streams <names>", "comma-separated streams (default: all)", splitList)
    .option("--full-refresh", "re-read everything and mark what is gone as deleted")
    .option(
      "--duckdb <file>",
      "DuckDB file to write (default: the Postgres warehouse of WAREHOUSE_URL if set, else <data-dir>/warehouse.duckdb)",
    )
    .option("--no-duckdb", "write only the records cache (no warehouse)")
    .option(
      "--base-url <url>",
      "the provider's API URL for this connection, e.g. an emulator (stored; kept until changed)",
    )
    .option("--connection <name>", "name of this account's connection", "cli")
    .option("--environment <name>", "environment the connection belongs to", "dev")
    .option(
      "--allow-private-network",
      "let the environment's connections reach loopback and private addresses, e.g. an emulator on this machine (kept for the environment)",
    )
    .option("--data-dir <dir>", "embedded data directory (default: ./.switchyard)")
    .option("--json", "print the finished run as JSON, no progress")
    .option(
      "--batch-size <n>",
      "most records per commit (default 10000; also capped at 8 MiB of JSON)",
      positiveInt("--batch-size"),
    )
    .action(async (providerName: string, flags: SyncFlags) => {
      process.exitCode = await runSyncCommand(providerName, flags);
    });
}

function splitList(value: string): string[] {
  const items = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0)
    throw new ArgumentError("--streams needs at least one stream name.", "e.g. --streams contacts,deals");
  return items;
}

function credentialsFromToken(provider: ProviderDefinition, token: string): Credentials {
  switch (provider.auth.type) {
    case "bearer":
      return { type: "bearer", token };
    case "api_key":
      return { type: "api_key", key: token };
    case "basic":
      throw new ArgumentError(`${provider.displayName} uses basic auth; --token does not apply.`);
  }
}

async function runSyncCommand(providerName: string, flags: SyncFlags): Promise<number> {
  const provider = findProvider(providers, providerName);
  if (flags.baseUrl !== undefined && !URL.canParse(flags.baseUrl)) {
    throw new ArgumentError(
      `--base-url "${flags.baseUrl}" is not a URL.`,
      "e.g. --base-url http://127.0.0.1:4010",
    );
  }
  const workspace = await openWorkspace({ ...(flags.dataDir ? { dataDir: flags.dataDir } : {}) });
  const destinations: Destination[] = [];
  try {
    const connection = await resolveConnection(workspace, provider, flags);
    if (typeof flags.duckdb === "string") {
      destinations.push(await createDuckDbDestination({ path: flags.duckdb }));
    } else if (flags.duckdb !== false) {
      // WAREHOUSE_URL=postgres://… picks a Postgres warehouse (docs/warehouse.md).
      destinations.push(
        (await openWarehouse(process.env.WAREHOUSE_URL, workspace.warehousePath)).destination,
      );
    }
    const progress = createProgressReporter(flags.json ? "silent" : process.stderr.isTTY ? "tty" : "plain");
    const abort = new AbortController();
    const onSignal = () => abort.abort(new Error("interrupted"));
    process.once("SIGINT", onSignal);
    const run = await syncConnection(workspace, connection, {
      destinations,
      fullRefresh: flags.fullRefresh ?? false,
      signal: abort.signal,
      onProgress: (stats, stream) => progress.update(stats, stream),
      ...(flags.streams ? { streams: flags.streams } : {}),
      ...(flags.batchSize ? { batchSize: flags.batchSize } : {}),
    }).finally(() => {
      progress.stop();
      process.off("SIGINT", onSignal);
    });
    if (flags.json) printJson(run);
    else if (run.status === "succeeded") {
      process.stdout.write(`Run ${run.id} succeeded: ${formatStats(run.stats)}\n`);
    } else {
      process.stderr.write(`Run ${run.id} failed: ${run.error?.message}\n`);
      if (run.error?.hint) process.stderr.write(`hint:  ${run.error.hint}\n`);
      process.stderr.write(`See its log: switchyard logs ${run.id}\n`);
    }
    return run.status === "succeeded" ? EXIT.ok : EXIT.failed;
  } finally {
    for (const destination of destinations) await destination.close();
    await workspace.close();
  }
}

/**
 * The connection id to sync. `--token` stores new credentials and `--base-url` a new API address, each
 * without touching the other: leaving one out keeps what is stored (a new connection starts with the
 * provider's own URL). Without `--token` the connection must already be stored.
 */
async function resolveConnection(
  workspace: Awaited<ReturnType<typeof openWorkspace>>,
  provider: ProviderDefinition,
  flags: SyncFlags,
): Promise<string> {
  const env = await ensureEnvironment(workspace.store.db, flags.environment);
  if (flags.allowPrivateNetwork) await setEnvironmentPrivateNetwork(workspace.store.db, env.id, true);
  const existing = await findConnection(workspace.store.db, {
    environmentId: env.id,
    provider: provider.name,
    endUserId: flags.connection,
  });
  const storedConfig: ConnectionConfig = existing ? JSON.parse(existing.config) : {};
  const config = flags.baseUrl ? { ...storedConfig, baseUrl: flags.baseUrl } : storedConfig;
  if (flags.token !== undefined) {
    const row = await upsertConnection(workspace, {
      environment: flags.environment,
      provider: provider.name,
      endUserId: flags.connection,
      credentials: credentialsFromToken(provider, flags.token),
      config,
    });
    return row.id;
  }
  if (!existing) {
    throw new ArgumentError(
      `No stored ${provider.displayName} connection "${flags.connection}" in environment "${flags.environment}".`,
      "Pass --token once; Switchyard stores it encrypted for the next syncs.",
    );
  }
  if (flags.baseUrl) {
    // The same check upsertConnection makes: no user:password, no private address the environment forbids.
    await assertBaseUrlAllowed(flags.baseUrl, {
      allowPrivateAddresses: await environmentAllowsPrivateNetwork(workspace.store.db, env.id),
    });
    await updateConnection(workspace.store.db, existing.id, { config });
  }
  return existing.id;
}
