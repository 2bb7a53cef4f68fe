/**
 * `switchyard retl …`: reverse ETL from the command line (docs/reverse-etl.md), on the embedded workspace:
 * models, syncs (defined in a JSON file, the API's body), a run or dry run, runs and per-row results.
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { createModel, listModels } from "../../app/reverse-etl/models.ts";
import { listReverseEtlRuns, listRunRows, runReverseEtlSync } from "../../app/reverse-etl/run.ts";
import { createReverseEtlSync, listReverseEtlSyncs } from "../../app/reverse-etl/syncs.ts";
import { openWorkspace, type Workspace } from "../../app/workspace.ts";
import { ConfigError } from "../../core/index.ts";
import { syncInput } from "../../flows/reverse-etl/definitions.ts";
import { providers } from "../../providers/registry.ts";
import { unifiedMappers } from "../../providers/unified-mappers.ts";
import { unifiedWriters } from "../../providers/unified-writers.ts";
import { environmentNamed } from "../environments.ts";
import { printJson } from "../output.ts";

interface Flags {
  environment: string;
  dataDir?: string;
}

/** Runs `work` with the workspace's deps and the environment's id, closing the workspace after. */
async function withWorkspace(
  flags: Flags,
  work: (deps: ReturnType<typeof depsOf>, environmentId: string) => Promise<unknown>,
): Promise<void> {
  const workspace = await openWorkspace({ ...(flags.dataDir ? { dataDir: flags.dataDir } : {}) });
  try {
    const environment = await environmentNamed(workspace.store.db, flags.environment);
    printJson(await work(depsOf(workspace), environment.id));
  } finally {
    await workspace.close();
  }
}

function depsOf(workspace: Workspace) {
  return {
    db: workspace.store.db,
    vault: workspace.vault,
    providers,
    mappers: unifiedMappers,
    writers: unifiedWriters,
    warehouse: { path: workspace.warehousePath },
  };
}

/** The sync definition in a JSON file, checked like the API's body. */
function readSyncFile(path: string) {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ConfigError(
      `Cannot read ${path} as JSON: ${(error as Error).message}`,
      "Pass a JSON file with the sync's definition (docs/reverse-etl.md).",
    );
  }
  const parsed = syncInput.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new ConfigError(
      `${path} is not a reverse-ETL sync definition: ${issues}`,
      "See docs/reverse-etl.md for its fields.",
    );
  }
  return parsed.data;
}

export function registerRetlCommand(program: Command): void {
  const retl = program
    .command("retl")
    .description("Reverse ETL: send warehouse models into apps (docs/reverse-etl.md)")
    .option("--environment <name>", "the environment", "dev")
    .option("--data-dir <dir>", "embedded data directory (default: ./.switchyard)");
  const flagsOf = (command: Command) => command.optsWithGlobals<Flags>();

  retl
    .command("models")
    .description("List models")
    .action((_opts, command: Command) =>
      withWorkspace(flagsOf(command), (deps, env) => listModels(deps, env)),
    );

  retl
    .command("model-create")
    .description("Save a model (checked on the warehouse with LIMIT 0)")
    .requiredOption("--name <name>", "unique name")
    .requiredOption("--sql <sql>", "one SELECT on the warehouse")
    .requiredOption("--primary-key <column>", "the column that identifies a row")
    .action((opts: { name: string; sql: string; primaryKey: string }, command: Command) =>
      withWorkspace(flagsOf(command), (deps, env) =>
        createModel(deps, env, { name: opts.name, sql: opts.sql, primary_key: opts.primaryKey }),
      ),
    );

  retl
    .command("syncs")
    .description("List reverse-ETL syncs")
    .action((_opts, command: Command) =>
      withWorkspace(flagsOf(command), (deps, env) => listReverseEtlSyncs(deps, env)),
    );

  retl
    .command("sync-create")
    .description("Save a reverse-ETL sync from a JSON file (the body of POST /v1/reverse-etl/syncs)")
    .argument("<file>", "JSON file")
    .action((file: string, _opts, command: Command) =>
      withWorkspace(flagsOf(command), (deps, env) => createReverseEtlSync(deps, env, readSyncFile(file))),
    );

  retl
    .command("run")
    .description("Run a reverse-ETL sync now (or --dry-run: show the diff, write nothing)")
    .argument("<sync-id>")
    .option("--dry-run", "show the diff without writing")
    .action((syncId: string, opts: { dryRun?: boolean }, command: Command) =>
      withWorkspace(flagsOf(command), (deps, env) =>
        runReverseEtlSync(deps, env, syncId, { dryRun: opts.dryRun === true }),
      ),
    );

  retl
    .command("runs")
    .description("A reverse-ETL sync's runs, newest first")
    .argument("<sync-id>")
    .action((syncId: string, _opts, command: Command) =>
      withWorkspace(flagsOf(command), (deps, env) => listReverseEtlRuns(deps, env, syncId)),
    );

  retl
    .command("rows")
    .description("A run's per-row results")
    .argument("<sync-id>")
    .argument("<run-id>")
    .option("--status <status>", "succeeded, failed or skipped")
    .action((syncId: string, runId: string, opts: { status?: string }, command: Command) =>
      withWorkspace(flagsOf(command), (deps, env) =>
        listRunRows(deps, env, syncId, runId, {
          ...(opts.status ? { status: opts.status } : {}),
          limit: 1000,
        }),
      ),
    );
}
