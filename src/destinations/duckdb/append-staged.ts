import { type DuckDBConnection, DuckDBDataChunk } from "@duckdb/node-api";
import { DROP_STAGING_SQL, STAGING, STAGING_TABLE_SQL, type StagedRows } from "./staging-rows.ts";

/** DuckDB's vector size: the most rows one data chunk holds. */
const ROWS_PER_CHUNK = 2048;

/**
 * Bulk-loads staged rows into the staging table through the Appender, a data chunk at a time (one native
 * call per value, no SQL per row). The rows join the connection's open transaction.
 */
export async function appendStaged(connection: DuckDBConnection, rows: StagedRows): Promise<void> {
  const appender = await connection.createAppender(STAGING.table, STAGING.schema, STAGING.catalog);
  try {
    const types = Array.from({ length: appender.columnCount }, (_, index) => appender.columnType(index));
    for (let offset = 0; offset < rows.rowCount; offset += ROWS_PER_CHUNK) {
      const end = Math.min(rows.rowCount, offset + ROWS_PER_CHUNK);
      const whole = offset === 0 && end === rows.rowCount;
      const chunk = DuckDBDataChunk.create(types, end - offset);
      chunk.setColumns(whole ? rows.columns : rows.columns.map((column) => column.slice(offset, end)));
      appender.appendDataChunk(chunk);
    }
    appender.closeSync();
  } catch (error) {
    // Discard what was not flushed. `error` is what the caller reports (after rolling back), so a
    // failure to clear must not replace it.
    try {
      appender.clear();
    } catch {}
    throw error;
  }
}

/**
 * Within the connection's open transaction: runs `before` (DDL the batch needs), creates the staging table,
 * appends the rows, runs `upsert` (which reads the staging table), then drops the staging table, so nothing
 * of this batch's staging outlives its transaction (see DROP_STAGING_SQL).
 */
export async function upsertStaged(
  connection: DuckDBConnection,
  batch: { before: readonly string[]; rows: StagedRows; upsert: string },
): Promise<void> {
  await connection.run([...batch.before, STAGING_TABLE_SQL].join(";\n"));
  await appendStaged(connection, batch.rows);
  await connection.run(batch.upsert);
  await connection.run(DROP_STAGING_SQL);
}
