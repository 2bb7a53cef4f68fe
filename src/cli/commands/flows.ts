/**
 * `switchyard flows …`: app-to-app flows from the command line (docs/flows.md), on the embedded workspace:
 * list, create from a JSON file (the API's body), load a defineFlow module, run now, runs and per-row results.
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { loadFlowsModule } from "../../app/flows/code-flows.ts";
import { createFlow, listFlows } from "../../app/flows/flows.ts";
import { runFlow } from "../../app/flows/run.ts";
import { listFlowRunRows, listFlowRuns } from "../../app/flows/runs.ts";
import { openWorkspace } from "../../app/workspace.ts";
import { ConfigError } from "../../core/index.ts";
import { flowInput } from "../../flows/app-to-app/definitions.ts";
import { providers } from "../../providers/registry.ts";
import { unifiedMappers } from "../../providers/unified-mappers.ts";
import { unifiedWriters } from "../../providers/unified-writers.ts";
import { environmentNamed } from "../environments.ts";
import { printJson } from "../output.ts";

interface Flags {
  environment: string;
  dataDir?: string;
}

type Deps = Parameters<typeof runFlow>[0];

/** Runs `work` with the workspace's deps and the environment's id, printing its answer as JSON. */
async function withWorkspace(
  flags: Flags,
  work: (deps: Deps, environmentId: string) => Promise<unknown>,
): Promise<void> {
  const workspace = await openWorkspace({ ...(flags.dataDir ? { dataDir: flags.dataDir } : {}) });
  try {
    const environment = await environmentNamed(workspace.store.db, flags.environment);
    const deps = {
      db: workspace.store.db,
      vault: workspace.vault,
      providers,
      mappers: unifiedMappers,
      writers: unifiedWriters,
    };
    printJson(await work(deps, environment.id));
  } finally {
    await workspace.close();
  }
}

/** The flow definition in a JSON file, checked like the API's body. */
function readFlowFile(path: string) {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ConfigError(
      `Cannot read ${path} as JSON: ${(error as Error).message}`,
      "Pass a JSON file with the flow's definition (docs/flows.md).",
    );
  }
  const parsed = flowInput.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new ConfigError(`${path} is not a flow definition: ${issues}`, "See docs/flows.md for its fields.");
  }
  return parsed.data;
}

export function registerFlowsCommand(program: Command): void {
  const flows = program
    .command("flows")
    .description("App-to-app flows between two connections of one end user (docs/flows.md)")
    .option("--environment <name>", "the environment", "dev")
    .option("--data-dir <dir>", "embedded data directory (default: ./.switchyard)");
  const flagsOf = (command: Command) => command.optsWithGlobals<Flags>();

  flows
    .command("list")
    .description("List flows")
    .action((_opts, command: Command) =>
      withWorkspace(flagsOf(command), (deps, env) => listFlows(deps, env)),
    );

  flows
    .command("create")
    .description("Save a flow from a JSON file (the body of POST /v1/flows)")
    .argument("<file>", "JSON file")
    .action((file: string, _opts, command: Command) =>
      withWorkspace(flagsOf(command), (deps, env) => createFlow(deps, env, readFlowFile(file))),
    );

  flows
    .command("load")
    .description("Save the code-first flows (defineFlow) a TypeScript module exports")
    .argument("<module>", "a .ts or .js file")
    .action((file: string, _opts, command: Command) =>
      withWorkspace(flagsOf(command), (deps, env) => loadFlowsModule(deps, env, file)),
    );

  flows
    .command("run")
    .description("Run a flow now")
    .argument("<flow>", "its id or name")
    .action((flow: string, _opts, command: Command) =>
      withWorkspace(flagsOf(command), (deps, env) => runFlow(deps, env, flow, { trigger: "cli" })),
    );

  flows
    .command("runs")
    .description("A flow's runs, newest first, with their counts")
    .argument("<flow>", "its id or name")
    .action((flow: string, _opts, command: Command) =>
      withWorkspace(flagsOf(command), (deps, env) => listFlowRuns(deps, env, flow)),
    );

  flows
    .command("rows")
    .description("A run's per-row results")
    .argument("<flow>", "its id or name")
    .argument("<run-id>")
    .option("--status <status>", "succeeded or failed")
    .action((flow: string, runId: string, opts: { status?: string }, command: Command) =>
      withWorkspace(flagsOf(command), (deps, env) =>
        listFlowRunRows(deps, env, flow, runId, opts.status ? { status: opts.status } : {}),
      ),
    );
}
