/**
 * Unified reads: pages and single objects of a Common Model, for one linked account (connection), served
 * from `unified_objects` after catching it up with the records cache. Objects come out as Merge shapes them:
 * bookkeeping fields, the model's fields, `remote_was_deleted`, and `remote_data` on request; references
 * are ids, or the referenced objects when the request expands them.
 */
import type { Kysely } from "kysely";
import { SwitchyardError } from "../../core/index.ts";
import type { Database } from "../../store/index.ts";
import {
  getUnifiedObjects,
  listUnifiedObjects,
  readRecordPayloads,
  sortKeyOf,
  type UnifiedObjectFilters,
  type UnifiedObjectRow,
} from "../../store/repositories/unified-objects.ts";
import type { CrmModelName, MapperRegistry } from "../../unified/mappers.ts";
import { cutPage, decodeCursor, encodeCursor } from "./page-cursor.ts";
import { catchUpUnifiedObjects, type ProjectedConnection } from "./projection.ts";

export { type Cursor, encodeCursor } from "./page-cursor.ts";

/** Fields that reference another model, which `expand` may replace by the object. */
export type ExpandableField = "account" | "owner" | "stage";

export interface ReadOptions {
  expand: readonly ExpandableField[];
  includeRemoteData: boolean;
}

export interface ListOptions extends ReadOptions {
  pageSize: number;
  /** The `next` or `previous` of an earlier page. */
  cursor?: string;
  filters: UnifiedObjectFilters;
}

export interface UnifiedPage {
  next: string | null;
  previous: string | null;
  results: Record<string, unknown>[];
}

/**
 * A page of the model's objects matching the filters, in id order (in time order when filtered on a time),
 * with cursors to the pages around it.
 */
export async function listUnified(
  db: Kysely<Database>,
  registry: MapperRegistry,
  connection: ProjectedConnection,
  model: CrmModelName,
  options: ListOptions,
): Promise<UnifiedPage> {
  const { rows, ...links } = await readPage(db, registry, connection, model, options);
  return { ...links, results: await present(db, connection.id, rows, options) };
}

/**
 * The same page, as the JSON text of its body when the read asks for nothing beyond the stored objects (no
 * `expand`, no remote data) and every object on it was checked against the model when the projection stored
 * it: the stored fields are then served as they are, with no parsing, checking and serialising of 100 objects
 * on every request. Otherwise as objects, like `listUnified`.
 */
export async function listUnifiedServed(
  db: Kysely<Database>,
  registry: MapperRegistry,
  connection: ProjectedConnection,
  model: CrmModelName,
  options: ListOptions,
): Promise<{ json: string } | UnifiedPage> {
  const { rows, ...links } = await readPage(db, registry, connection, model, options);
  const plain = options.expand.length === 0 && !options.includeRemoteData;
  if (plain && rows.every((row) => Number(row.checked) === 1)) {
    const results = rows.map(checkedObjectJson).join(",");
    return {
      json: `{"next":${JSON.stringify(links.next)},"previous":${JSON.stringify(links.previous)},"results":[${results}]}`,
    };
  }
  return { ...links, results: await present(db, connection.id, rows, options) };
}

/**
 * One object checked when stored, as JSON text: its bookkeeping fields from the row's columns, then the stored
 * fields less the provider path, which the projection writes as their last key (a key's quote cannot appear
 * unescaped inside a string value, and nested keys come before it, so the last match is that key).
 */
function checkedObjectJson(row: UnifiedObjectRow): string {
  const text = row.fields;
  const at = text.lastIndexOf('"remote_path":');
  const end = at === -1 ? text.length - 1 : text[at - 1] === "," ? at - 1 : at;
  const fields = text.slice(1, end);
  return (
    `{"id":${JSON.stringify(row.id)},"remote_id":${JSON.stringify(row.remote_id)},` +
    `"created_at":${JSON.stringify(row.created_at)},"modified_at":${JSON.stringify(row.modified_at)},` +
    `${fields}${fields === "" ? "" : ","}"remote_was_deleted":${Number(row.deleted) === 1},"remote_data":null}`
  );
}

