/**
 * Read-only queries on the warehouse, limited to some connections' rows. Each query runs in a fresh
 * in-memory DuckDB: the warehouse file is attached READ_ONLY just long enough to copy, from each table the
 * query names, the rows of the allowed connections; then it is detached, file and extension access is
 * switched off and the configuration locked, and only then does the caller's SQL run. So the SQL can see
 * nothing but those copies, whatever it says, and the file is held for the copy only.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type DuckDBConnection,
  type DuckDBDataChunk,
  DuckDBInstance,
  type Json,
  JsonDuckDBValueConverter,
} from "@duckdb/node-api";
import { SwitchyardError } from "../../core/index.ts";
import { causeMessage, retryWhileLocked } from "./errors.ts";
import { META, quoteIdent, quoteLiteral } from "./table-shape.ts";

export interface WarehouseQuery {
  /** The warehouse file; when it does not exist yet, the query sees no tables. */
  path: string;
  /** Only rows of these connections are visible. */
  connectionIds: readonly string[];
  /** One SELECT (WITH … SELECT, FROM …, VALUES and the like included). */
  sql: string;
  /** Rows returned at most; more make `truncated` true. */
  maxRows: number;
  /** Time allowed for copying and running, in ms; then the query is interrupted. */
  timeoutMs: number;
  /** How long to wait while another process writes the file (default 5 s). */
  lockWaitMs?: number;
  /** Memory the query may use (DuckDB syntax, default "512MB"). */
  memoryLimit?: string;
  /**
   * Let the sandbox spill what passes `memoryLimit` (its copy, a large sort) to a private temporary folder,
   * removed afterwards, instead of failing: for long streamed queries (reverse-ETL models), whose memory must
   * stay bounded whatever the model's size.
   */
  spill?: boolean;
  /**
   * Runs the copy while the caller's own process has the file closed (DuckDbDestination.whileReleased):
   * DuckDB's lock does not keep two instances of one process apart.
   */
  whileReleased?: <T>(work: () => Promise<T>) => Promise<T>;
  /**
   * Copy the tables' columns but none of their rows: for a caller that needs only the result's columns
   * (checking a model), so a large table costs nothing to copy.
   */
  schemaOnly?: boolean;
}

export interface WarehouseQueryResult {
  columns: { name: string; type: string }[];
  /** Rows as JSON values: BIGINT and DECIMAL as strings, timestamps as ISO-8601 text, JSON columns as text. */
  rows: Record<string, Json>[];
  /** True when the query had more rows than `maxRows`. */
  truncated: boolean;
}

/** Functions that read files, URLs or other databases; refused by name so the error says why. */
const EXTERNAL_FUNCTION =
  /^(read_\w+|parquet_\w+|iceberg_\w+|delta_\w+|postgres_\w+|sqlite_\w+|mysql_\w+|glob|sniff_csv|getenv|load_extension)$/i;

/** Functions that run SQL or read tables named in a string, which the copy step cannot see. */
const DYNAMIC_FUNCTION = /^(query|query_table)$/i;

const REFUSED_HINT =
  "Send one SELECT (or WITH … SELECT) over the warehouse tables, e.g. SELECT count(*) FROM hubspot_contacts. " +
  "Writes, several statements, COPY, ATTACH, INSTALL, LOAD, PRAGMA/SET and file functions (read_csv…) are refused.";

/** The SQL is not a single read-only SELECT, or does something a warehouse query may not. */
export class WarehouseQueryRefusedError extends SwitchyardError {
  constructor(message: string) {
    super("argument_invalid", message, { hint: REFUSED_HINT });
  }
}

/**
 * Runs one SELECT over the allowed connections' rows of the warehouse and returns at most `maxRows` rows.
 * Throws WarehouseQueryRefusedError (argument_invalid) for anything but one SELECT, argument_invalid when
 * the SQL fails or runs out of time, and conflict when another process keeps the file locked.
 */
