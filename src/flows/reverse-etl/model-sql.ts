/**
 * The query a run streams a model with: the model's rows sorted by key, each with its key as text and the
 * hash of the values the sync sends, both computed by the warehouse. So the diff compares two short strings
 * per row, and hashing a million rows costs the warehouse's vectorised md5, not a JavaScript call per row.
 */
import { quoteIdent } from "../../destinations/duckdb/table-shape.ts";

/** The two columns the diff query adds in front of the model's own. */
export const DIFF_COLUMNS = { pk: "__retl_pk", hash: "__retl_hash" } as const;

/** Where the model's own columns start in the diff query's result. */
export const MODEL_COLUMNS_FROM = Object.keys(DIFF_COLUMNS).length;

/**
 * `SELECT key AS text, md5(sent values), * FROM (model) ORDER BY key as text`. Each value is hashed as
 * 'v' + its text, or 'n' for null, joined by the unit separator, so null, '' and 'null' all differ.
 */
export function modelDiffSql(modelSql: string, key: string, sentColumns: readonly string[]): string {
  const pk = `CAST(${quoteIdent(key)} AS VARCHAR)`;
  const parts = sentColumns.map((column) => `coalesce('v' || CAST(${quoteIdent(column)} AS VARCHAR), 'n')`);
  const hash = parts.length > 0 ? `md5(concat_ws(chr(31), ${parts.join(", ")}))` : "''";
  return (
    `SELECT ${pk} AS ${quoteIdent(DIFF_COLUMNS.pk)}, ${hash} AS ${quoteIdent(DIFF_COLUMNS.hash)}, * ` +
    `FROM (${modelSql}) AS model ORDER BY 1`
  );
}
