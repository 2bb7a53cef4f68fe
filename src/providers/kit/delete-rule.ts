/**
 * The delete rule: how a stream tells a deleted record. Either a field with a predicate (`archived: true`,
 * `active_flag: false`, `deleted_at != null`) on the records the stream reads, or a separate endpoint of
 * deleted records, read after the main one.
 *
 * The engine marks a record deleted when its `deletedField` is truthy. A rule `field equals true` uses the
 * field itself; any other rule adds a boolean `_deleted` field to every record.
 */
import { z } from "zod";
import type { SyncRecord } from "../../core/index.ts";
import { getPath } from "../../http/json-path.ts";
import { cursorFormatSchema } from "./cursor-format.ts";
import { paginationSpecSchema } from "./pagination-spec.ts";
import { requestSpecSchema } from "./request.ts";

/** The field the kit adds when the provider's own field cannot serve as the engine's `deletedField`. */
export const DELETED_FLAG = "_deleted";

const primitive = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const fieldRule = z
  .strictObject({
    type: z.literal("field"),
    /** Dot path of the field (`deleted_at`). */
    field: z.string().min(1),
    /** Deleted when the field equals this value (`archived` equals true). */
    equals: primitive.optional(),
    /** Deleted when the field is present and differs from this value (`deleted_at` not equal to null). */
    notEquals: primitive.optional(),
  })
  .refine((rule) => "equals" in rule !== "notEquals" in rule, {
    message: "give exactly one of equals or notEquals",
  });

const endpointRule = z.strictObject({
  type: z.literal("endpoint"),
  /** The endpoint listing deleted records (`/v1/deals` with `status: "deleted"`). */
  request: requestSpecSchema,
  /** Dot path of the records array in its body; defaults to the stream's. */
  records: z.string().optional(),
  /** Its paginator; defaults to the stream's. */
  paginator: paginationSpecSchema.optional(),
  /**
   * Whether it takes the incremental cursor (then only deletions since are read): `true` in the stream's
   * parameter and format, or its own (`{ param: "since_timestamp", format: "datetime_space" }`).
   */
  since: z
    .union([z.boolean(), z.strictObject({ param: z.string().min(1), format: cursorFormatSchema })])
    .default(false),
  /**
   * For a feed of every change (not only deletions): which items are deletions (`data.active_flag` equals
   * false); the others are skipped, since the stream's own endpoint reads them.
   */
  where: z.strictObject({ field: z.string().min(1), equals: primitive }).optional(),
  /** Dot path of the deleted record's primary key in an item, when the item is not the record (`id`). */
  idAt: z.string().min(1).optional(),
});

export const deleteRuleSchema = z.discriminatedUnion("type", [fieldRule, endpointRule]);

export type DeleteRule = z.input<typeof deleteRuleSchema>;
export type ParsedDeleteRule = z.output<typeof deleteRuleSchema>;
export type ParsedEndpointRule = z.output<typeof endpointRule>;

/** The record field the engine reads the deleted flag from. */
export function deletedFieldOf(rule: ParsedDeleteRule): string {
  return rule.type === "field" && "equals" in rule && rule.equals === true && !rule.field.includes(".")
    ? rule.field
    : DELETED_FLAG;
}

/** Whether a record read from the stream's main endpoint is deleted by the rule. */
export function isDeletedByField(rule: ParsedDeleteRule, record: SyncRecord): boolean {
  if (rule.type !== "field") return false;
  const value = getPath(record, rule.field);
  if ("equals" in rule) return value === rule.equals;
  // A missing field says nothing: `deleted_at != null` must not mark records that lack the field.
  return value !== undefined && value !== rule.notEquals;
}

/** Sets the deleted flag on a record, unless the engine reads the provider's own field. */
export function markDeleted(rule: ParsedDeleteRule, record: SyncRecord, deleted: boolean): SyncRecord {
  if (deletedFieldOf(rule) !== DELETED_FLAG) return record;
  record[DELETED_FLAG] = deleted;
  return record;
}
