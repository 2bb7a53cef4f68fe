/** A flow's runs, newest first, and a run's per-row results. */
import { NotFoundError } from "../../core/index.ts";
import { type FlowRunRowsTable, flowDb } from "../../flows/app-to-app/store.ts";
import { getFlow } from "./flows.ts";
import { type FlowRun, toRun } from "./run.ts";
import type { FlowDeps } from "./sides.ts";

export async function listFlowRuns(
  deps: Pick<FlowDeps, "db">,
  environmentId: string,
  flowId: string,
  limit = 50,
): Promise<FlowRun[]> {
  const flow = await getFlow(deps, environmentId, flowId);
  const rows = await flowDb(deps.db)
    .selectFrom("flow_runs")
    .selectAll()
    .where("flow_id", "=", flow.id)
    .orderBy("started_at", "desc")
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
  return rows.map(toRun);
}

/** One row's result: the side written, the record (of the other side) that caused it, what happened. */
export type FlowRowResult = Omit<FlowRunRowsTable, "run_id">;

export async function listFlowRunRows(
  deps: Pick<FlowDeps, "db">,
  environmentId: string,
  flowId: string,
  runId: string,
  options: { status?: string; limit?: number } = {},
): Promise<FlowRowResult[]> {
  const flow = await getFlow(deps, environmentId, flowId);
  const db = flowDb(deps.db);
  const run = await db
    .selectFrom("flow_runs")
    .select("id")
    .where("id", "=", runId)
    .where("flow_id", "=", flow.id)
    .executeTakeFirst();
  if (!run) throw new NotFoundError("Flow run", runId);
  let query = db
    .selectFrom("flow_run_rows")
    .select(["side", "pk", "operation", "status", "remote_id", "message", "at"])
    .where("run_id", "=", runId);
  if (options.status) query = query.where("status", "=", options.status);
  return query
    .orderBy("side")
    .orderBy("pk")
    .limit(options.limit ?? 100)
    .execute();
}
