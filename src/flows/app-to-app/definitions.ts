/**
 * What an app-to-app flow is, as its API body and stored JSON take it (zod at the boundary): records of one
 * connection (a stream, or a unified Common Model) moved into another connection of the same end user (a
 * provider's object through its typed actions, or a unified Common Model), one way or both, with a
 * declarative filter, a field mapping and a small, safe set of transforms (no code is evaluated).
 */
import { z } from "zod";
import { syncTarget } from "../reverse-etl/definitions.ts";

/** A dotted path into a record or an action's input (`properties.email`, `emails.0.value`). */
export const fieldPath = z
  .string()
  .regex(/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/, "must be a field name or a dotted path (properties.email)");

export const unifiedModels = ["Contact", "Account", "Opportunity"] as const;
export type FlowModel = (typeof unifiedModels)[number];

/** One side of a flow: a connection, what is read of it, and (when the flow writes it) how it is written. */
export const flowSide = z
  .strictObject({
    connection_id: z.string().min(1),
    stream: z.string().min(1).optional().describe("A stream of the connection, read from the records cache."),
    model: z
      .enum(unifiedModels)
      .optional()
      .describe("A unified Common Model: read through the provider's mapper, written through its writer."),
    target: syncTarget
      .optional()
      .describe("How this side is written (a stream's side: the provider's typed actions)."),
    updated_at: fieldPath
      .optional()
      .describe("The record's field holding when it last changed at the provider (conflicts: newest wins)."),
  })
  .refine((side) => (side.stream === undefined) !== (side.model === undefined), {
    message: "a side names exactly one of `stream` or `model`",
  });
export type FlowSide = z.infer<typeof flowSide>;

export const filterOps = [
  "=",
  "!=",
  "in",
  "not_in",
  "exists",
  "not_exists",
  "contains",
  ">",
  ">=",
  "<",
  "<=",
] as const;
export type FilterOp = (typeof filterOps)[number];

/** `field op value`, e.g. `properties.lifecyclestage = salesqualifiedlead`; all clauses of a filter must hold. */
export const filterClause = z.strictObject({
  field: fieldPath,
  op: z.enum(filterOps),
  value: z.unknown().optional().describe("A list for `in` / `not_in`; none for `exists` / `not_exists`."),
});
export type FilterClause = z.infer<typeof filterClause>;

export const transform = z.discriminatedUnion("op", [
  z.strictObject({ op: z.literal("lowercase") }),
  z.strictObject({ op: z.literal("uppercase") }),
  z.strictObject({ op: z.literal("trim") }),
  z.strictObject({
    op: z.literal("concat"),
    fields: z
      .array(fieldPath)
      .min(1)
      .max(20)
      .describe("Further fields of the source record, after the value."),
    separator: z.string().max(20).default(" "),
  }),
  z.strictObject({
    op: z.literal("map_values"),
    values: z.record(z.string(), z.unknown()),
    otherwise: z.unknown().optional().describe("For a value not listed (default: the value as it is)."),
  }),
  z.strictObject({ op: z.literal("default"), value: z.unknown() }),
  z.strictObject({
    op: z.literal("date_format"),
    format: z.enum(["date", "datetime", "unix_s", "unix_ms"]),
  }),
]);
export type Transform = z.infer<typeof transform>;

/** One field of the target filled from the source record: its value at `from`, through the transforms. */
export const fieldRule = z.strictObject({
  from: fieldPath
    .optional()
    .describe("The source record's field (none: from transforms alone, e.g. default)."),
  to: fieldPath.describe("The target's input field."),
  transforms: z.array(transform).max(20).default([]),
  to_read: fieldPath
    .optional()
    .describe("Two-way: where the target's record holds the field when read (default: `to`)."),
  from_write: fieldPath
    .optional()
    .describe("Two-way: the source's input field it is written back into (default: `from`)."),
  reverse_transforms: z
    .array(transform)
    .max(20)
    .default([])
    .describe("Two-way: applied from target to source."),
});
export type FieldRule = z.infer<typeof fieldRule>;

export const conflictPolicy = z.discriminatedUnion("policy", [
  z.strictObject({ policy: z.literal("newest") }),
  z.strictObject({
    policy: z.literal("source_of_truth"),
    fields: z
      .record(fieldPath, z.enum(["from", "to"]))
      .describe("Per mapping rule, by its `to` field: which side wins when both changed; others: newest."),
  }),
]);
export type ConflictPolicy = z.infer<typeof conflictPolicy>;

export const flowInput = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "must be lower-case letters, digits, _ or -, up to 63 characters"),
  from: flowSide,
  to: flowSide,
  direction: z.enum(["one_way", "two_way"]).default("one_way"),
  filter: z.array(filterClause).max(50).default([]).describe("On the `from` records; all must hold."),
  to_filter: z
    .array(filterClause)
    .max(50)
    .default([])
    .describe("Two-way: on the `to` records created in `from`; all must hold."),
  mapping: z.array(fieldRule).min(1).max(500),
  conflict: conflictPolicy.default({ policy: "newest" }),
  schedule: z.string().min(1).max(100).optional().describe("How often it runs: `5m`, `1h`, or cron."),
  on_change: z.boolean().default(false).describe("Also run when `records.changed` names a side's stream."),
  on_delete: z
    .enum(["delete", "keep"])
    .optional()
    .describe(
      "A linked record deleted on one side: `delete` deletes (or archives) its pair through the written side's delete action; `keep` leaves it. Default: delete where that side's target can delete, else keep.",
    ),
  enabled: z.boolean().default(true),
});
export type FlowInput = z.infer<typeof flowInput>;
export type FlowInputBody = z.input<typeof flowInput>;

/** The two sides, by the names the store and results use. */
export type SideName = "from" | "to";
