import pg from "pg";
import type { Destination, RecordBatch, StreamTarget } from "../../core/index.ts";
import { ConfigError, DestinationError, SwitchyardError } from "../../core/index.ts";
import { type ColumnPlan, planNewColumns, planPrepare } from "../duckdb/schema-evolution.ts";
import { quoteIdent, type TableShape } from "../duckdb/table-shape.ts";
import { createSyncedThroughSql, readSyncedThrough, saveSyncedThrough } from "./synced-through.ts";
import { addColumnsSql, createTableSql, readExistingTable } from "./table-ddl.ts";
import { upsertColumnParams, upsertSql } from "./upsert.ts";

export interface PostgresDestinationOptions {
  /** `postgres://user:password@host:5432/database`; the database must exist. */
  connectionString: string;
  /** The schema holding the warehouse tables (default `switchyard_warehouse`); created if missing. */
  schema?: string;
  /** Connections in the pool (default 4): one per batch being written at once. */
  maxConnections?: number;
}

/** The Postgres warehouse destination: one typed table per stream, upserted by (connection, primary key). */
export interface PostgresDestination extends Destination {
  readonly name: "postgres";
  readonly schema: string;
  /** Runs one SQL statement on the pool and returns its rows (for tests and readers in this process). */
  query<Row extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<Row[]>;
}

export const DEFAULT_WAREHOUSE_SCHEMA = "switchyard_warehouse";
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * Connects to the Postgres warehouse and creates its schema and bookkeeping table if missing. Throws
 * ConfigError for a bad schema name, DestinationError when the server cannot be reached.
 */
export async function createPostgresDestination(
  options: PostgresDestinationOptions,
): Promise<PostgresDestination> {
  const schema = options.schema ?? DEFAULT_WAREHOUSE_SCHEMA;
  if (!SCHEMA_NAME.test(schema)) {
    throw new ConfigError(
      `Warehouse schema "${schema}" is not a plain Postgres name.`,
      "Use letters, digits and underscores (at most 63, not starting with a digit), e.g. switchyard_warehouse.",
    );
  }
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.maxConnections ?? 4 });
  // An idle connection the server dropped (a restart) must not crash the process; the next query reconnects.
  pool.on("error", () => undefined);
  // Nor one that breaks while checked out: its query fails, and pg drops it when it is released.
  pool.on("connect", (client) => client.on("error", () => undefined));
  const warehouse = new PostgresWarehouse(pool, schema, where(options.connectionString));
  try {
    await warehouse.inTransaction("creating the warehouse schema", async (client) => {
      await lockFor(client, `schema:${schema}`);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
      await client.query(createSyncedThroughSql(schema));
    });
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  return warehouse;
}

/** host:port/database of a connection string, without user or password (for messages). */
function where(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    return `${url.hostname}:${url.port || "5432"}${url.pathname}`;
  } catch {
    return "the configured server";
  }
}

/**
 * Serialises DDL on one name across every process sharing the database (two workers creating the same
 * table or column at once would otherwise race past IF NOT EXISTS); released at commit or rollback.
 */
async function lockFor(client: pg.ClientBase, name: string): Promise<void> {
  await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`switchyard_warehouse:${name}`]);
}

/** Postgres identifiers are at most 63 bytes (longer ones are silently cut) and cannot hold NUL. */
function fitsPostgres(name: string): boolean {
  return !name.includes("\u0000") && Buffer.byteLength(name) <= 63;
}

