/**
 * `switchyard retl …`: reverse ETL from the command line (docs/reverse-etl.md), on the embedded workspace:
 * models, syncs (defined in a JSON file, the API's body), a run or dry run, runs and per-row results.
 */
import type { Command } from "commander";
import { createModel, listModels } from "../../app/reverse-etl/models.ts";
import { listReverseEtlRuns, listRunRows, runReverseEtlSync } from "../../app/reverse-etl/run.ts";
import { createReverseEtlSync, listReverseEtlSyncs } from "../../app/reverse-etl/syncs.ts";
import { syncInput } from "../../flows/reverse-etl/definitions.ts";
import { readDefinitionFile, workspaceGroup } from "../workspace-group.ts";

export function registerRetlCommand(program: Command): void {
  const { group: retl, run } = workspaceGroup(
    program,
    "retl",
    "Reverse ETL: send warehouse models into apps (docs/reverse-etl.md)",
  );

  retl
    .command("models")
    .description("List models")
    .action((_opts, command: Command) => run(command, (deps, env) => listModels(deps, env)));

  retl
    .command("model-create")
    .description("Save a model (checked on the warehouse with LIMIT 0)")
    .requiredOption("--name <name>", "unique name")
    .requiredOption("--sql <sql>", "one SELECT on the warehouse")
    .requiredOption("--primary-key <column>", "the column that identifies a row")
    .action((opts: { name: string; sql: string; primaryKey: string }, command: Command) =>
      run(command, (deps, env) =>
        createModel(deps, env, { name: opts.name, sql: opts.sql, primary_key: opts.primaryKey }),
      ),
    );

  retl
    .command("syncs")
    .description("List reverse-ETL syncs")
    .action((_opts, command: Command) => run(command, (deps, env) => listReverseEtlSyncs(deps, env)));

  retl
    .command("sync-create")
    .description("Save a reverse-ETL sync from a JSON file (the body of POST /v1/reverse-etl/syncs)")
    .argument("<file>", "JSON file")
    .action((file: string, _opts, command: Command) =>
      run(command, (deps, env) =>
        createReverseEtlSync(
          deps,
          env,
          readDefinitionFile(file, syncInput, "reverse-ETL sync", "docs/reverse-etl.md"),
        ),
      ),
    );

  retl
    .command("run")
    .description("Run a reverse-ETL sync now (or --dry-run: show the diff, write nothing)")
    .argument("<sync-id>")
    .option("--dry-run", "show the diff without writing")
    .action((syncId: string, opts: { dryRun?: boolean }, command: Command) =>
      run(command, (deps, env) => runReverseEtlSync(deps, env, syncId, { dryRun: opts.dryRun === true })),
    );

  retl
    .command("runs")
    .description("A reverse-ETL sync's runs, newest first")
    .argument("<sync-id>")
    .action((syncId: string, _opts, command: Command) =>
      run(command, (deps, env) => listReverseEtlRuns(deps, env, syncId)),
    );

  retl
    .command("rows")
    .description("A run's per-row results")
    .argument("<sync-id>")
    .argument("<run-id>")
    .option("--status <status>", "succeeded, failed or skipped")
    .action((syncId: string, runId: string, opts: { status?: string }, command: Command) =>
      run(command, (deps, env) =>
        listRunRows(deps, env, syncId, runId, {
          ...(opts.status ? { status: opts.status } : {}),
          limit: 1000,
        }),
      ),
    );
}
