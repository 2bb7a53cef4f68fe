/** Read-only SQL on the warehouse, limited to the caller's environment's rows (docs/warehouse.md). */
import { z } from "zod";
import { queryEnvironmentWarehouse, WAREHOUSE_QUERY_LIMITS } from "../../app/warehouse/query.ts";
import { defineRoute } from "../route.ts";

const { maxRows, timeoutMs } = WAREHOUSE_QUERY_LIMITS;

export const warehouseQueryResultSchema = z
  .object({
    columns: z.array(z.object({ name: z.string(), type: z.string().describe("DuckDB type, e.g. VARCHAR.") })),
    rows: z
      .array(z.record(z.string(), z.json()))
      .describe(
        "Rows as objects by column name; BIGINT and DECIMAL come as strings, timestamps as ISO-8601 text.",
      ),
    row_count: z.number().int(),
    truncated: z
      .boolean()
      .describe("True when the query had more rows than `max_rows`; only the first are here."),
  })
  .meta({ id: "WarehouseQueryResult" });

export const queryWarehouseRoute = defineRoute({
  method: "POST",
  url: "/v1/sql",
  name: "queryWarehouse",
  summary: "Query the warehouse (read-only SQL)",
  description:
    "Runs one SELECT on the DuckDB warehouse. It sees only the rows of this environment's connections: " +
    "each table it names (`hubspot_contacts`, …) holds just those. Writes, several statements, COPY, ATTACH, " +
    "INSTALL, LOAD, SET and file functions such as read_csv are refused (argument_invalid). " +
    `At most \`max_rows\` rows come back (default ${maxRows.default}), and a query is stopped after \`timeout_ms\`.`,
  tags: ["Warehouse"],
  auth: "api_key",
  body: z.strictObject({
    query: z.string().min(1).max(100_000).describe("One SELECT statement."),
    max_rows: z
      .number()
      .int()
      .min(1)
      .max(maxRows.max)
      .optional()
      .describe(`Rows to return at most (default ${maxRows.default}, up to ${maxRows.max}).`),
    timeout_ms: z
      .number()
      .int()
      .min(100)
      .max(timeoutMs.max)
      .optional()
      .describe(`Time allowed in ms (default ${timeoutMs.default}, up to ${timeoutMs.max}).`),
  }),
  response: { 200: warehouseQueryResultSchema },
  errors: ["argument_invalid", "conflict", "not_found"],
  example: { body: { query: "SELECT count(*) AS contacts FROM hubspot_contacts WHERE NOT _deleted" } },
}).handle(async ({ body, caller, deps }) => {
  const result = await queryEnvironmentWarehouse(deps.db, deps.warehouse, caller.environmentId, {
    sql: body.query,
    ...(body.max_rows !== undefined ? { maxRows: body.max_rows } : {}),
    ...(body.timeout_ms !== undefined ? { timeoutMs: body.timeout_ms } : {}),
  });
  return { status: 200, body: { ...result, row_count: result.rows.length } };
});

export const sqlRoutes = [queryWarehouseRoute] as const;
