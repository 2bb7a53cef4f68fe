/**
 * Code-first flows: `defineFlow({ name, from, to, filter, map })` in a TypeScript module, run by the same
 * engine as declared flows (same links, cursors, retries, runs and per-row results). `filter` and `map` may
 * be the declarative clauses and rules, or functions of the source record. The declarative parts are checked
 * with zod when the module loads, as the provider kit checks a provider's declaration.
 */
import { z } from "zod";
import { type FieldRule, type FilterClause, flowInput } from "./definitions.ts";

type Source = Readonly<Record<string, unknown>>;

/** A code-first map: the target's input fields of one source record (`{ name: …, email: … }`). */
export type MapFunction = (record: Source) => Record<string, unknown>;
export type FilterFunction = (record: Source) => boolean;

export interface FlowSpec {
  name: string;
  from: z.input<typeof flowInput>["from"];
  to: z.input<typeof flowInput>["to"];
  filter?: z.input<typeof flowInput>["filter"] | FilterFunction;
  map: z.input<typeof flowInput>["mapping"] | MapFunction;
  schedule?: string;
  on_change?: boolean;
  enabled?: boolean;
}

export const CODE_FLOW = Symbol.for("switchyard.flow");

export interface CodeFlow {
  readonly [CODE_FLOW]: true;
  readonly name: string;
  /** The declarative part, as stored (a function's place holds an empty list). */
  readonly definition: z.infer<typeof codeFlowDefinition>;
  readonly mapFunction: MapFunction | undefined;
  readonly filterFunction: FilterFunction | undefined;
}

/** A stored flow definition whose map or filter may live in code (then its list is empty). */
export const codeFlowDefinition = flowInput.extend({
  mapping: z.array(flowInput.shape.mapping.element).max(500),
});

/** Checks a code-first flow now (throws naming what is wrong) and returns it for the engine. */
export function defineFlow(spec: FlowSpec): CodeFlow {
  const mapFunction = typeof spec.map === "function" ? spec.map : undefined;
  const filterFunction = typeof spec.filter === "function" ? spec.filter : undefined;
  const parsed = codeFlowDefinition.safeParse({
    name: spec.name,
    from: spec.from,
    to: spec.to,
    filter: filterFunction ? [] : (spec.filter ?? []),
    mapping: mapFunction ? [] : spec.map,
    ...(spec.schedule !== undefined ? { schedule: spec.schedule } : {}),
    ...(spec.on_change !== undefined ? { on_change: spec.on_change } : {}),
    ...(spec.enabled !== undefined ? { enabled: spec.enabled } : {}),
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(flow)"}: ${i.message}`);
    throw new Error(`defineFlow "${spec.name}": ${problems.join("; ")}`);
  }
  if (!mapFunction && parsed.data.mapping.length === 0)
    throw new Error(`defineFlow "${spec.name}": map is empty; give rules or a function.`);
  return Object.freeze({
    [CODE_FLOW]: true as const,
    name: parsed.data.name,
    definition: parsed.data,
    mapFunction,
    filterFunction,
  });
}

export function isCodeFlow(value: unknown): value is CodeFlow {
  return typeof value === "object" && value !== null && (value as CodeFlow)[CODE_FLOW] === true;
}

export type { FieldRule, FilterClause };
