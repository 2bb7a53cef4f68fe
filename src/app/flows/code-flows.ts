/**
 * Loading code-first flows: a TypeScript (or JavaScript) module whose exports include `defineFlow(…)`
 * values, as a code-first provider is a module checked when it loads (docs/provider-kit.md). Loading saves
 * each flow by name; a run of a code-first flow imports its module again (once per process) for its map and
 * filter functions.
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigError } from "../../core/index.ts";
import { type CodeFlow, isCodeFlow } from "../../flows/app-to-app/define-flow.ts";
import { type Flow, saveCodeFlow } from "./flows.ts";
import type { FlowDeps } from "./sides.ts";

const loaded = new Map<string, Promise<CodeFlow[]>>();

/** The flows a module exports (default export, named exports, or a list of them). */
export function flowsOfModule(path: string): Promise<CodeFlow[]> {
  const absolute = resolve(path);
  let flows = loaded.get(absolute);
  if (!flows) {
    flows = import(pathToFileURL(absolute).href).then(
      (module: Record<string, unknown>) => {
        const found = Object.values(module).flatMap((value) => (Array.isArray(value) ? value : [value]));
        return found.filter(isCodeFlow);
      },
      (error: unknown) => {
        loaded.delete(absolute);
        throw new ConfigError(
          `Cannot load flows from ${path}: ${error instanceof Error ? error.message : String(error)}`,
          "Pass a module exporting defineFlow(…) values (docs/flows.md).",
        );
      },
    );
    loaded.set(absolute, flows);
  }
  return flows;
}

/** Saves every flow of the module in the environment; the saved flows. */
export async function loadFlowsModule(deps: FlowDeps, environmentId: string, path: string): Promise<Flow[]> {
  const flows = await flowsOfModule(path);
  if (flows.length === 0)
    throw new ConfigError(
      `${path} exports no flow.`,
      "Export the values defineFlow(…) returns (docs/flows.md).",
    );
  const saved: Flow[] = [];
  for (const flow of flows)
    saved.push(
      await saveCodeFlow(deps, environmentId, flow.definition, resolve(path), flow.mapFunction !== undefined),
    );
  return saved;
}

/** The code of a code-first flow, from its module. */
export async function codeOf(flow: Flow): Promise<CodeFlow> {
  const code = flow.module ? (await flowsOfModule(flow.module)).find((f) => f.name === flow.name) : undefined;
  if (!code)
    throw new ConfigError(
      `Flow "${flow.name}" is code-first, and ${flow.module ?? "its module"} no longer exports it.`,
      "Load the flows module again (switchyard flows load <file>), or delete the flow.",
    );
  return code;
}
