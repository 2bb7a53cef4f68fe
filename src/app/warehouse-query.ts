import type { Kysely } from "kysely";
import { SwitchyardError } from "../core/index.ts";
import { queryWarehouse, type WarehouseQueryResult } from "../destinations/duckdb/query.ts";
import { connectionIdsIn, type Database } from "../store/index.ts";

/** The warehouse a process can query: its file, and how to step around this process's own writer. */
export interface WarehouseAccess {
  readonly path: string;
  /** The process's DuckDB destination on that file, if it has one (DuckDbDestination.whileReleased). */
  whileReleased?<T>(work: () => Promise<T>): Promise<T>;
}

/** Bounds of one query: rows returned and time taken, by default and at most. */
export const WAREHOUSE_QUERY_LIMITS = {
  maxRows: { default: 1_000, max: 10_000 },
  timeoutMs: { default: 10_000, max: 60_000 },
} as const;

export interface EnvironmentQuery {
  sql: string;
  maxRows?: number;
  timeoutMs?: number;
}

/**
 * Runs one read-only SELECT on the warehouse, seeing only the rows of this environment's connections
 * (see destinations/duckdb/query.ts for how). Refusals and SQL errors are argument_invalid; a warehouse
 * busy past the wait is conflict.
 */
export async function queryEnvironmentWarehouse(
  db: Kysely<Database>,
  warehouse: WarehouseAccess | undefined,
  environmentId: string,
  query: EnvironmentQuery,
): Promise<WarehouseQueryResult> {
  if (!warehouse) {
    throw new SwitchyardError("not_found", "This Switchyard has no warehouse to query.", {
      hint: "Run the server with a DuckDB warehouse (npm start has one), or query the warehouse with `switchyard sql`.",
    });
  }
  const { maxRows, timeoutMs } = WAREHOUSE_QUERY_LIMITS;
  return queryWarehouse({
    path: warehouse.path,
    connectionIds: await connectionIdsIn(db, environmentId),
    sql: query.sql,
    maxRows: Math.min(query.maxRows ?? maxRows.default, maxRows.max),
    timeoutMs: Math.min(query.timeoutMs ?? timeoutMs.default, timeoutMs.max),
    ...(warehouse.whileReleased ? { whileReleased: warehouse.whileReleased.bind(warehouse) } : {}),
  });
}
