/**
 * A stream's schema as declared: static columns, and optionally a fields endpoint that describes the rest
 * (the provider's field list, with custom fields), read at the start of every read.
 */
import { z } from "zod";
import { paginationSpecSchema } from "./pagination-spec.ts";
import { requestSpecSchema } from "./request.ts";

export const columnTypeSchema = z.enum(["string", "integer", "number", "boolean", "timestamp", "json"]);

export const discoverySpecSchema = z.strictObject({
  /** The fields endpoint (`/v1/personFields`). */
  request: requestSpecSchema,
  /** Dot path of the field definitions array in its body. */
  records: z.string(),
  /** Its paginator; absent: one page. */
  paginator: paginationSpecSchema.optional(),
  /** Dot path, in a field definition, of the field's key in records. Default `key`. */
  key: z.string().min(1).default("key"),
  /** Dot path of the field's human name. Default `name`. */
  name: z.string().min(1).default("name"),
  /** Dot path of the provider's type of the field. Default `type`. */
  type: z.string().min(1).default("type"),
  /** Provider type → column type (`double: "number"`); unlisted types are strings. */
  types: z.record(z.string(), columnTypeSchema).default({}),
  /**
   * Which definitions are custom fields (`edit_flag` equals true): their values are renamed from the
   * provider's key (often a hash) to a column named after the field's name. Absent: nothing is renamed.
   */
  custom: z
    .strictObject({ field: z.string().min(1), equals: z.union([z.string(), z.number(), z.boolean()]) })
    .optional(),
  /** Top-level record field holding custom values by key (`custom_fields`); absent: they are top-level. */
  customValuesAt: z.string().min(1).optional(),
});

export const schemaSpecSchema = z.strictObject({
  /** Columns every record has; these types win over discovered ones. */
  columns: z.record(z.string(), columnTypeSchema),
  discover: discoverySpecSchema.optional(),
});

export type SchemaSpec = z.input<typeof schemaSpecSchema>;
export type ParsedDiscoverySpec = z.output<typeof discoverySpecSchema>;
