/**
 * Saving app-to-app flows. A flow is checked whole when saved: both connections in the environment and of
 * the same end user, what each side reads (stream or Common Model), every mapped field against the target's
 * field list (the actions' input schemas or the unified writer's fields), the filter, the conflict policy and
 * the schedule. Code-first flows (defineFlow) are saved the same way, by name, with the module they live in.
 */
import { NotFoundError, RequestInvalidError, SwitchyardError } from "../../core/index.ts";
import { codeFlowDefinition } from "../../flows/app-to-app/define-flow.ts";
import type { FlowInput, SideName } from "../../flows/app-to-app/definitions.ts";
import { checkClause } from "../../flows/app-to-app/filter.ts";
import { deleteFlowData, type FlowsTable, flowDb } from "../../flows/app-to-app/store.ts";
import { nextRunAfter, parseFrequency } from "../../scheduler/frequency.ts";
import { newId, nowIso } from "../../store/index.ts";
import { type FlowDeps, readSide, sideConnection, writeSide } from "./sides.ts";

export interface Flow extends FlowInput {
  id: string;
  source: "api" | "code";
  /** A code-first flow's module (its map or filter function runs from there). */
  module: string | null;
  next_run_at: string | null;
  created_at: string;
  updated_at: string;
}

function invalid(path: string, message: string, hint: string): RequestInvalidError {
  return new RequestInvalidError([{ location: "body", path, message }], hint);
}

/** Checks the flow against what it names; throws request_invalid / not_found saying what to fix. */
export async function checkFlow(
  deps: FlowDeps,
  environmentId: string,
  input: FlowInput,
  options: { codeMap?: boolean } = {},
): Promise<void> {
  const from = await sideConnection(deps, environmentId, input.from);
  const to = await sideConnection(deps, environmentId, input.to);
  if (from.id === to.id)
    throw invalid(
      "to.connection_id",
      "A flow moves records between two connections; both sides name one.",
      "Name another connection in `to`.",
    );
  if (from.end_user_id !== to.end_user_id)
    throw invalid(
      "to.connection_id",
      `The connections belong to different end users (${from.end_user_id ?? "none"} and ${to.end_user_id ?? "none"}).`,
      "A flow moves one end user's records between their own apps; pick two connections of the same end user.",
    );
  readSide(deps, from, input.from);
  const target = writeSide(deps, to, input.to);
  const twoWay = input.direction === "two_way";
  if (twoWay) readSide(deps, to, input.to);
  const back = twoWay ? writeSide(deps, from, input.from) : undefined;
  if (twoWay && options.codeMap)
    throw invalid(
      "map",
      "A two-way flow needs declarative mapping rules.",
      "Give `map` as rules, not a function.",
    );
  input.mapping.forEach((rule, i) => {
    const problem = target.checkField(rule.to);
    if (problem)
      throw invalid(
        `mapping.${i}.to`,
        `${target.describe}: ${problem}.`,
        "Map onto the fields the target takes.",
      );
    if (!twoWay) return;
    if (!rule.from)
      throw invalid(
        `mapping.${i}.from`,
        "A two-way rule reads a field on both sides.",
        "Give the rule a `from` field.",
      );
    if ((rule.transforms ?? []).some((t) => t.op === "concat"))
      throw invalid(
        `mapping.${i}.transforms`,
        "concat cannot be written back in a two-way flow.",
        "Map the fields one by one.",
      );
    const backProblem = back!.checkField(rule.from_write ?? rule.from);
    if (backProblem)
      throw invalid(
        `mapping.${i}.from_write`,
        `${back!.describe}: ${backProblem}.`,
        "Set `from_write` to the source's input field the value is written back into.",
      );
  });
  if (input.on_delete === "delete")
    for (const [name, side] of [
      ["to", target],
      ["from", back],
    ] as const) {
      if (side?.cannotDelete)
        throw invalid(
          `${name}.target.delete`,
          `on_delete is "delete", and ${side.describe} cannot delete.`,
          'Name the delete action in the target (`"delete": "delete_…"`), or set on_delete to "keep".',
        );
    }
  const keys = input.mapping.map((rule) => rule.to);
  const repeated = keys.find((key, i) => keys.indexOf(key) !== i);
  if (repeated) throw invalid("mapping", `Two rules fill "${repeated}".`, "Map each target field once.");
  for (const [name, clauses] of [
    ["filter", input.filter],
    ["to_filter", input.to_filter],
  ] as const) {
    clauses.forEach((clause, i) => {
      const problem = checkClause(clause);
      if (problem) throw invalid(`${name}.${i}.value`, `${clause.field}: ${problem}.`, "Fix the clause.");
    });
  }
  if (input.conflict.policy === "source_of_truth")
    for (const field of Object.keys(input.conflict.fields))
      if (!keys.includes(field))
        throw invalid(
          `conflict.fields.${field}`,
          `No mapping rule fills "${field}".`,
          `Name rules by their \`to\`: ${keys.join(", ")}.`,
        );
  if (input.schedule !== undefined) parseFrequency(input.schedule);
}

