/**
 * `RemoteField` and `RemoteFieldClass`: a provider field (custom ones included) and its value, and the
 * description of such a field; `RemoteFieldRequest` sets one on a write.
 */
import { z } from "zod";

/** Merge's `FieldTypeEnum`, `FieldFormatEnum`, `ItemTypeEnum` and `ItemFormatEnum` share these values. */
const FIELD_KINDS = ["string", "number", "date", "datetime", "bool", "list"] as const;

export const FieldKind = z
  .enum(FIELD_KINDS)
  .meta({ id: "crm.FieldKind", description: "A field's value kind." });

export const RemoteFieldClass = z
  .object({
    id: z.string().optional().describe("Switchyard's id of the field."),
    display_name: z.string().optional().describe("The field's label in the provider."),
    remote_key_name: z.string().optional().describe("The field's key in the provider's API."),
    description: z.string().optional().describe("The provider's description of the field."),
    is_custom: z.boolean().optional().describe("True for a custom field."),
    is_common_model_field: z.boolean().optional().describe("True when a Common Model field maps to it."),
    is_required: z.boolean().optional().describe("True when the provider requires a value."),
    field_type: FieldKind.optional().describe("The kind of value the field holds."),
    field_format: FieldKind.optional().describe("The format of the field's value."),
    field_choices: z
      .array(
        z.object({
          value: z.unknown().optional().describe("A value the field accepts."),
          display_name: z.string().optional().describe("The label of that value."),
        }),
      )
      .optional()
      .describe("The values a choice field accepts."),
    item_schema: z
      .object({
        item_type: FieldKind.optional(),
        item_format: FieldKind.optional(),
        item_choices: z.array(z.string()).optional(),
      })
      .optional()
      .describe("For a list field: what its items are."),
  })
  .meta({ id: "crm.RemoteFieldClass", description: "A provider field, described." });

export const RemoteField = z
  .object({
    remote_field_class: z
      .union([z.string(), RemoteFieldClass])
      .describe("The field: its id, or its description when expanded."),
    value: z.unknown().optional().describe("The field's value on this object."),
  })
  .meta({ id: "crm.RemoteField", description: "A provider field and its value on one object." });

export const RemoteFieldRequest = z
  .object({
    remote_field_class: z
      .union([z.string(), RemoteFieldClass])
      .describe("The field to set: its id (or its description, whose `id` is used)."),
    value: z.unknown().optional().describe("The value to write."),
  })
  .meta({ id: "crm.RemoteFieldRequest", description: "A provider field to set on a write." });
