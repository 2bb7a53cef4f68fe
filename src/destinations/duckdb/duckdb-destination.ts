import { mkdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue, type JS } from "@duckdb/node-api";
import type { Destination, RecordBatch, StreamTarget } from "../../core/index.ts";
import { DestinationError, SwitchyardError } from "../../core/index.ts";
import { upsertStaged } from "./append-staged.ts";
import { causeMessage, DuckDbFileLockedError, DuckDbQueryError, retryWhileLocked } from "./errors.ts";
import { makePrivate, withPrivateFiles } from "./private-files.ts";
import { addColumnSql, planNewColumns, planPrepare, readExistingTable } from "./schema-evolution.ts";
import { buildStagedRows } from "./staging-rows.ts";
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
  /**
   * How long the file stays open after the last operation (default 1 s). Then the destination closes it,
   * so between runs other processes can open the warehouse (`duckdb -readonly`, `switchyard sql`); the next
   * operation opens it again. Not for ":memory:", which would lose its data.
   */
  idleCloseMs?: number;
  /** How long to keep trying when another process holds the file (default 5 s), before DuckDbFileLockedError. */
  lockWaitMs?: number;
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
  /**
   * Runs `work` while this process has the file closed, between this destination's operations (a run's
   * writes wait meanwhile). For reading the file from a second DuckDB instance in this process, which
   * DuckDB's lock does not guard against.
   */
  whileReleased<T>(work: () => Promise<T>): Promise<T>;
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
const DEFAULT_IDLE_CLOSE_MS = 1_000;
const DEFAULT_LOCK_WAIT_MS = 5_000;

/** Files this process has open: DuckDB must not open one file twice in a process (no lock guards that). */
const openFiles = new Set<string>();

/** An open warehouse: the instance holding the file lock and its one writer connection. */
interface OpenFile {
  instance: DuckDBInstance;
  /** All writes go through this one connection, one operation at a time (see `serial`). */
  writer: DuckDBConnection;
  reader?: DuckDBConnection;
}

