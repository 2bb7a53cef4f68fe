/** Runs as the platform API sees them: only those of connections in one environment, paginated. */
import type { Kysely } from "kysely";
import { NotFoundError, type RunStatus } from "../../core/index.ts";
import { type Page, pageNewestFirst } from "../cursor.ts";
import type { Database } from "../schema.ts";
import { type Run, toRun } from "./runs.ts";

/** The run with this id if its connection is in this environment, or NotFoundError. */
export async function getRunIn(db: Kysely<Database>, environmentId: string, runId: string): Promise<Run> {
  const row = await db
    .selectFrom("runs")
    .innerJoin("connections", "connections.id", "runs.connection_id")
    .selectAll("runs")
    .where("runs.id", "=", runId)
    .where("connections.environment_id", "=", environmentId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError("Run", runId);
  return toRun(row);
}

/** Pages through an environment's runs, newest first, optionally of one connection, sync or status. */
export async function listRunsIn(
  db: Kysely<Database>,
  environmentId: string,
  filter: { connectionId?: string; syncId?: string; status?: RunStatus; cursor?: string; limit: number },
): Promise<Page<Run>> {
  let query = db
    .selectFrom("runs")
    .innerJoin("connections", "connections.id", "runs.connection_id")
    .selectAll("runs")
    .where("connections.environment_id", "=", environmentId);
  if (filter.connectionId) query = query.where("runs.connection_id", "=", filter.connectionId);
  if (filter.syncId) query = query.where("runs.sync_id", "=", filter.syncId);
  if (filter.status) query = query.where("runs.status", "=", filter.status);
  const page = await pageNewestFirst(query, { at: "runs.started_at", id: "runs.id" }, filter, (row) => [
    row.started_at,
    row.id,
  ]);
  return { items: page.items.map(toRun), nextCursor: page.nextCursor };
}
