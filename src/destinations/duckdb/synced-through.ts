import type { DuckDBConnection } from "@duckdb/node-api";
import type { RecordBatch } from "../../core/index.ts";

/**
 * Where the warehouse keeps, per table and connection, the time it has synced the records cache through
 * (the Destination contract's `syncedThrough`). Kept in the warehouse itself and written in each batch's
 * transaction, so it can never claim rows the file lacks: a new or replaced file starts with no mark and is
 * filled from the cache.
 */
const SYNCED_THROUGH_TABLE = "_switchyard_synced_through";

const CREATE_SQL = `CREATE TABLE IF NOT EXISTS ${SYNCED_THROUGH_TABLE} (
  table_name VARCHAR NOT NULL,
  connection_id VARCHAR NOT NULL,
  synced_through VARCHAR NOT NULL,
  PRIMARY KEY (table_name, connection_id)
)`;

/** Saves the batch's mark, if it carries one; run it inside the batch's transaction. */
export async function saveSyncedThrough(writer: DuckDBConnection, batch: RecordBatch): Promise<void> {
  if (batch.syncedThrough === undefined) return;
  await writer.run(CREATE_SQL);
  await writer.run(`INSERT OR REPLACE INTO ${SYNCED_THROUGH_TABLE} VALUES ($1, $2, $3)`, [
    batch.target.table.toLowerCase(),
    batch.connectionId,
    batch.syncedThrough,
  ]);
}

/** The last mark saved for a table and connection, or null. */
export async function readSyncedThrough(
  writer: DuckDBConnection,
  table: string,
  connectionId: string,
): Promise<string | null> {
  await writer.run(CREATE_SQL);
  const result = await writer.runAndReadAll(
    `SELECT synced_through FROM ${SYNCED_THROUGH_TABLE} WHERE table_name = $1 AND connection_id = $2`,
    [table.toLowerCase(), connectionId],
  );
  const [row] = result.getRowObjectsJS();
  return row ? String(row.synced_through) : null;
}
