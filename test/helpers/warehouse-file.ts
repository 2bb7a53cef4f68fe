import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";

/**
 * Runs `work` on the DuckDB warehouse file at `path`, opened for it alone and closed after: a run opens the
 * file only while it writes, so a test that fills a table between runs must not keep it open.
 */
export async function onWarehouseFile(
  path: string,
  work: (connection: DuckDBConnection) => Promise<unknown>,
): Promise<void> {
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  try {
    await work(connection);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
