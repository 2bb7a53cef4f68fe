/**
 * `switchyard server`: the API and the scheduling of a scale-out deployment (docs/scale-out.md). It serves
 * the API on the Postgres store of DATABASE_URL and enqueues a `sync.run` job for every due or asked-for
 * sync; it never runs a sync itself (`switchyard worker` processes do). It also reaps dead workers' runs, so
 * their syncs are enqueued again and resumed by another worker within the takeover bound.
 */
import type { Command } from "commander";
import { ensureFirstApiKey } from "../../app/api-keys/first-api-key.ts";
import { runFlowTriggers } from "../../app/flows/triggers.ts";
import { providerSettingsFromEnv } from "../../app/provider-settings.ts";
import { runReverseEtlSchedules } from "../../app/reverse-etl/schedule.ts";
import { runEmbeddedSchedules } from "../../app/sources/schedule.ts";
import { outboundWebhookJobs } from "../../app/webhooks/outbound.ts";
import { inboundEventEnqueuer } from "../../app/webhooks-inbound/processor.ts";
import { warehouseFileIn } from "../../app/workspace.ts";
import { describeError } from "../../core/index.ts";
import { providers } from "../../providers/registry.ts";
import { createSyncDispatcher } from "../../scheduler/index.ts";
import { buildServer } from "../../server/app.ts";
import { EXIT } from "../output.ts";
import { portNumber } from "../parse.ts";
import { Started } from "../started.ts";
import { stopTimeoutMs, watchStopSignals } from "../stop-signal.ts";
import { openDeployment } from "./worker.ts";

interface ServerFlags {
  port: number;
  host: string;
  dataDir?: string;
}

export function registerServerCommand(program: Command): void {
  program
    .command("server")
    .description(
      "Serve the API and schedule syncs as jobs on the Postgres of DATABASE_URL, running none (docs/scale-out.md)",
    )
    .option(
      "--port <n>",
      "port to listen on, 0 for any free one (default: PORT, else 3000)",
      portNumber("--port"),
    )
    .option("--host <address>", "address to listen on (default: HOST, else 127.0.0.1)")
    .option("--data-dir <dir>", "directory of the vault key file (default: ./.switchyard)")
    .action(async (flags: Partial<ServerFlags>) => {
      process.exitCode = await runServer({
        port: flags.port ?? Number(process.env.PORT ?? 3000),
        host: flags.host ?? process.env.HOST ?? "127.0.0.1",
        ...(flags.dataDir ? { dataDir: flags.dataDir } : {}),
      });
    });
}

async function runServer(flags: ServerFlags): Promise<number> {
  // Checked before anything opens, so that a bad value is a plain configuration error.
  const stopTimeout = stopTimeoutMs();
  const started = new Started();
  const deployment = await openDeployment("server", flags);
  started.add("The deployment", () => deployment.close());
  const onError = (error: unknown) => process.stderr.write(`Scheduler: ${describeError(error).message}\n`);
  const dispatcher = createSyncDispatcher({
    db: deployment.store.db,
    jobs: deployment.jobs,
    queue: deployment.leases,
    onError,
  });
  const shownHost = flags.host === "0.0.0.0" ? "127.0.0.1" : flags.host;
  const base = `http://${shownHost}:${flags.port}`;
  const server = buildServer({
    db: deployment.store.db,
    vault: deployment.vault,
    providers,
    scheduler: dispatcher,
    publicUrl: (process.env.SWITCHYARD_PUBLIC_URL ?? base).replace(/\/+$/, ""),
    providerSettings: providerSettingsFromEnv(providers),
    // Inbound webhooks are persisted here and processed by the workers (webhooks.inbound jobs).
    inboundWebhooks: inboundEventEnqueuer(deployment.jobs, onError),
    // Models are checked on (and workers read) the DuckDB file of the data directory (docs/reverse-etl.md).
    warehouse: { path: warehouseFileIn(deployment.dataDir) },
  });
  const apiKey = await started.starting(async () => {
    await server.listen({ port: flags.port, host: flags.host });
    started.add("The API", () => server.close());
    return ensureFirstApiKey(deployment);
  });
  const stop = watchStopSignals("server", stopTimeout);
  started.loop("Scheduler", (signal) => dispatcher.start(signal));
  // Reverse-ETL schedules: due syncs become retl.run jobs for the workers.
  started.loop("Reverse-ETL schedules", (signal) =>
    runReverseEtlSchedules({ jobs: deployment.jobs, signal, dispatch: { db: deployment.store.db }, onError }),
  );
  // Embedded reverse ETL: due (scheduled or recently pushed) embedded syncs become embedded.run jobs.
  started.loop("Embedded-sync schedules", (signal) =>
    runEmbeddedSchedules({ jobs: deployment.jobs, signal, dispatch: { db: deployment.store.db }, onError }),
  );
  // App-to-app flows: due and changed flows become flow.run jobs for the workers (docs/flows.md).
  started.loop("Flow triggers", (signal) =>
    runFlowTriggers({ queue: deployment.jobs, signal, dispatch: { db: deployment.store.db }, onError }),
  );
  // Outbound webhooks: a delivery pass (webhooks.deliver job) for the workers every second.
  const outbound = outboundWebhookJobs(
    { db: deployment.store.db, vault: deployment.vault },
    deployment.jobs,
    { onError },
  );
  started.loop("Outbound webhooks", (signal) => outbound.schedule(signal));
  // The port really listened on (--port 0 picks a free one).
  const address = server.server.address();
  const listening = `http://${shownHost}:${typeof address === "object" && address ? address.port : flags.port}`;
  process.stdout.write(
    `Switchyard server is listening on ${listening} (API: ${listening}/v1); syncs are enqueued for workers (switchyard worker).\n`,
  );
  if (apiKey.created)
    process.stdout.write(
      `Dev API key (an admin key; shown once, saved to ${apiKey.path}): ${apiKey.created}\n`,
    );
  await stop.received;
  // The schedulers first, then the API, then the queue and the store.
  await started.stopAll();
  stop.stopped();
  return EXIT.ok;
}
