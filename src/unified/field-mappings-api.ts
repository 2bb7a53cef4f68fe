/**
 * Merge's Field Mapping API on the wire, as its SDK (`crm.fieldMapping`) serializes it: the mapping
 * (`FieldMappingApiInstance`), lists of it grouped by Common Model, the create and patch bodies, remote fields
 * (`RemoteFieldAPI`) and target fields (`ExternalTargetFieldAPI`).
 */
import { z } from "zod";
import { DebugModeLog, ErrorValidationProblem, WarningValidationProblem } from "./crm/index.ts";
import type { CrmModelName } from "./mappers.ts";

export const CRM_MODEL_NAMES = [
  "Account",
  "Contact",
  "Opportunity",
  "User",
  "Stage",
] as const satisfies readonly CrmModelName[];

/** Merge's CRM models that Switchyard does not serve (yet); named so errors can say so. */
export const UNSERVED_CRM_MODELS = ["Lead", "Note", "Task", "Engagement"] as const;

const traversalPath = z
  .array(z.union([z.string().min(1).max(200), z.number().int().min(0).max(10_000)]))
  .min(1)
  .max(10);

/** Merge's JMESPath post-processing of a mapped value: refused rather than ignored. */
const unsupportedJmesPath = z
  .unknown()
  .refine(
    (value) => value === undefined || value === null,
    "`jmes_path` is not supported by Switchyard yet; leave it out.",
  )
  .optional();

export const RemoteEndpointInfo = z
  .object({
    method: z.string().describe("The HTTP method of the provider endpoint the field comes from."),
    url_path: z.string().describe("The provider path of the objects the field is read on."),
    field_traversal_path: traversalPath.describe("The field's path in the provider's payload."),
  })
  .meta({ id: "crm.RemoteEndpointInfo" });

export const FieldMappingApiInstance = z
  .object({
    id: z.string(),
    is_integration_wide: z
      .boolean()
      .describe("True for an environment-wide mapping: it applies to every connection of the provider."),
    target_field: z.object({
      name: z.string(),
      description: z.string(),
      is_organization_wide: z
        .boolean()
        .describe(
          "True when the environment defines the target for the model (an environment-wide mapping).",
        ),
    }),
    remote_field: z.object({
      remote_key_name: z.string().nullable(),
      schema: z.record(z.string(), z.unknown()).nullable(),
      remote_endpoint_info: RemoteEndpointInfo,
    }),
    jmes_path: z.string().nullable(),
  })
  .meta({ id: "crm.FieldMappingApiInstance", description: "A field mapping." });

/** `{Account: [...], Contact: [...], ...}`: Merge groups mappings, remote and target fields by model. */
function byModel<T extends z.ZodType>(item: T, id: string) {
  return z
    .object(
      Object.fromEntries(CRM_MODEL_NAMES.map((name) => [name, z.array(item).optional()])) as Record<
        (typeof CRM_MODEL_NAMES)[number],
        z.ZodOptional<z.ZodArray<T>>
      >,
    )
    .meta({ id });
}

export const FieldMappingApiInstanceResponse = byModel(
  FieldMappingApiInstance,
  "crm.FieldMappingApiInstanceResponse",
);

export const FieldMappingInstanceResponse = z
  .object({
    model: FieldMappingApiInstance,
    warnings: z.array(WarningValidationProblem),
    errors: z.array(ErrorValidationProblem),
    logs: z.array(DebugModeLog).optional(),
  })
  .meta({ id: "crm.FieldMappingInstanceResponse" });

export const CreateFieldMappingRequest = z
  .strictObject({
    target_field_name: z
      .string()
      .min(1)
      .max(64)
      .describe("A new field's name, or a plain field of the model to override."),
    target_field_description: z.string().max(1_000).describe("What the target field holds."),
    remote_field_traversal_path: traversalPath.describe(
      "The path of a remote field, as `GET /remote-fields` lists it.",
    ),
    remote_method: z.string().min(1).max(10).describe("`GET`, as `GET /remote-fields` lists it."),
    remote_url_path: z
      .string()
      .min(1)
      .max(500)
      .describe("The `url_path` `GET /remote-fields` lists for the field."),
    common_model_name: z
      .string()
      .min(1)
      .max(50)
      .describe("`Account`, `Contact`, `Opportunity`, `User` or `Stage`."),
    jmes_path: unsupportedJmesPath,
  })
  .meta({ id: "crm.CreateFieldMappingRequest" });

export const PatchedEditFieldMappingRequest = z
  .strictObject({
    remote_field_traversal_path: traversalPath.optional(),
    remote_method: z.string().min(1).max(10).optional(),
    remote_url_path: z.string().min(1).max(500).optional(),
    jmes_path: unsupportedJmesPath,
  })
  .meta({ id: "crm.PatchedEditFieldMappingRequest" });

/** `exclude_remote_field_metadata` and `remote_data_iteration_count`, as the SDK sends them on writes. */
export const fieldMappingWriteQuery = {
  exclude_remote_field_metadata: z.string().optional(),
  remote_data_iteration_count: z.string().optional(),
};

export const RemoteFieldApi = z
  .object({
    schema: z.record(z.string(), z.unknown()),
    remote_key_name: z.string(),
    remote_endpoint_info: RemoteEndpointInfo,
    example_values: z.array(z.unknown()).nullable().optional(),
    advanced_metadata: z
      .object({
        id: z.string(),
        display_name: z.string().nullable().optional(),
        description: z.string().nullable().optional(),
        is_required: z.boolean().nullable().optional(),
        is_custom: z.boolean().nullable().optional(),
        field_choices: z.array(z.unknown()).nullable().optional(),
      })
      .nullable()
      .optional(),
    coverage: z.number().nullable().optional(),
  })
  .meta({ id: "crm.RemoteFieldAPI", description: "A provider field that a mapping can read." });

export const RemoteFieldApiResponse = byModel(RemoteFieldApi, "crm.RemoteFieldAPIResponse");

export const ExternalTargetFieldApi = z
  .object({
    name: z.string().nullable().optional(),
    description: z.string().nullable().optional(),
    is_mapped: z.string().nullable().optional().describe('"true" when the linked account maps the target.'),
  })
  .meta({ id: "crm.ExternalTargetFieldAPI", description: "An environment-wide target field." });

export const ExternalTargetFieldApiResponse = byModel(
  ExternalTargetFieldApi,
  "crm.ExternalTargetFieldAPIResponse",
);