export async function queryWarehouse(query: WarehouseQuery): Promise<WarehouseQueryResult> {
  return inSandbox(query, async (connection) => {
    const reader = await connection.streamAndReadUntil(query.sql, query.maxRows + 1);
    const names = reader.deduplicatedColumnNames();
    const types = reader.columnTypes().map(String);
    const rows = reader.getRowObjectsJson();
    return {
      columns: names.map((name, i) => ({ name, type: types[i] ?? "UNKNOWN" })),
      rows: rows.slice(0, query.maxRows),
      truncated: rows.length > query.maxRows,
    };
  });
}

/**
 * Runs one SELECT like queryWarehouse, but hands every row to `onRows`, a chunk (about 2,048 rows) at a time,
 * waiting for each call: memory stays at one chunk plus the sandbox's copy, whatever the row count (reverse
 * ETL's models stream through this). Same refusals and errors as queryWarehouse.
 */
export async function streamWarehouseQuery(
  query: Omit<WarehouseQuery, "maxRows">,
  onRows: (rows: Record<string, Json>[]) => Promise<void>,
): Promise<void> {
  await inSandbox(query, async (connection) => {
    const result = await connection.stream(query.sql);
    for await (const rows of result.yieldRowObjectJson()) await onRows(rows);
  });
}

/** One chunk (about 2,048 rows) of a streamed result, read column by column, converted only when asked. */
export interface WarehouseChunk {
  readonly rowCount: number;
  /** One column's values as text, straight from its vector (a VARCHAR column costs no conversion). */
  text(columnIndex: number): (string | null)[];
  /** One row as queryWarehouse returns rows (JSON values), its columns from `fromColumn` on. */
  rowObject(rowIndex: number, fromColumn: number): Record<string, Json>;
}

/**
 * Like streamWarehouseQuery, but hands over each chunk as it is, so a caller that needs a few columns of
 * every row and the whole of only some rows (reverse ETL's diff) converts no more than that. The chunk is
 * valid until `onChunk`'s promise settles.
 */
export async function streamWarehouseChunks(
  query: Omit<WarehouseQuery, "maxRows">,
  onChunk: (chunk: WarehouseChunk) => Promise<void>,
): Promise<void> {
  await withWarehouseSandbox(query, (sandbox) => sandbox.chunks(query.sql, onChunk));
}

/** SQL run in a locked-down sandbox (withWarehouseSandbox), one statement after another. */
export interface WarehouseSandbox {
  /** Every row of a result as queryWarehouse returns rows: for small results (counts, a key). */
  readAll(sql: string): Promise<Record<string, Json>[]>;
  /** A result chunk by chunk, as streamWarehouseChunks hands it over. */
  chunks(sql: string, onChunk: (chunk: WarehouseChunk) => Promise<void>): Promise<void>;
}

export interface SandboxQuery extends Omit<WarehouseQuery, "maxRows"> {
  /**
   * Runs after the warehouse's rows are copied and before the sandbox is locked down: the caller's chance to
   * load its own data beside them (reverse ETL's snapshot). What it creates, the queries can read.
   */
  prepare?: (connection: DuckDBConnection) => Promise<void>;
}

/**
 * One sandbox for several queries on the same copy: `query.sql` is checked and decides which tables are
 * copied, as for queryWarehouse; `work` then runs its queries, which must only read what that SQL reads.
 * Same refusals and errors as queryWarehouse.
 */
export async function withWarehouseSandbox<T>(
  query: SandboxQuery,
  work: (sandbox: WarehouseSandbox) => Promise<T>,
): Promise<T> {
  return inSandbox(query, (connection) =>
    work({
      readAll: async (sql) => (await connection.runAndReadAll(sql)).getRowObjectsJson(),
      chunks: async (sql, onChunk) => {
        const result = await connection.stream(sql);
        const names = result.deduplicatedColumnNames();
        for await (const chunk of result) await onChunk(chunkReader(chunk, names));
      },
    }),
  );
}

