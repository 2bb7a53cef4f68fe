/**
 * `switchyard sources …`: embedded reverse ETL from the command line (docs/embedded-reverse-etl.md), on the
 * embedded workspace: sources (defined in a JSON file, the API's body), pushing records from a JSON file,
 * embedded syncs, a run or dry run over every connection, and runs.
 */
import type { Command } from "commander";
import {
  createEmbeddedSync,
  deleteEmbeddedSync,
  listEmbeddedSyncs,
} from "../../app/sources/embedded-syncs.ts";
import { listSourceRecords, pushRecords } from "../../app/sources/records.ts";
import { listEmbeddedRuns, runEmbeddedSync } from "../../app/sources/run.ts";
import { createSource, deleteSource, listSources } from "../../app/sources/sources.ts";
import { embeddedSyncInput, pushInput, sourceInput } from "../../flows/embedded/definitions.ts";
import { readDefinitionFile, workspaceGroup } from "../workspace-group.ts";

const DOC = "docs/embedded-reverse-etl.md";

export function registerSourcesCommand(program: Command): void {
  const { group: sources, run } = workspaceGroup(
    program,
    "sources",
    "Embedded reverse ETL: the product's records into every customer's apps (docs/embedded-reverse-etl.md)",
  );

  sources
    .command("list")
    .description("List sources")
    .action((_opts, command: Command) => run(command, (deps, env) => listSources(deps, env)));

  sources
    .command("create")
    .description("Save a source from a JSON file (the body of POST /v1/sources)")
    .argument("<file>", "JSON file")
    .action((file: string, _opts, command: Command) =>
      run(command, (deps, env) =>
        createSource(deps, env, readDefinitionFile(file, sourceInput, "source", DOC)),
      ),
    );

  sources
    .command("delete")
    .description("Delete a source and its records")
    .argument("<name>")
    .action((name: string, _opts, command: Command) =>
      run(command, (deps, env) => deleteSource(deps, env, name)),
    );

  sources
    .command("push")
    .description(
      "Push a batch of records from a JSON file ({records, deletes}: the body of PUT /v1/sources/{name}/records)",
    )
    .argument("<name>")
    .argument("<file>", "JSON file")
    .action((name: string, file: string, _opts, command: Command) =>
      run(command, (deps, env) =>
        pushRecords(deps, env, name, readDefinitionFile(file, pushInput, "batch of records", DOC)),
      ),
    );

  sources
    .command("records")
    .description("A page of a source's records, in key order")
    .argument("<name>")
    .option("--limit <n>", "records per page", "100")
    .option("--after <id>", "the `next` of the previous page")
    .action((name: string, opts: { limit: string; after?: string }, command: Command) =>
      run(command, (deps, env) =>
        listSourceRecords(deps, env, name, {
          limit: Math.min(Math.max(Number.parseInt(opts.limit, 10) || 100, 1), 1000),
          ...(opts.after !== undefined ? { after: opts.after } : {}),
        }),
      ),
    );

  sources
    .command("syncs")
    .description("List embedded syncs")
    .action((_opts, command: Command) => run(command, (deps, env) => listEmbeddedSyncs(deps, env)));

  sources
    .command("sync-create")
    .description("Save an embedded sync from a JSON file (the body of POST /v1/embedded-syncs)")
    .argument("<file>", "JSON file")
    .action((file: string, _opts, command: Command) =>
      run(command, (deps, env) =>
        createEmbeddedSync(deps, env, readDefinitionFile(file, embeddedSyncInput, "embedded sync", DOC)),
      ),
    );

  sources
    .command("sync-delete")
    .description("Delete an embedded sync (with its snapshots and runs)")
    .argument("<sync-id>")
    .action((syncId: string, _opts, command: Command) =>
      run(command, async (deps, env) => {
        await deleteEmbeddedSync(deps, env, syncId);
        return { id: syncId, deleted: true };
      }),
    );

  sources
    .command("run")
    .description(
      "Run an embedded sync now over every connection (or --dry-run: show the diffs, write nothing)",
    )
    .argument("<sync-id>")
    .option("--dry-run", "show the diffs without writing")
    .action((syncId: string, opts: { dryRun?: boolean }, command: Command) =>
      run(command, (deps, env) => runEmbeddedSync(deps, env, syncId, { dryRun: opts.dryRun === true })),
    );

  sources
    .command("runs")
    .description("An embedded sync's runs (one per connection per run), newest first")
    .argument("<sync-id>")
    .action((syncId: string, _opts, command: Command) =>
      run(command, (deps, env) => listEmbeddedRuns(deps, env, syncId)),
    );
}
