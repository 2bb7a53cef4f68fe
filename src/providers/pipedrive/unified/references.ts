/**
 * Reading Pipedrive's cached records for the Common Models: ids as strings, and the references records make
 * to other objects of the same connection (owners are users, `org_id` an organization, `stage_id` a stage)
 * as Switchyard ids. Value readers come from src/unified/values.ts.
 */
import type { MapContext } from "../../../unified/mappers.ts";
import { text } from "../../../unified/values.ts";

export { int32Of, text, timestampOf } from "../../../unified/values.ts";

/** The record's id as a string; a cached record always has one. */
export function recordId(record: Readonly<Record<string, unknown>>): string {
  const id = text(record.id);
  if (id === null) throw new Error("A cached Pipedrive record has no id.");
  return id;
}

/** The Switchyard id of the object of `stream` whose Pipedrive id `value` holds, or null when it holds none. */
export function refTo(stream: string, value: unknown, ctx: MapContext): string | null {
  // v1 payloads may nest a reference as `{ value: 5, name: ... }`; v2 sends the id itself.
  const id = text(value !== null && typeof value === "object" ? (value as { value?: unknown }).value : value);
  return id === null ? null : ctx.idOf(stream, id);
}

/** Pipedrive's `{ value, label, primary }` lists (a person's `emails` and `phones`), primary first. */
export function labelledValues(list: unknown): { value: string; label: string | null }[] {
  if (!Array.isArray(list)) return [];
  const items = list
    .map((item) => (item !== null && typeof item === "object" ? (item as Record<string, unknown>) : {}))
    .filter((item) => text(item.value) !== null);
  const ordered = [
    ...items.filter((item) => item.primary === true),
    ...items.filter((i) => i.primary !== true),
  ];
  return ordered.map((item) => ({ value: text(item.value)!, label: text(item.label) }));
}