function chunkReader(chunk: DuckDBDataChunk, names: readonly string[]): WarehouseChunk {
  return {
    rowCount: chunk.rowCount,
    text: (columnIndex) =>
      chunk
        .getColumnValues(columnIndex)
        .map((value) => (value === null || typeof value === "string" ? value : String(value))),
    rowObject: (rowIndex, fromColumn) => {
      const row: Record<string, Json> = {};
      chunk.visitRowValues(rowIndex, (value, _row, columnIndex, type) => {
        if (columnIndex >= fromColumn)
          row[names[columnIndex]!] = JsonDuckDBValueConverter(value, type, JsonDuckDBValueConverter);
      });
      return row;
    },
  };
}

/** A fresh in-memory DuckDB holding the allowed rows, locked down, for `work` to run the caller's SQL in. */
async function inSandbox<T>(
  query: SandboxQuery,
  work: (connection: DuckDBConnection) => Promise<T>,
): Promise<T> {
  // Without `spill`, no spilling: an in-memory DuckDB would write it under ./.tmp of whatever folder the
  // process runs in. With it, into a folder only this process's user can read.
  const spillDir = query.spill ? await mkdtemp(join(tmpdir(), "switchyard-sandbox-")) : "";
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(":memory:", {
      threads: "1",
      memory_limit: query.memoryLimit ?? "512MB",
      temp_directory: spillDir,
      autoinstall_known_extensions: "false",
      autoload_known_extensions: "false",
    });
  } catch (error) {
    if (spillDir) await rm(spillDir, { recursive: true, force: true });
    throw error;
  }
  const connection = await instance.connect();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    connection.interrupt();
  }, query.timeoutMs);
  try {
    const tables = await tablesNamedIn(connection, query.sql);
    await copyAllowedRows(connection, query, tables);
    await query.prepare?.(connection);
    await lockDown(connection);
    return await work(connection);
  } catch (error) {
    if (error instanceof SwitchyardError) throw error;
    if (timedOut) {
      throw new SwitchyardError(
        "argument_invalid",
        `The query took longer than ${query.timeoutMs} ms and was stopped.`,
        {
          hint: "Narrow it: filter with WHERE, aggregate, or add a LIMIT.",
        },
      );
    }
    const message = causeMessage(error);
    if (/Out of Memory/i.test(message)) {
      throw new SwitchyardError(
        "argument_invalid",
        "The query needs more memory than a warehouse query may use.",
        {
          hint: "Name fewer tables, filter with WHERE, or aggregate, so that less data is copied and sorted.",
        },
      );
    }
    if (/Permission Error|disabled by configuration|lock_configuration/i.test(message)) {
      throw new WarehouseQueryRefusedError(`The query tried to reach outside the warehouse: ${message}`);
    }
    throw new SwitchyardError("argument_invalid", `The query failed: ${message}`, {
      hint: "Check the SQL: each stream is a table named after it (hubspot_contacts…); docs/warehouse.md lists them.",
    });
  } finally {
    clearTimeout(timer);
    connection.closeSync();
    instance.closeSync();
    if (spillDir) await rm(spillDir, { recursive: true, force: true });
  }
}

/**
 * Parses the SQL with DuckDB's own parser and returns the (lower-cased) names of the tables it reads.
 * Refuses anything but one SELECT statement, and functions that reach outside the database.
 */
