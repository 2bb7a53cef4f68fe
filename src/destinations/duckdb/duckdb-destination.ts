import { mkdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue, type JS } from "@duckdb/node-api";
import type { Destination, RecordBatch, StreamTarget } from "../../core/index.ts";
import { DestinationError, SwitchyardError } from "../../core/index.ts";
import { appendStaged } from "./append-staged.ts";
import { causeMessage, DuckDbFileLockedError, DuckDbQueryError, isLockError } from "./errors.ts";
import { addColumnSql, planNewColumns, planPrepare, readExistingTable } from "./schema-evolution.ts";
import { buildStagedRows, STAGING_TABLE_SQL } from "./staging-rows.ts";
import { readSyncedThrough, saveSyncedThrough } from "./synced-through.ts";
import type { TableShape } from "./table-shape.ts";
import { upsertSql } from "./upsert-sql.ts";

export interface DuckDbDestinationOptions {
  /** Warehouse file (its folder is created if missing), or ":memory:". */
  path: string;
  /**
   * DuckDB worker threads (default 1). One is the sweet spot for a sync: each upsert is short, so more
   * threads mostly contend for the cores the sync itself and the HTTP reads need (measured in bench/).
   * Raise it for heavy analytical `query` calls.
   */
  threads?: number;
}

/** One row of a `query` result: column name → value (BIGINT as bigint, TIMESTAMPTZ as Date, JSON as text). */
export type QueryRow = Record<string, JS>;

/** Positional (`$1`, `?`) or named (`$name`) query parameters. */
export type QueryParams = readonly DuckDBValue[] | Readonly<Record<string, DuckDBValue>>;

/** The DuckDB warehouse destination: one typed table per stream, upserted by (connection, primary key). */
export interface DuckDbDestination extends Destination {
  readonly name: "duckdb";
  readonly path: string;
  /** Runs one SQL statement on a separate read connection and returns its rows; sees only committed data. */
  query(sql: string, params?: QueryParams): Promise<QueryRow[]>;
}

function isList(params: QueryParams): params is readonly DuckDBValue[] {
  return Array.isArray(params);
}

/** Copies parameters into the mutable shapes the driver's signature asks for. */
function bindable(params: QueryParams | undefined): DuckDBValue[] | Record<string, DuckDBValue> | undefined {
  if (params === undefined) return undefined;
  return isList(params) ? [...params] : { ...params };
}

const DEFAULT_THREADS = 1;

/** Files this process has open: DuckDB must not open one file twice in a process (no lock guards that). */
const openFiles = new Set<string>();

/**
 * Opens (or creates) the warehouse file and returns a destination that owns it until `close()`.
 * Throws DuckDbFileLockedError (a DestinationError) when another process holds the file.
 */
export async function createDuckDbDestination(options: DuckDbDestinationOptions): Promise<DuckDbDestination> {
  const inMemory = options.path === ":memory:";
  const path = inMemory ? options.path : resolve(options.path);
  if (!inMemory && openFiles.has(path)) {
    throw new DestinationError(
      "duckdb",
      `warehouse file "${path}" is already open in this process; share that destination instead of opening the file twice.`,
    );
  }
  let instance: DuckDBInstance;
  try {
    if (!inMemory) await mkdir(dirname(path), { recursive: true });
    instance = await DuckDBInstance.create(path, { threads: String(options.threads ?? DEFAULT_THREADS) });
  } catch (error) {
    if (isLockError(error)) throw new DuckDbFileLockedError(path, error);
    throw new DestinationError("duckdb", `cannot open warehouse file "${path}": ${causeMessage(error)}`, {
      cause: error,
    });
  }
  try {
    const writer = await instance.connect();
    // Timestamps without an offset are read as UTC whatever the host's zone (see sql-coercion.ts).
    await writer.run("SET TimeZone = 'UTC'");
    if (!inMemory) openFiles.add(path);
    return new DuckDbWarehouse(path, instance, writer, inMemory);
  } catch (error) {
    instance.closeSync();
    throw new DestinationError("duckdb", `cannot connect to "${path}": ${causeMessage(error)}`, {
      cause: error,
    });
  }
}

class DuckDbWarehouse implements DuckDbDestination {
  readonly name = "duckdb" as const;
  readonly path: string;
  private readonly instance: DuckDBInstance;
  /** All writes go through this one connection, one operation at a time (see `serial`). */
  private readonly writer: DuckDBConnection;
  private reader: DuckDBConnection | undefined;
  private readonly registered: boolean;
  /** Known table shapes by lower-cased table name; dropped after a failed batch so they are re-read. */
  private readonly tables = new Map<string, TableShape>();
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(path: string, instance: DuckDBInstance, writer: DuckDBConnection, inMemory: boolean) {
    this.path = path;
    this.instance = instance;
    this.writer = writer;
    this.registered = !inMemory;
  }

