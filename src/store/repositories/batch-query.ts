/**
 * Batch statements built and compiled once per dialect and shape, then run with fresh parameters: what the
 * records cache and the unified projection write their batches with.
 */
import { type Compilable, CompiledQuery, type Kysely } from "kysely";
import type { Database } from "../schema.ts";

/** Most rows per statement: 10 columns x 512 rows stays far under SQLite's and Postgres' parameter limits. */
const MAX_ROWS = 512;

/**
 * Splits items into runs of MAX_ROWS, then the rest into powers of two, so batch statements come in a
 * dozen sizes whatever the batch size: each size is compiled and prepared once, then reused.
 */
export function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  let start = 0;
  while (start < items.length) {
    let size = MAX_ROWS;
    while (size > items.length - start) size >>= 1;
    out.push(items.slice(start, start + size));
    start += size;
  }
  return out;
}

/** Compiled SQL per dialect and statement shape; see `batchQuery`. */
const compiledSql = new WeakMap<object, Map<string, string>>();

/**
 * A batch statement from the query builder, built and compiled only once per dialect and shape (`shape`
 * names the statement and its row count), then run with fresh `parameters`. Building and compiling a
 * statement of thousands of placeholders costs more than running it. `build` makes the statement from the
 * first call's values; every call's `parameters` must list values in the order the builder compiles them
 * (checked by count).
 */
export function batchQuery(
  db: Kysely<Database>,
  shape: string,
  build: () => Compilable,
  parameters: unknown[],
): CompiledQuery {
  const adapter = db.getExecutor().adapter;
  let byShape = compiledSql.get(adapter);
  if (!byShape) {
    byShape = new Map();
    compiledSql.set(adapter, byShape);
  }
  let sql = byShape.get(shape);
  if (sql === undefined) {
    const compiled = build().compile();
    if (compiled.parameters.length !== parameters.length) {
      throw new Error(`${shape}: ${compiled.parameters.length} placeholders for ${parameters.length} values`);
    }
    sql = compiled.sql;
    byShape.set(shape, sql);
  }
  return CompiledQuery.raw(sql, parameters);
}
