import { isPassThrough, trimmedSql, typedSql } from "./sql-coercion.ts";
import { STAGED, STAGING_REF } from "./staging-rows.ts";
import { type ColumnSpec, META, quoteIdent, quoteLiteral, type TableShape } from "./table-shape.ts";

/** Built statements per shape, then per unmatched-field list; shapes are immutable, so none goes stale. */
const built = new WeakMap<TableShape, Map<string, string>>();
/** Unmatched-field lists are few per table; past this many, start over rather than grow. */
const MAX_VARIANTS = 16;

/**
 * The one MERGE that upserts the staged batch into the shape's table by (connection, primary key), typing
 * every value in DuckDB (see sql-coercion.ts): values that do not fit, and the `unmatched` fields, land in
 * `_rejected`. A live record replaces every column; a deleted one keeps the row's last known value wherever
 * it carries none (so a bare tombstone only flips `_deleted`). Built once per shape and unmatched list.
 */
export function upsertSql(shape: TableShape, unmatched: readonly string[]): string {
  let variants = built.get(shape);
  if (!variants || variants.size >= MAX_VARIANTS) {
    variants = new Map();
    built.set(shape, variants);
  }
  const key = JSON.stringify(unmatched);
  let sql = variants.get(key);
  if (sql === undefined) {
    sql = buildUpsertSql(shape, unmatched);
    variants.set(key, sql);
  }
  return sql;
}

// Aliases inside the statement. `__` names cannot clash with staging columns, and field names only ever
// appear as quoted identifiers or literals.
const text = (index: number) => `__t${index}`;
const value = (index: number) => `__v${index}`;
const extra = (index: number) => `__u${index}`;
const out = (index: number) => `__o${index}`;

function buildUpsertSql(shape: TableShape, unmatched: readonly string[]): string {
  const data = shape.columns.filter((column) => column.name !== shape.primaryKey);
  const names = [META.connectionId, shape.primaryKey, ...data.map((column) => column.name)];
  names.push(META.deleted, META.syncedAt, META.hash, META.rejected);
  const source = [
    STAGED.connectionId,
    keySql(shape),
    ...data.map((_, i) => value(i)),
    STAGED.deleted,
    STAGED.syncedAt,
    STAGED.hash,
    rejectedSql(data, unmatched),
  ].map((expression, i) => `${expression} AS ${out(i)}`);

  const column = (name: string) => quoteIdent(name);
  const from = (name: string) => `s.${out(names.indexOf(name))}`;
  const keepOnDelete = (name: string) =>
    `${column(name)} = CASE WHEN ${from(META.deleted)} THEN coalesce(${from(name)}, t.${column(name)}) ELSE ${from(name)} END`;
  const replace = (name: string) => `${column(name)} = ${from(name)}`;
  const updates = [
    ...data.map((spec) => keepOnDelete(spec.name)),
    replace(META.deleted),
    replace(META.syncedAt),
    replace(META.hash),
    keepOnDelete(META.rejected),
  ];
  const key = [META.connectionId, shape.primaryKey].map((name) => `t.${column(name)} = ${from(name)}`);
  return (
    `MERGE INTO ${quoteIdent(shape.table)} AS t\n` +
    `USING (SELECT ${source.join(",\n  ")}\n  FROM ${typedRowsSql(shape, data, unmatched)}) AS s\n` +
    `ON ${key.join(" AND ")}\n` +
    `WHEN MATCHED THEN UPDATE SET\n  ${updates.join(",\n  ")}\n` +
    `WHEN NOT MATCHED THEN INSERT (${names.map(column).join(", ")})\n` +
    `  VALUES (${names.map((_, i) => `s.${out(i)}`).join(", ")})`
  );
}

/**
 * The staged rows with, for data column i, its text `__t{i}` and typed value `__v{i}`, the key's `__vk`,
 * and each unmatched field's JSON `__u{j}`. Each nested SELECT computes its columns once from the level
 * below: the fields are read from the JSON once per record (one json_transform, not one lookup per field).
 */
