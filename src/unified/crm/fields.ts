/**
 * Field builders shared by the CRM Common Models, so each model file lists only its own fields.
 *
 * Merge's rules, from its CRM OpenAPI document and its Node SDK: no field of a Common Model is required;
 * a field marked `nullable` there may be `null`; read-only bookkeeping fields (`id`, `created_at`,
 * `modified_at`, `remote_was_deleted`, nested lists) are absent or a value, never `null`.
 */
import { z } from "zod";
import { FieldMappings } from "./field-mappings.ts";
import { RemoteData } from "./remote-data.ts";
import { RemoteField, RemoteFieldRequest } from "./remote-field.ts";

/** An ISO 8601 timestamp with a time zone (`2024-03-01T12:00:00Z`), as Merge writes every datetime. */
export function timestamp() {
  return z.iso.datetime({ offset: true });
}

/** A field Merge may omit or send as `null`. */
export function nullable<T extends z.ZodType>(schema: T) {
  return schema.nullable().optional();
}

/** A reference to another model: its `id`, or the object itself when the request asks to `expand` it. */
export function idOr<T extends z.ZodType>(model: T) {
  return z.union([z.string(), model]);
}

/** A 32-bit integer, as Merge's integer fields are. */
export function int32() {
  return z.number().int().min(-2_147_483_648).max(2_147_483_647);
}

/** Free-form parameters a write passes to the provider unchanged (`integration_params`, `linked_account_params`). */
export function passThroughParams() {
  return nullable(z.record(z.string(), z.unknown())).describe(
    "Extra parameters handed to the provider as they are; writes only.",
  );
}

/** The fields every Common Model starts with. */
export const leadingFields = {
  id: z.string().optional().describe("Switchyard's id of the object."),
  remote_id: nullable(z.string()).describe("The provider's id of the object."),
  created_at: timestamp().optional().describe("When Switchyard first stored the object."),
  modified_at: timestamp().optional().describe("When Switchyard last changed the object."),
};

/** The fields every Common Model ends with. */
export const trailingFields = {
  remote_was_deleted: z.boolean().optional().describe("True once the provider has deleted the object."),
  field_mappings: nullable(FieldMappings).describe("Values of the field mappings that apply to the object."),
  remote_data: nullable(z.array(RemoteData)).describe(
    "The provider's raw payloads; only with `include_remote_data=true`.",
  ),
  remote_fields: z
    .array(RemoteField)
    .optional()
    .describe("The provider's fields and their values; only with `include_remote_fields=true`."),
};

/** The fields every write request (POST and PATCH) ends with. */
export const writeOnlyFields = {
  integration_params: passThroughParams(),
  linked_account_params: passThroughParams(),
  remote_fields: z
    .array(RemoteFieldRequest)
    .optional()
    .describe("Provider fields to set, custom fields included."),
};