  /** Creates the stream's table, or adds the declared columns it lacks. Idempotent; one transaction. */
  prepare(target: StreamTarget): Promise<void> {
    return this.serial(async () => {
      await this.loadShape(target);
    });
  }

  /**
   * Upserts the batch by (connection, primary key) in one transaction: new fields become columns, values
   * are coerced (misfits go to `_rejected`), and the promise resolves once DuckDB has committed. On any
   * failure the transaction is rolled back, so the table is exactly as before, and a DestinationError says
   * which table and what failed (a primary key its column cannot hold is such a failure).
   */
  write(batch: RecordBatch): Promise<void> {
    return this.serial(async () => {
      if (batch.records.length === 0) return saveSyncedThrough(this.writer, batch);
      const key = batch.target.table.toLowerCase();
      const shape = this.tables.get(key) ?? (await this.loadShape(batch.target));
      const plan = planNewColumns(shape, batch.records);
      const next = shape.withColumns(plan.added);
      // Records are staged as JSON text; typing them runs inside DuckDB, off the JS thread.
      const rows = buildStagedRows(batch);
      const setup = [...plan.added.map((column) => addColumnSql(next.table, column)), STAGING_TABLE_SQL];
      await this.inTransaction(`writing ${rows.rowCount} records to table "${next.table}"`, async () => {
        await this.writer.run(setup.join(";\n"));
        await appendStaged(this.writer, rows);
        await this.writer.run(upsertSql(next, plan.unmatched));
        await saveSyncedThrough(this.writer, batch);
      });
      this.tables.set(key, next);
    });
  }

  /** The mark the last batch committed for this table and connection (see synced-through.ts). */
  syncedThrough(connectionId: string, target: StreamTarget): Promise<string | null> {
    return this.serial(() => readSyncedThrough(this.writer, target.table, connectionId));
  }

  query(sql: string, params?: QueryParams): Promise<QueryRow[]> {
    if (this.closed) return Promise.reject(this.closedError());
    return (async () => {
      try {
        this.reader ??= await this.instance.connect();
        const result = await this.reader.runAndReadAll(sql, bindable(params));
        return result.getRowObjectsJS();
      } catch (error) {
        throw new DuckDbQueryError(`query failed: ${causeMessage(error)}`, error);
      }
    })();
  }

  /** Waits for pending writes, then releases the file. Safe to call twice. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    const done = this.serial(async () => {
      this.reader?.closeSync();
      this.writer.closeSync();
      this.instance.closeSync();
    });
    this.closed = true;
    return done.finally(() => {
      if (this.registered) openFiles.delete(this.path);
    });
  }

  /** Reads the table from DuckDB, applies the DDL the stream needs in one transaction, caches the shape. */
  private async loadShape(target: StreamTarget): Promise<TableShape> {
    let shape: TableShape | undefined;
    await this.inTransaction(`preparing table "${target.table}"`, async () => {
      const plan = planPrepare(target, await readExistingTable(this.writer, target.table));
      if (plan.statements.length > 0) await this.writer.run(plan.statements.join(";\n"));
      shape = plan.shape;
    });
    // inTransaction either ran the callback to the end or threw.
    this.tables.set(target.table.toLowerCase(), shape!);
    return shape!;
  }

  /** Runs `work` inside BEGIN … COMMIT; on failure rolls back, forgets cached shapes, and throws a DestinationError. */
  private async inTransaction(what: string, work: () => Promise<void>): Promise<void> {
    try {
      await this.writer.run("BEGIN TRANSACTION");
      await work();
      await this.writer.run("COMMIT");
    } catch (error) {
      const rollback = await this.writer.run("ROLLBACK").then(
        () => undefined,
        (rollbackError: unknown) => rollbackError,
      );
      // A rolled-back ALTER may have left a cached shape wrong; re-read tables from DuckDB next time.
      this.tables.clear();
      if (error instanceof SwitchyardError) throw error;
      const suffix =
        rollback && !/no transaction is active/i.test(causeMessage(rollback))
          ? ` (and rolling back failed too: ${causeMessage(rollback)})`
          : "; the transaction was rolled back, nothing was written";
      throw new DestinationError("duckdb", `${what} failed: ${causeMessage(error)}${suffix}.`, {
        cause: error,
      });
    }
  }

  /** Runs writes one after another on the single writer connection; a failed one does not stop the next. */
  private serial<T>(task: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(this.closedError());
    const run = this.tail.then(task);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private closedError(): DestinationError {
    return new DestinationError("duckdb", `warehouse "${this.path}" is closed; open it again to use it.`);
  }
}
