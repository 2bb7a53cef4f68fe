import type { Command } from "commander";
import { queryEnvironmentWarehouse, WAREHOUSE_QUERY_LIMITS } from "../../app/warehouse/query.ts";
import { openWorkspace } from "../../app/workspace.ts";
import type { WarehouseQueryResult } from "../../destinations/duckdb/query.ts";
import { environmentNamed } from "../environments.ts";
import { printJson } from "../output.ts";
import { positiveInt } from "../parse.ts";

interface SqlFlags {
  environment: string;
  duckdb?: string;
  dataDir?: string;
  maxRows?: number;
  timeoutMs?: number;
  json?: boolean;
}

const { maxRows, timeoutMs } = WAREHOUSE_QUERY_LIMITS;

/** `switchyard sql "SELECT …"`: one read-only query on the warehouse file, seeing one environment's rows. */
export function registerSqlCommand(program: Command): void {
  program
    .command("sql")
    .description("Query the DuckDB warehouse, read-only, as one environment sees it (docs/warehouse.md)")
    .argument("<query>", 'one SELECT, e.g. "SELECT count(*) FROM <provider>_<stream>"')
    .option("--environment <name>", "whose connections' rows the query sees", "dev")
    .option("--duckdb <file>", "DuckDB file to read (default: <data-dir>/warehouse.duckdb)")
    .option("--data-dir <dir>", "embedded data directory (default: ./.switchyard)")
    .option(
      "--max-rows <n>",
      `rows to print at most (default ${maxRows.default}, up to ${maxRows.max})`,
      positiveInt("--max-rows"),
    )
    .option(
      "--timeout-ms <n>",
      `stop the query after this long (default ${timeoutMs.default}, up to ${timeoutMs.max})`,
      positiveInt("--timeout-ms"),
    )
    .option("--json", "print columns and rows as JSON")
    .action(async (query: string, flags: SqlFlags) => {
      const workspace = await openWorkspace({ ...(flags.dataDir ? { dataDir: flags.dataDir } : {}) });
      try {
        const environment = await environmentNamed(workspace.store.db, flags.environment);
        const result = await queryEnvironmentWarehouse(
          workspace.store.db,
          { path: flags.duckdb ?? workspace.warehousePath },
          environment.id,
          {
            sql: query,
            ...(flags.maxRows ? { maxRows: flags.maxRows } : {}),
            ...(flags.timeoutMs ? { timeoutMs: flags.timeoutMs } : {}),
          },
        );
        if (flags.json) printJson({ ...result, row_count: result.rows.length });
        else process.stdout.write(formatResult(result));
      } finally {
        await workspace.close();
      }
    });
}

/** Longest a cell is printed; longer values end in "…" (--json prints them whole). */
const CELL_WIDTH = 60;

/** The result as an aligned text table, with a row count and a note when rows were left out. */
export function formatResult(result: WarehouseQueryResult): string {
  const names = result.columns.map((column) => column.name);
  const cells = result.rows.map((row) => names.map((name) => cellText(row[name])));
  const widths = names.map((name, i) => Math.max(name.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[]) =>
    `${values
      .map((value, i) => value.padEnd(widths[i]!))
      .join("  ")
      .trimEnd()}\n`;
  const count = `(${result.rows.length} row${result.rows.length === 1 ? "" : "s"}${
    result.truncated ? "; more were left out: raise --max-rows or narrow the query" : ""
  })\n`;
  return [line(names), line(widths.map((width) => "-".repeat(width))), ...cells.map(line), count].join("");
}

function cellText(value: unknown): string {
  const text =
    value === null || value === undefined
      ? "NULL"
      : typeof value === "string"
        ? value
        : JSON.stringify(value);
  const flat = text.replaceAll(/\s+/g, " ");
  return flat.length > CELL_WIDTH ? `${flat.slice(0, CELL_WIDTH - 1)}…` : flat;
}