/** The column plan with the fields Postgres cannot name moved to `unmatched` (kept in `_rejected`). */
function postgresColumns(plan: ColumnPlan): ColumnPlan {
  const misfits = plan.added.filter((column) => !fitsPostgres(column.name));
  if (misfits.length === 0) return plan;
  return {
    added: plan.added.filter((column) => fitsPostgres(column.name)),
    unmatched: [...plan.unmatched, ...misfits.map((column) => column.name)],
  };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

class PostgresWarehouse implements PostgresDestination {
  readonly name = "postgres" as const;
  /** Known table shapes by lower-cased table name; dropped after a failed batch so they are re-read. */
  private readonly tables = new Map<string, TableShape>();
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    readonly schema: string,
    private readonly where: string,
  ) {}

  /** Creates the stream's table, or adds the declared columns it lacks. Idempotent; one transaction. */
  async prepare(target: StreamTarget): Promise<void> {
    await this.inTransaction(`preparing table "${target.table}"`, (client) => this.loadShape(client, target));
  }

  /**
   * Upserts the batch by (connection, primary key) in one transaction with its synced-through mark: new
   * fields become columns, values are coerced (misfits go to `_rejected`), and the promise resolves once
   * Postgres has committed. On failure nothing is written and a DestinationError says what failed.
   */
  async write(batch: RecordBatch): Promise<void> {
    if (batch.records.length === 0 && batch.syncedThrough === undefined) return;
    const key = batch.target.table.toLowerCase();
    let written: TableShape | undefined;
    await this.inTransaction(
      `writing ${batch.records.length} records to table "${batch.target.table}"`,
      async (client) => {
        if (batch.records.length > 0) {
          let shape = this.tables.get(key) ?? (await this.loadShape(client, batch.target));
          const plan = postgresColumns(planNewColumns(shape, batch.records));
          if (plan.added.length > 0)
            shape = await this.addColumns(client, batch.target, shape.withColumns(plan.added));
          await client.query(upsertSql(this.schema, shape), [
            batch.connectionId,
            batch.syncedAt.toISOString(),
            ...upsertColumnParams(batch, shape, plan.unmatched),
          ]);
          written = shape;
        }
        await saveSyncedThrough(client, this.schema, batch);
      },
    );
    if (written) this.tables.set(key, written);
  }

  async syncedThrough(connectionId: string, target: StreamTarget): Promise<string | null> {
    try {
      return await readSyncedThrough(this.pool, this.schema, target.table, connectionId);
    } catch (error) {
      throw this.failure(`reading the synced-through mark of "${target.table}"`, error);
    }
  }

  async query<Row extends Record<string, unknown>>(
    sql: string,
    params: readonly unknown[] = [],
  ): Promise<Row[]> {
    const result = await this.pool.query<Row>(sql, [...params]);
    return result.rows;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  /** Reads the table, applies the DDL the stream needs (under the table's lock), caches the shape. */
  private async loadShape(client: pg.ClientBase, target: StreamTarget): Promise<TableShape> {
    await lockFor(client, `${this.schema}.${target.table}`);
    const existing = await readExistingTable(client, this.schema, target.table);
    const { shape } = planPrepare(target, existing, "postgres");
    const statements = existing
      ? addColumnsSql(this.schema, shape, existing)
      : [createTableSql(this.schema, shape)];
    for (const statement of statements) await client.query(statement);
    this.tables.set(target.table.toLowerCase(), shape);
    return shape;
  }

  /**
   * Adds the columns of `wanted` the table lacks, then re-reads the table: another process may have added
   * one of them first, with the type its own values suggested, and the upsert must write the real type.
   */
  private async addColumns(
    client: pg.ClientBase,
    target: StreamTarget,
    wanted: TableShape,
  ): Promise<TableShape> {
    await lockFor(client, `${this.schema}.${target.table}`);
    const existing = await readExistingTable(client, this.schema, target.table);
    if (!existing)
      throw new DestinationError("postgres", `table "${target.table}" disappeared during the sync.`);
    for (const statement of addColumnsSql(this.schema, wanted, existing)) await client.query(statement);
    return planPrepare(target, await readExistingTable(client, this.schema, target.table), "postgres").shape;
  }

  /** Runs `work` in BEGIN … COMMIT on a pooled connection; on failure rolls back and throws a DestinationError. */
  async inTransaction(what: string, work: (client: pg.PoolClient) => Promise<unknown>): Promise<void> {
    if (this.closed)
      throw new DestinationError("postgres", `warehouse ${this.where} is closed; open it again to use it.`);
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw this.failure(`connecting to the warehouse`, error);
    }
    let broken = false;
    try {
      await client.query("BEGIN");
      await work(client);
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {
        broken = true;
      });
      // A rolled-back ALTER may have left a cached shape wrong; re-read tables next time.
      this.tables.clear();
      if (error instanceof SwitchyardError) throw error;
      throw this.failure(what, error, "; the transaction was rolled back, nothing was written");
    } finally {
      client.release(broken);
    }
  }

  private failure(what: string, error: unknown, suffix = ""): DestinationError {
    return new DestinationError("postgres", `${what} at ${this.where} failed: ${message(error)}${suffix}.`, {
      cause: error,
    });
  }
}