async function tablesNamedIn(connection: DuckDBConnection, sql: string): Promise<Set<string>> {
  const parsed = await connection.runAndReadAll("SELECT json_serialize_sql($1::VARCHAR) AS tree", [sql]);
  const tree = JSON.parse(String(parsed.getRowObjectsJS()[0]?.tree)) as {
    error: boolean;
    error_type?: string;
    error_message?: string;
    statements?: unknown[];
  };
  if (tree.error) {
    if (tree.error_type === "parser")
      throw new WarehouseQueryRefusedError(`The SQL does not parse: ${tree.error_message}`);
    throw new WarehouseQueryRefusedError(
      `Only a single SELECT is allowed; this is ${statementKind(sql)} statement, which may write or reach outside the warehouse.`,
    );
  }
  const statements = tree.statements ?? [];
  if (statements.length !== 1) {
    throw new WarehouseQueryRefusedError(`Send exactly one statement; this SQL has ${statements.length}.`);
  }
  const tables = new Set<string>();
  walk(statements[0], (node) => {
    const name = node.function_name;
    if (typeof name === "string" && EXTERNAL_FUNCTION.test(name)) {
      throw new WarehouseQueryRefusedError(
        `${name}() reads files or other databases; it is not allowed here.`,
      );
    }
    if (typeof name === "string" && DYNAMIC_FUNCTION.test(name)) {
      throw new WarehouseQueryRefusedError(
        `${name}() is not supported here; name the tables in the SQL itself.`,
      );
    }
    if (node.type === "BASE_TABLE" && typeof node.table_name === "string")
      tables.add(node.table_name.toLowerCase());
  });
  return tables;
}

/** "a DELETE", "an ATTACH": the statement's first word, for the error (comments skipped). */
function statementKind(sql: string): string {
  const word =
    /^(?:\s|--[^\n]*\n?|\/\*[\s\S]*?\*\/)*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? "another kind of";
  return `${/^[AEIOU]/.test(word) ? "an" : "a"} ${word}`;
}

function walk(value: unknown, visit: (node: Record<string, unknown>) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, visit);
  } else if (value !== null && typeof value === "object") {
    visit(value as Record<string, unknown>);
    for (const child of Object.values(value)) walk(child, visit);
  }
}

/**
 * Copies into the sandbox every warehouse table with a connection column: the tables the query names with
 * the allowed rows, the others empty (so SHOW TABLES, DESCRIBE and information_schema list them all).
 */
async function copyAllowedRows(
  connection: DuckDBConnection,
  query: Omit<WarehouseQuery, "maxRows">,
  named: Set<string>,
) {
  if (!existsSync(query.path)) return;
  const copy = async () => {
    await attachReadOnly(connection, query.path, query.lockWaitMs ?? 5_000);
    try {
      const found = await connection.runAndReadAll(
        `SELECT DISTINCT table_name FROM duckdb_columns()
         WHERE database_name = 'warehouse' AND schema_name = 'main' AND column_name = ${quoteLiteral(META.connectionId)}`,
      );
      const ids = query.connectionIds.map(quoteLiteral).join(", ") || "NULL";
      for (const { table_name } of found.getRowObjectsJS()) {
        const table = String(table_name);
        const rows =
          named.has(table.toLowerCase()) && !query.schemaOnly
            ? `WHERE ${quoteIdent(META.connectionId)} IN (${ids})`
            : "LIMIT 0";
        await connection.run(
          `CREATE TABLE main.${quoteIdent(table)} AS SELECT * FROM warehouse.main.${quoteIdent(table)} ${rows}`,
        );
      }
    } finally {
      await connection.run("DETACH warehouse");
    }
  };
  await (query.whileReleased ? query.whileReleased(copy) : copy());
}

/** Attaches the file READ_ONLY, waiting while another process (a run) holds its write lock. */
async function attachReadOnly(connection: DuckDBConnection, path: string, lockWaitMs: number): Promise<void> {
  await retryWhileLocked(
    lockWaitMs,
    () => connection.run(`ATTACH ${quoteLiteral(path)} AS warehouse (READ_ONLY)`),
    () =>
      new SwitchyardError("conflict", "The warehouse is being written by another process right now.", {
        hint: "A sync run holds it while it writes; retry in a moment.",
      }),
  );
}

/** From here on the SQL can touch no file, extension or setting: only the copies in memory. */
async function lockDown(connection: DuckDBConnection): Promise<void> {
  await connection.run("SET enable_external_access = false");
  await connection.run("SET allow_community_extensions = false");
  await connection.run("SET lock_configuration = true");
}
