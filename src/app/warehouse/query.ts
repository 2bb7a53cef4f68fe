import type { Kysely } from "kysely";
import { SwitchyardError } from "../../core/index.ts";
import { queryWarehouse, type WarehouseQueryResult } from "../../destinations/duckdb/query.ts";
import { connectionIdsIn, type Database } from "../../store/index.ts";

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

/**
 * Warehouse queries running at once in this process. Each takes a DuckDB of its own (one thread, up to
 * 512 MB), so the cap protects this process's CPU and memory; it is per process on purpose.
 */
const MAX_CONCURRENT_QUERIES = 4;
let running = 0;

export interface EnvironmentQuery {
  sql: string;
  maxRows?: number;
  timeoutMs?: number;
  /** Only the result's columns are wanted: copy no rows (see WarehouseQuery.schemaOnly). */
  schemaOnly?: boolean;
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
  if (running >= MAX_CONCURRENT_QUERIES) {
    throw new SwitchyardError(
      "rate_limited",
      `${MAX_CONCURRENT_QUERIES} warehouse queries are running already.`,
      {
        hint: "Retry in a moment, when one of them has finished.",
      },
    );
  }
  const { maxRows, timeoutMs } = WAREHOUSE_QUERY_LIMITS;
  running++;
  try {
    return await queryWarehouse({
      path: warehouse.path,
      connectionIds: await connectionIdsIn(db, environmentId),
      sql: query.sql,
      maxRows: Math.min(query.maxRows ?? maxRows.default, maxRows.max),
      timeoutMs: Math.min(query.timeoutMs ?? timeoutMs.default, timeoutMs.max),
      ...(query.schemaOnly ? { schemaOnly: true } : {}),
      ...(warehouse.whileReleased ? { whileReleased: warehouse.whileReleased.bind(warehouse) } : {}),
    });
  } finally {
    running--;
  }
}
