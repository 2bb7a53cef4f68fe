/**
 * `switchyard flows …`: app-to-app flows from the command line (docs/flows.md), on the embedded workspace:
 * list, create from a JSON file (the API's body), load a defineFlow module, run now, runs and per-row results.
 */
import type { Command } from "commander";
import { loadFlowsModule } from "../../app/flows/code-flows.ts";
import { createFlow, listFlows } from "../../app/flows/flows.ts";
import { runFlow } from "../../app/flows/run.ts";
import { listFlowRunRows, listFlowRuns } from "../../app/flows/runs.ts";
import { flowInput } from "../../flows/app-to-app/definitions.ts";
import { readDefinitionFile, workspaceGroup } from "../workspace-group.ts";

export function registerFlowsCommand(program: Command): void {
  const { group: flows, run } = workspaceGroup(
    program,
    "flows",
    "App-to-app flows between two connections of one end user (docs/flows.md)",
  );

  flows
    .command("list")
    .description("List flows")
    .action((_opts, command: Command) => run(command, (deps, env) => listFlows(deps, env)));

  flows
    .command("create")
    .description("Save a flow from a JSON file (the body of POST /v1/flows)")
    .argument("<file>", "JSON file")
    .action((file: string, _opts, command: Command) =>
      run(command, (deps, env) =>
        createFlow(deps, env, readDefinitionFile(file, flowInput, "flow", "docs/flows.md")),
      ),
    );

  flows
    .command("load")
    .description("Save the code-first flows (defineFlow) a TypeScript module exports")
    .argument("<module>", "a .ts or .js file")
    .action((file: string, _opts, command: Command) =>
      run(command, (deps, env) => loadFlowsModule(deps, env, file)),
    );

  flows
    .command("run")
    .description("Run a flow now")
    .argument("<flow>", "its id or name")
    .action((flow: string, _opts, command: Command) =>
      run(command, (deps, env) => runFlow(deps, env, flow, { trigger: "cli" })),
    );

  flows
    .command("runs")
    .description("A flow's runs, newest first, with their counts")
    .argument("<flow>", "its id or name")
    .action((flow: string, _opts, command: Command) =>
      run(command, (deps, env) => listFlowRuns(deps, env, flow)),
    );

  flows
    .command("rows")
    .description("A run's per-row results")
    .argument("<flow>", "its id or name")
    .argument("<run-id>")
    .option("--status <status>", "succeeded or failed")
    .action((flow: string, runId: string, opts: { status?: string }, command: Command) =>
      run(command, (deps, env) =>
        listFlowRunRows(deps, env, flow, runId, opts.status ? { status: opts.status } : {}),
      ),
    );
}
