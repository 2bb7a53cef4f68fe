/**
 * The queries a run diffs a model with, all computed by the warehouse: each row's key as text and the hash of
 * the values the sync sends, the key checks, and the diff itself, a join of the model with the sync's snapshot
 * (key → hash) loaded beside it. So hashing and comparing a million rows costs the warehouse's vectorised md5
 * and hash join, and only the added, changed and removed rows come out of it.
 */
import { quoteIdent } from "../../destinations/duckdb/table-shape.ts";

/** The two columns the diff query adds in front of the model's own. */
export const DIFF_COLUMNS = { pk: "__retl_pk", hash: "__retl_hash" } as const;

/** Where the model's own columns start in the diff query's result. */
export const MODEL_COLUMNS_FROM = Object.keys(DIFF_COLUMNS).length;

/** The changes query's columns: the kind of change, then DIFF_COLUMNS, then the model's own. */
export const CHANGE_COLUMN = "__retl_change";

/** Where the model's own columns start in the changes query's result. */
export const CHANGED_COLUMNS_FROM = 1 + MODEL_COLUMNS_FROM;

/** The table (pk, hash) the changes query compares the model with. */
export const SNAPSHOT_TABLE = "__retl_snapshot";

/**
 * `SELECT key AS text, md5(sent values), * FROM (model) ORDER BY key as text`. Each value is hashed as
 * 'v' + its text, or 'n' for null, joined by the unit separator, so null, '' and 'null' all differ.
 */
export function modelDiffSql(modelSql: string, key: string, sentColumns: readonly string[]): string {
  return `${hashedModelSql(modelSql, key, sentColumns)} ORDER BY 1`;
}

function hashedModelSql(modelSql: string, key: string, sentColumns: readonly string[]): string {
  const pk = `CAST(${quoteIdent(key)} AS VARCHAR)`;
  const parts = sentColumns.map((column) => `coalesce('v' || CAST(${quoteIdent(column)} AS VARCHAR), 'n')`);
  const hash = parts.length > 0 ? `md5(concat_ws(chr(31), ${parts.join(", ")}))` : "''";
  return (
    `SELECT ${pk} AS ${quoteIdent(DIFF_COLUMNS.pk)}, ${hash} AS ${quoteIdent(DIFF_COLUMNS.hash)}, * ` +
    `FROM (${modelSql}) AS model`
  );
}

/**
 * One row: `rows` (the model's), `keyed` (with a key) and `distinct_keys`. A model can be diffed when all
 * three are equal. Only the key column is computed (the warehouse prunes the rest).
 */
export function modelKeysSql(modelSql: string, key: string): string {
  return (
    "SELECT count(*) AS rows, count(k) AS keyed, count(DISTINCT k) AS distinct_keys " +
    `FROM (SELECT CAST(${quoteIdent(key)} AS VARCHAR) AS k FROM (${modelSql}) AS model) AS keys`
  );
}

/** The first key (as text, in byte order) that more than one of the model's rows have. */
export function repeatedKeySql(modelSql: string, key: string): string {
  return (
    `SELECT k FROM (SELECT CAST(${quoteIdent(key)} AS VARCHAR) AS k FROM (${modelSql}) AS model) AS keys ` +
    "WHERE k IS NOT NULL GROUP BY k HAVING count(*) > 1 ORDER BY k LIMIT 1"
  );
}

/**
 * The model's rows that differ from the snapshot table, sorted by key: `added` (not in the snapshot) and
 * `changed` (another hash) with their values, `removed` (in the snapshot only) with their key alone. Unchanged
 * rows, most of a run, never leave the warehouse. Assumes the keys passed modelKeysSql's check.
 */
export function modelChangesSql(modelSql: string, key: string, sentColumns: readonly string[]): string {
  const { pk, hash } = DIFF_COLUMNS;
  const m = (column: string) => `m.${quoteIdent(column)}`;
  return (
    `SELECT CASE WHEN s.pk IS NULL THEN 'added' WHEN ${m(pk)} IS NULL THEN 'removed' ELSE 'changed' END ` +
    `AS ${quoteIdent(CHANGE_COLUMN)}, coalesce(${m(pk)}, s.pk) AS ${quoteIdent(pk)}, ${m(hash)} AS ${quoteIdent(hash)}, ` +
    `m.* EXCLUDE (${quoteIdent(pk)}, ${quoteIdent(hash)}) ` +
    `FROM (${hashedModelSql(modelSql, key, sentColumns)}) AS m ` +
    `FULL OUTER JOIN ${quoteIdent(SNAPSHOT_TABLE)} AS s ON ${m(pk)} = s.pk ` +
    `WHERE s.pk IS NULL OR ${m(pk)} IS NULL OR ${m(hash)} <> s.hash ORDER BY 2`
  );
}