/** The rows of a page, and the cursors to the pages around it. */
async function readPage(
  db: Kysely<Database>,
  registry: MapperRegistry,
  connection: ProjectedConnection,
  model: CrmModelName,
  options: ListOptions,
): Promise<{ next: string | null; previous: string | null; rows: UnifiedObjectRow[] }> {
  const cursor = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
  if (!registry.find(connection.provider, model)) return { next: null, previous: null, rows: [] };
  await catchUpUnifiedObjects(db, registry, connection, modelsRead(model, options));
  const rows = await listUnifiedObjects(db, connection.id, model, options.filters, {
    limit: options.pageSize,
    ...(cursor ? { cursor } : {}),
  });
  const sort = sortKeyOf(options.filters);
  const { page, next, previous } = cutPage(rows, options.pageSize, cursor, (direction, row) =>
    encodeCursor({ direction, id: row.id, ...(sort === "id" ? {} : { sortValue: row[sort] }) }),
  );
  return { next, previous, rows: page };
}

/** One object of the model by Switchyard id; `not_found` when the connection has none. */
export async function getUnified(
  db: Kysely<Database>,
  registry: MapperRegistry,
  connection: ProjectedConnection,
  model: CrmModelName,
  id: string,
  options: ReadOptions,
): Promise<Record<string, unknown>> {
  if (registry.find(connection.provider, model)) {
    await catchUpUnifiedObjects(db, registry, connection, modelsRead(model, options));
  }
  const [row] = await getUnifiedObjects(db, connection.id, [id]);
  if (!row || row.model !== model) {
    throw new SwitchyardError("not_found", `No ${model} with id ${id} in this linked account.`, {
      hint: "Use the `id` a list returned (the provider's id is `remote_id`), with the account token it came from.",
    });
  }
  const [object] = await present(db, connection.id, [row], options);
  return object!;
}

/** The model a reference names. */
const REFERENCED: Record<ExpandableField, CrmModelName> = {
  account: "Account",
  owner: "User",
  stage: "Stage",
};

/** The models a read shows: its own, and those it expands. */
function modelsRead(model: CrmModelName, options: ReadOptions): CrmModelName[] {
  return [model, ...options.expand.map((field) => REFERENCED[field])];
}

/** Rows as Merge objects, expanded and with remote data as asked. */
async function present(
  db: Kysely<Database>,
  connectionId: string,
  rows: readonly UnifiedObjectRow[],
  options: ReadOptions,
): Promise<Record<string, unknown>[]> {
  const objects = rows.map((row) => toObject(row));
  if (options.includeRemoteData) await attachRemoteData(db, connectionId, rows, objects);
  if (options.expand.length > 0) {
    const wanted = objects.flatMap((object) =>
      options.expand.map((field) => object[field]).filter((id): id is string => typeof id === "string"),
    );
    const found = new Map(
      (await getUnifiedObjects(db, connectionId, wanted)).map((row) => [row.id, toObject(row)]),
    );
    for (const object of objects) {
      for (const field of options.expand) {
        const id = object[field];
        // An id whose object is not served (an owner while owners are not synced) stays an id.
        if (typeof id === "string" && found.has(id)) object[field] = found.get(id);
      }
    }
  }
  return objects;
}

/**
 * The stored fields with the bookkeeping fields set on them. A page maps 100 rows per request: one parse and
 * no copies (`remote_path` is the parsed object's last key, so deleting it keeps the object's fast shape).
 */
function toObject(row: UnifiedObjectRow): Record<string, unknown> {
  const object = JSON.parse(row.fields) as Record<string, unknown>;
  delete object.remote_path;
  object.id = row.id;
  object.remote_id = row.remote_id;
  object.created_at = row.created_at;
  object.modified_at = row.modified_at;
  object.remote_was_deleted = Number(row.deleted) === 1;
  object.remote_data = null;
  return object;
}

/** `remote_data`: the cached raw payload, under the provider path it belongs to; null for derived objects. */
async function attachRemoteData(
  db: Kysely<Database>,
  connectionId: string,
  rows: readonly UnifiedObjectRow[],
  objects: Record<string, unknown>[],
): Promise<void> {
  const byStream = new Map<string, string[]>();
  for (const row of rows) byStream.set(row.stream, [...(byStream.get(row.stream) ?? []), row.remote_id]);
  const payloads = new Map<string, string>();
  for (const [stream, pks] of byStream) {
    for (const [pk, payload] of await readRecordPayloads(db, connectionId, stream, pks)) {
      payloads.set(`${stream}\u0000${pk}`, payload);
    }
  }
  rows.forEach((row, index) => {
    const payload = payloads.get(`${row.stream}\u0000${row.remote_id}`);
    // Null (or absent, for objects stored before migration 0015) for derived objects.
    const path = (JSON.parse(row.fields) as { remote_path?: string | null }).remote_path;
    objects[index]!.remote_data =
      payload === undefined || path == null ? null : [{ path, data: JSON.parse(payload) }];
  });
}