function typedRowsSql(shape: TableShape, data: readonly ColumnSpec[], unmatched: readonly string[]): string {
  const fields =
    data.length === 0
      ? STAGING_REF
      : `(SELECT *, json_transform(${STAGED.doc}, ${quoteLiteral(structureOf(data))}) AS __s FROM ${STAGING_REF})`;
  const texts = [
    `${keyTextSql(shape)} AS __tk`,
    ...data.map((spec, i) => {
      const raw = `struct_extract(__s, ${quoteLiteral(spec.name)})`;
      return `${isPassThrough(spec.type) ? raw : trimmedSql(raw)} AS ${text(i)}`;
    }),
    ...unmatched.map((name, i) => `${originalSql(name)} AS ${extra(i)}`),
  ];
  const values = [
    `${typedSql(shape.primaryKeyType, "__tk")} AS __vk`,
    ...data.map((spec, i) => `${typedSql(spec.type, text(i))} AS ${value(i)}`),
  ];
  return `(SELECT *, ${values.join(",\n  ")}\n  FROM (SELECT *, ${texts.join(",\n  ")}\n  FROM ${fields}))`;
}

/** The json_transform structure: every data column read as text, json columns as JSON text. */
function structureOf(data: readonly ColumnSpec[]): string {
  const fields = data.map(
    (spec) => `${JSON.stringify(spec.name)}:${spec.type === "json" ? '"JSON"' : '"VARCHAR"'}`,
  );
  return `{${fields.join(",")}}`;
}

/** The staged primary key text as its column's coercion expects it (a json key becomes a JSON string). */
function keyTextSql(shape: TableShape): string {
  if (shape.primaryKeyType === "string") return STAGED.pk;
  return shape.primaryKeyType === "json" ? `to_json(${STAGED.pk})` : trimmedSql(STAGED.pk);
}

/** The typed primary key; a key its column cannot hold fails the statement, so nothing is written. */
function keySql(shape: TableShape): string {
  if (isPassThrough(shape.primaryKeyType)) return "__vk";
  const problem = `${quoteLiteral("primary key ")} || to_json(${STAGED.pk}) || ${quoteLiteral(
    ` does not fit column "${shape.primaryKey}" (${shape.primaryKeyType}) of table "${shape.table}"`,
  )}`;
  return `CASE WHEN __vk IS NULL THEN error(${problem}) ELSE __vk END`;
}

/**
 * `_rejected` as a JSON object of original values by field name: typed values that came out NULL from
 * non-blank text, then unmatched fields that are not null. NULL when there is none. The original is read
 * from the JSON again only for the rows that need it.
 */
function rejectedSql(data: readonly ColumnSpec[], unmatched: readonly string[]): string {
  const member = (name: string, original: string) =>
    `${quoteLiteral(`${JSON.stringify(name)}:`)} || ${original}`;
  const members = [
    ...data.flatMap((spec, i) =>
      isPassThrough(spec.type)
        ? []
        : [
            `CASE WHEN ${value(i)} IS NULL AND ${text(i)} <> '' THEN ${member(spec.name, originalSql(spec.name))} END`,
          ],
    ),
    ...unmatched.map((name, i) => `CASE WHEN ${extra(i)} <> 'null' THEN ${member(name, extra(i))} END`),
  ];
  if (members.length === 0) return "CAST(NULL AS JSON)";
  return `CAST(nullif('{' || concat_ws(',', ${members.join(", ")}) || '}', '{}') AS JSON)`;
}

/** The field's original JSON value in the staged record (SQL NULL when the record lacks it). */
function originalSql(name: string): string {
  // A JSON Pointer (RFC 6901) addresses exactly one top-level key, whatever characters its name has.
  const pointer = `/${name.replaceAll("~", "~0").replaceAll("/", "~1")}`;
  return `json_extract(${STAGED.doc}, ${quoteLiteral(pointer)})`;
}