/**
 * Returns the warehouse destination for a file (created with its folder if missing), opened once to check
 * it. The file stays open only while the destination works, and is released after `idleCloseMs`.
 * Throws DuckDbFileLockedError (a DestinationError) when another process holds the file past `lockWaitMs`.
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
  if (!inMemory) {
    try {
      await mkdir(dirname(path), { recursive: true });
    } catch (error) {
      throw new DestinationError("duckdb", `cannot create the folder of "${path}": ${causeMessage(error)}`, {
        cause: error,
      });
    }
  }
  const warehouse = new DuckDbWarehouse(path, {
    threads: String(options.threads ?? DEFAULT_THREADS),
    idleCloseMs: inMemory ? Number.POSITIVE_INFINITY : (options.idleCloseMs ?? DEFAULT_IDLE_CLOSE_MS),
    lockWaitMs: options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS,
  });
  if (!inMemory) openFiles.add(path);
  try {
    await warehouse.check();
  } catch (error) {
    openFiles.delete(path);
    throw error;
  }
  return warehouse;
}

/** Opens the file, waiting up to `lockWaitMs` while another process holds its lock. */
async function openFile(path: string, threads: string, lockWaitMs: number): Promise<OpenFile> {
  let instance: DuckDBInstance;
  try {
    instance = await retryWhileLocked(
      lockWaitMs,
      () => withPrivateFiles(() => DuckDBInstance.create(path, { threads })),
      (error) => new DuckDbFileLockedError(path, error),
    );
  } catch (error) {
    if (error instanceof DuckDbFileLockedError) throw error;
    throw new DestinationError("duckdb", `cannot open warehouse file "${path}": ${causeMessage(error)}`, {
      cause: error,
    });
  }
  if (path !== ":memory:") makePrivate(path);
  try {
    const writer = await instance.connect();
    // Timestamps without an offset are read as UTC whatever the host's zone (see sql-coercion.ts).
    await writer.run("SET TimeZone = 'UTC'");
    return { instance, writer };
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
  private readonly settings: { threads: string; idleCloseMs: number; lockWaitMs: number };
  private file: OpenFile | undefined;
  /** Known table shapes by lower-cased table name; dropped after a failed batch so they are re-read. */
  private readonly tables = new Map<string, TableShape>();
  private tail: Promise<unknown> = Promise.resolve();
  /** Operations queued or running; the file is released only when none are. */
  private pending = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(path: string, settings: DuckDbWarehouse["settings"]) {
    this.path = path;
    this.settings = settings;
  }

  /** Opens the file once, in turn, so a bad or locked file fails at creation; then the idle timer runs. */
  check(): Promise<void> {
    return this.serial(async () => {
      await this.open();
    });
  }

  /** Opens the file unless it is open. Another process may have changed it meanwhile: shapes are re-read. */
  private async open(): Promise<OpenFile> {
    if (this.file) return this.file;
    this.tables.clear();
    this.file = await openFile(this.path, this.settings.threads, this.settings.lockWaitMs);
    return this.file;
  }

  /** Creates the stream's table, or adds the declared columns it lacks. Idempotent; one transaction. */
  prepare(target: StreamTarget): Promise<void> {
    return this.serial(async () => {
      await this.loadShape(await this.open(), target);
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
      if (batch.records.length === 0 && batch.syncedThrough === undefined) return;
      const { writer } = await this.open();
      if (batch.records.length === 0) return saveSyncedThrough(writer, batch);
      const key = batch.target.table.toLowerCase();
      const shape = this.tables.get(key) ?? (await this.loadShape({ writer }, batch.target));
      const plan = planNewColumns(shape, batch.records);
      const next = shape.withColumns(plan.added);
      // Records are staged as JSON text; typing them runs inside DuckDB, off the JS thread.
      const rows = buildStagedRows(batch);
      const before = plan.added.map((column) => addColumnSql(next.table, column));
      await this.inTransaction(
        writer,
        `writing ${rows.rowCount} records to table "${next.table}"`,
        async () => {
          await upsertStaged(writer, { before, rows, upsert: upsertSql(next, plan.unmatched) });
          await saveSyncedThrough(writer, batch);
        },
      );
      this.tables.set(key, next);
    });
  }

  /** The mark the last batch committed for this table and connection (see synced-through.ts). */
  syncedThrough(connectionId: string, target: StreamTarget): Promise<string | null> {
    return this.serial(async () => readSyncedThrough((await this.open()).writer, target.table, connectionId));
  }

  /** Runs in turn with writes (so it sees every write before it), on a connection of its own. */
  query(sql: string, params?: QueryParams): Promise<QueryRow[]> {
    return this.serial(async () => {
      const file = await this.open();
      try {
        file.reader ??= await file.instance.connect();
        const result = await file.reader.runAndReadAll(sql, bindable(params));
        return result.getRowObjectsJS();
      } catch (error) {
        throw new DuckDbQueryError(`query failed: ${causeMessage(error)}`, error);
      }
    });
  }

  whileReleased<T>(work: () => Promise<T>): Promise<T> {
    return this.serial(async () => {
      await this.release();
      return work();
    });
  }

  /** Waits for pending writes, then releases the file. Safe to call twice. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    const done = this.serial(() => this.release());
    this.closed = true;
    return done.finally(() => {
      if (this.path !== ":memory:") openFiles.delete(this.path);
    });
  }

  /** Closes the file (DuckDB checkpoints its write-ahead log into it), so other processes may open it. */
  private async release(): Promise<void> {
    clearTimeout(this.idleTimer);
    const file = this.file;
    if (!file) return;
    this.file = undefined;
    await withPrivateFiles(async () => {
      file.reader?.closeSync();
      file.writer.closeSync();
      file.instance.closeSync();
    });
  }

  /** Reads the table from DuckDB, applies the DDL the stream needs in one transaction, caches the shape. */
  private async loadShape({ writer }: Pick<OpenFile, "writer">, target: StreamTarget): Promise<TableShape> {
    let shape: TableShape | undefined;
    await this.inTransaction(writer, `preparing table "${target.table}"`, async () => {
      const plan = planPrepare(target, await readExistingTable(writer, target.table));
      if (plan.statements.length > 0) await writer.run(plan.statements.join(";\n"));
      shape = plan.shape;
    });
    // inTransaction either ran the callback to the end or threw.
    this.tables.set(target.table.toLowerCase(), shape!);
    return shape!;
  }

  /** Runs `work` inside BEGIN … COMMIT; on failure rolls back, forgets cached shapes, and throws a DestinationError. */
  private async inTransaction(
    writer: DuckDBConnection,
    what: string,
    work: () => Promise<void>,
  ): Promise<void> {
    try {
      await writer.run("BEGIN TRANSACTION");
      // The commit may create the `.wal` file: keep it private.
      await withPrivateFiles(async () => {
        await work();
        await writer.run("COMMIT");
      });
    } catch (error) {
      const rollback = await writer.run("ROLLBACK").then(
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

  /**
   * Runs operations one after another on the single writer connection; a failed one does not stop the
   * next. When the last one ends, the idle timer starts: the file is released unless another comes first.
   */
  private serial<T>(task: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(this.closedError());
    clearTimeout(this.idleTimer);
    this.pending++;
    const run = this.tail.then(task);
    this.tail = run
      .catch(() => undefined)
      .finally(() => {
        this.pending--;
        this.releaseWhenIdle();
      });
    return run;
  }

  private releaseWhenIdle(): void {
    if (this.pending > 0 || !this.file || this.closed || !Number.isFinite(this.settings.idleCloseMs)) return;
    this.idleTimer = setTimeout(() => {
      // Through the queue, so an operation that started meanwhile keeps the file.
      if (this.pending === 0 && !this.closed) void this.serial(() => this.release()).catch(() => undefined);
    }, this.settings.idleCloseMs);
    // An idle warehouse does not keep the process alive.
    this.idleTimer.unref();
  }

  private closedError(): DestinationError {
    return new DestinationError("duckdb", `warehouse "${this.path}" is closed; open it again to use it.`);
  }
}
