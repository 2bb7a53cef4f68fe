/**
 * The pieces shared by command groups that work on the embedded workspace of one environment (`switchyard
 * retl …`, `switchyard flows …`): the group's `--environment` and `--data-dir` options, opening the workspace
 * around a piece of work whose answer is printed as JSON, and reading a definition from a JSON file checked
 * against the API's own body schema.
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import type { z } from "zod";
import { openWorkspace } from "../app/workspace.ts";
import { ConfigError } from "../core/index.ts";
import { providers } from "../providers/registry.ts";
import { unifiedMappers } from "../providers/unified-mappers.ts";
import { unifiedWriters } from "../providers/unified-writers.ts";
import { environmentNamed } from "./environments.ts";
import { printJson } from "./output.ts";

interface GroupFlags {
  environment: string;
  dataDir?: string;
}

/** What the group's use cases take: the store, the vault, the registries and the warehouse. */
export type WorkspaceDeps = Awaited<ReturnType<typeof depsOf>>;

function depsOf(workspace: Awaited<ReturnType<typeof openWorkspace>>) {
  return {
    db: workspace.store.db,
    vault: workspace.vault,
    providers,
    mappers: unifiedMappers,
    writers: unifiedWriters,
    warehouse: { path: workspace.warehousePath },
  };
}

/** Adds the group `name` with its workspace options; `run` opens the workspace for one subcommand's work. */
export function workspaceGroup(program: Command, name: string, description: string) {
  const group = program
    .command(name)
    .description(description)
    .option("--environment <name>", "the environment", "dev")
    .option("--data-dir <dir>", "embedded data directory (default: ./.switchyard)");
  /** Runs `work` with the deps and the environment's id, prints its answer as JSON, closes the workspace. */
  async function run(
    command: Command,
    work: (deps: WorkspaceDeps, environmentId: string) => Promise<unknown>,
  ): Promise<void> {
    const flags = command.optsWithGlobals<GroupFlags>();
    const workspace = await openWorkspace({ ...(flags.dataDir ? { dataDir: flags.dataDir } : {}) });
    try {
      const environment = await environmentNamed(workspace.store.db, flags.environment);
      printJson(await work(depsOf(workspace), environment.id));
    } finally {
      await workspace.close();
    }
  }
  return { group, run };
}

/** The definition in the JSON file at `path`, checked by `schema`; `what` and `doc` name it in errors. */
export function readDefinitionFile<S extends z.ZodType>(
  path: string,
  schema: S,
  what: string,
  doc: string,
): z.infer<S> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ConfigError(
      `Cannot read ${path} as JSON: ${(error as Error).message}`,
      `Pass a JSON file with the ${what}'s definition (${doc}).`,
    );
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new ConfigError(`${path} is not a ${what} definition: ${issues}`, `See ${doc} for its fields.`);
  }
  return parsed.data;
}
