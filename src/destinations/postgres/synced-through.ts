import type pg from "pg";
import type { RecordBatch } from "../../core/index.ts";
import { qualified } from "./table-ddl.ts";

/**
 * Per table and connection, the time the warehouse has synced the records cache through (the Destination
 * contract's `syncedThrough`), as in DuckDB (../duckdb/synced-through.ts): written in each batch's
 * transaction, so it never claims rows the warehouse lacks, and a replay after a crash re-sends exactly
 * what the last commit did not hold.
 */
const SYNCED_THROUGH_TABLE = "_switchyard_synced_through";

export function createSyncedThroughSql(schema: string): string {
  return `CREATE TABLE IF NOT EXISTS ${qualified(schema, SYNCED_THROUGH_TABLE)} (
  table_name text NOT NULL,
  connection_id text NOT NULL,
  synced_through text NOT NULL,
  PRIMARY KEY (table_name, connection_id)
)`;
}

/** Saves the batch's mark, if it carries one; run it inside the batch's transaction. */
export async function saveSyncedThrough(
  client: pg.ClientBase,
  schema: string,
  batch: RecordBatch,
): Promise<void> {
  if (batch.syncedThrough === undefined) return;
  await client.query(
    `INSERT INTO ${qualified(schema, SYNCED_THROUGH_TABLE)} (table_name, connection_id, synced_through)
     VALUES ($1, $2, $3)
     ON CONFLICT (table_name, connection_id) DO UPDATE SET synced_through = EXCLUDED.synced_through`,
    [batch.target.table.toLowerCase(), batch.connectionId, batch.syncedThrough],
  );
}

/** The last mark saved for a table and connection, or null. */
export async function readSyncedThrough(
  client: pg.ClientBase | pg.Pool,
  schema: string,
  table: string,
  connectionId: string,
): Promise<string | null> {
  const result = await client.query<{ synced_through: string }>(
    `SELECT synced_through FROM ${qualified(schema, SYNCED_THROUGH_TABLE)} WHERE table_name = $1 AND connection_id = $2`,
    [table.toLowerCase(), connectionId],
  );
  return result.rows[0]?.synced_through ?? null;
}