/** Saves a new flow (checked first); its first scheduled run is due one period from now (run it now with runFlow). */
export async function createFlow(
  deps: FlowDeps,
  environmentId: string,
  input: FlowInput,
  options: { source?: "api" | "code"; module?: string; codeMap?: boolean } = {},
): Promise<Flow> {
  await checkFlow(deps, environmentId, input, options);
  const db = flowDb(deps.db);
  const taken = await db
    .selectFrom("flows")
    .select("id")
    .where("environment_id", "=", environmentId)
    .where("name", "=", input.name)
    .executeTakeFirst();
  if (taken)
    throw new SwitchyardError("conflict", `A flow named "${input.name}" exists already (${taken.id}).`, {
      hint: "Pick another name, or delete that flow first.",
    });
  const now = nowIso();
  const row: FlowsTable = {
    id: newId("flow"),
    environment_id: environmentId,
    name: input.name,
    definition: JSON.stringify(input),
    source: options.source ?? "api",
    module: options.module ?? null,
    from_connection_id: input.from.connection_id,
    to_connection_id: input.to.connection_id,
    enabled: input.enabled ? 1 : 0,
    next_run_at: firstRunAt(input.schedule, now),
    created_at: now,
    updated_at: now,
  };
  await db.insertInto("flows").values(row).execute();
  return toFlow(row);
}

/** Saves a code-first flow by name: created, or its definition replaced (its links and cursors stay). */
export async function saveCodeFlow(
  deps: FlowDeps,
  environmentId: string,
  definition: FlowInput,
  module: string,
  codeMap: boolean,
): Promise<Flow> {
  const db = flowDb(deps.db);
  const existing = await db
    .selectFrom("flows")
    .selectAll()
    .where("environment_id", "=", environmentId)
    .where("name", "=", definition.name)
    .executeTakeFirst();
  if (!existing) return createFlow(deps, environmentId, definition, { source: "code", module, codeMap });
  await checkFlow(deps, environmentId, definition, { codeMap });
  const changes = {
    definition: JSON.stringify(definition),
    source: "code",
    module,
    from_connection_id: definition.from.connection_id,
    to_connection_id: definition.to.connection_id,
    enabled: definition.enabled ? 1 : 0,
    next_run_at: definition.schedule
      ? (existing.next_run_at ?? firstRunAt(definition.schedule, nowIso()))
      : null,
    updated_at: nowIso(),
  };
  await db.updateTable("flows").set(changes).where("id", "=", existing.id).execute();
  return toFlow({ ...existing, ...changes });
}

function firstRunAt(schedule: string | undefined, now: string): string | null {
  const next = schedule ? nextRunAfter(parseFrequency(schedule), new Date(now)) : null;
  return next ? next.toISOString() : null;
}

export async function getFlow(deps: Pick<FlowDeps, "db">, environmentId: string, id: string): Promise<Flow> {
  const row = await flowDb(deps.db)
    .selectFrom("flows")
    .selectAll()
    .where("environment_id", "=", environmentId)
    .where((eb) => eb.or([eb("id", "=", id), eb("name", "=", id)]))
    .executeTakeFirst();
  if (!row) throw new NotFoundError("Flow", id);
  return toFlow(row);
}

export async function listFlows(deps: Pick<FlowDeps, "db">, environmentId: string): Promise<Flow[]> {
  const rows = await flowDb(deps.db)
    .selectFrom("flows")
    .selectAll()
    .where("environment_id", "=", environmentId)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  return rows.map(toFlow);
}

/** Deletes the flow with its links, cursors, runs and results; nothing in either app is touched. */
export async function deleteFlow(
  deps: Pick<FlowDeps, "db">,
  environmentId: string,
  id: string,
): Promise<void> {
  const flow = await getFlow(deps, environmentId, id);
  await deleteFlowData(flowDb(deps.db), flow.id);
}

/** Moves a scheduled flow's next run after `from` (none for a flow without a schedule). */
export async function scheduleNextRun(deps: Pick<FlowDeps, "db">, flow: Flow, from: Date): Promise<void> {
  const next = flow.schedule ? nextRunAfter(parseFrequency(flow.schedule), from) : null;
  await flowDb(deps.db)
    .updateTable("flows")
    .set({ next_run_at: next ? next.toISOString() : null })
    .where("id", "=", flow.id)
    .execute();
}

export function toFlow(row: FlowsTable): Flow {
  const definition = codeFlowDefinition.parse(JSON.parse(row.definition));
  return {
    id: row.id,
    ...definition,
    source: row.source === "code" ? "code" : "api",
    module: row.module,
    next_run_at: row.next_run_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export type { SideName };
