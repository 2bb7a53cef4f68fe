/**
 * Field mappings of the caller's environment (`/v1/field-mappings`): environment-wide ones, which apply to every
 * connection of a provider (Merge's organization-wide mappings, which Merge's wire has no place to manage), and
 * any connection's own. The unified CRM API applies them at its next read, from the cached payloads.
 */
import { z } from "zod";
import type { PlatformDeps } from "../../app/platform.ts";
import {
  changeMapping,
  createConnectionMapping,
  createEnvironmentMapping,
  deleteFieldMapping,
  type FieldMappingDeps,
  getFieldMappingIn,
  listFieldMappingsOfEnvironment,
  type MappingInput,
} from "../../app/unified/field-mappings.ts";
import { unifiedMappers } from "../../providers/unified-mappers.ts";
import { getConnectionIn } from "../../store/index.ts";
import type { FieldMapping } from "../../unified/field-mappings.ts";
import { defineRoute } from "../route.ts";
import { idParams, timestamp } from "../schemas.ts";

const pathStep = z.union([z.string().min(1).max(200), z.number().int().min(0).max(10_000)]);
const traversalPath = z.array(pathStep).min(1).max(10);

const fieldMappingSchema = z
  .object({
    id: z.string(),
    provider: z.string(),
    connection_id: z.string().nullable().describe("Null for an environment-wide mapping."),
    common_model_name: z.string(),
    target_field_name: z.string(),
    target_field_description: z.string(),
    remote_field_traversal_path: traversalPath,
    remote_method: z.string(),
    remote_url_path: z.string(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: "FieldMapping", description: "A field mapping of the environment or of one connection." });

function view(mapping: FieldMapping): z.input<typeof fieldMappingSchema> {
  return {
    id: mapping.id,
    provider: mapping.provider,
    connection_id: mapping.connectionId,
    common_model_name: mapping.model,
    target_field_name: mapping.targetFieldName,
    target_field_description: mapping.targetFieldDescription,
    remote_field_traversal_path: mapping.traversalPath,
    remote_method: mapping.remoteMethod,
    remote_url_path: mapping.remoteUrlPath,
    created_at: mapping.createdAt,
    updated_at: mapping.updatedAt,
  };
}

function mappingDeps(deps: PlatformDeps): FieldMappingDeps {
  return { db: deps.db, registry: unifiedMappers, providers: deps.providers };
}

const tags = ["Field mappings"];

export const listFieldMappingsRoute = defineRoute({
  method: "GET",
  url: "/v1/field-mappings",
  name: "listFieldMappings",
  summary: "List field mappings",
  description:
    "Every field mapping of the environment (they are few: no paging), optionally of one provider or connection.",
  tags,
  auth: "api_key",
  query: z.strictObject({
    provider: z.string().max(100).optional(),
    connection_id: z.string().max(200).optional(),
  }),
  response: { 200: z.object({ data: z.array(fieldMappingSchema) }) },
  errors: [],
}).handle(async ({ query, caller, deps }) => {
  const mappings = await listFieldMappingsOfEnvironment(deps.db, caller.environmentId, {
    ...(query.provider !== undefined ? { provider: query.provider } : {}),
    ...(query.connection_id !== undefined ? { connectionId: query.connection_id } : {}),
  });
  return { status: 200, body: { data: mappings.map(view) } };
});

export const createFieldMappingRoute = defineRoute({
  method: "POST",
  url: "/v1/field-mappings",
  name: "createFieldMapping",
  summary: "Create a field mapping",
  description:
    "With `provider`: environment-wide, for every connection of that provider (its target is organization-wide). " +
    "With `connection_id`: for that connection only, as Merge's `POST /field-mappings` with its account token. " +
    "A connection's own mapping of a target wins over the environment's.",
  tags,
  auth: "api_key",
  body: z
    .strictObject({
      provider: z.string().min(1).max(100).optional(),
      connection_id: z.string().min(1).max(200).optional(),
      common_model_name: z.string().min(1).max(50),
      target_field_name: z.string().min(1).max(64),
      target_field_description: z.string().max(1_000).default(""),
      remote_field_traversal_path: traversalPath,
      remote_method: z.string().min(1).max(10).default("GET"),
      remote_url_path: z.string().min(1).max(500),
    })
    .refine((body) => (body.provider === undefined) !== (body.connection_id === undefined), {
      message: "Give exactly one of `provider` (environment-wide) and `connection_id` (one connection).",
    }),
  response: { 201: fieldMappingSchema },
  errors: ["argument_invalid", "conflict", "not_found", "unknown_provider"],
  example: {
    body: {
      provider: "hubspot",
      common_model_name: "Contact",
      target_field_name: "favorite_color",
      target_field_description: "The contact's favorite color.",
      remote_field_traversal_path: ["favorite_color"],
      remote_url_path: "/crm/v3/objects/contacts/{id}",
    },
  },
}).handle(async ({ body, caller, deps }) => {
  const input: MappingInput = {
    model: body.common_model_name,
    targetFieldName: body.target_field_name,
    targetFieldDescription: body.target_field_description,
    traversalPath: body.remote_field_traversal_path,
    remoteMethod: body.remote_method,
    remoteUrlPath: body.remote_url_path,
  };
  const mapping =
    body.connection_id !== undefined
      ? await createConnectionMapping(
          mappingDeps(deps),
          await getConnectionIn(deps.db, caller.environmentId, body.connection_id),
          input,
        )
      : await createEnvironmentMapping(mappingDeps(deps), caller.environmentId, body.provider!, input);
  return { status: 201, body: view(mapping) };
});

export const updateFieldMappingRoute = defineRoute({
  method: "PATCH",
  url: "/v1/field-mappings/:id",
  name: "updateFieldMapping",
  summary: "Change a field mapping",
  description: "Where it reads from, and its description; the objects show the change at the next read.",
  tags,
  auth: "api_key",
  params: idParams,
  body: z.strictObject({
    target_field_description: z.string().max(1_000).optional(),
    remote_field_traversal_path: traversalPath.optional(),
    remote_method: z.string().min(1).max(10).optional(),
    remote_url_path: z.string().min(1).max(500).optional(),
  }),
  response: { 200: fieldMappingSchema },
  errors: ["argument_invalid", "not_found"],
  example: { body: { remote_field_traversal_path: ["jobtitle"] } },
}).handle(async ({ params, body, caller, deps }) => {
  const mapping = await getFieldMappingIn(deps.db, caller.environmentId, params.id);
  const changed = await changeMapping(mappingDeps(deps), mapping, {
    ...(body.target_field_description !== undefined
      ? { targetFieldDescription: body.target_field_description }
      : {}),
    ...(body.remote_field_traversal_path !== undefined
      ? { traversalPath: body.remote_field_traversal_path }
      : {}),
    ...(body.remote_method !== undefined ? { remoteMethod: body.remote_method } : {}),
    ...(body.remote_url_path !== undefined ? { remoteUrlPath: body.remote_url_path } : {}),
  });
  return { status: 200, body: view(changed) };
});

export const deleteFieldMappingRoute = defineRoute({
  method: "DELETE",
  url: "/v1/field-mappings/:id",
  name: "deleteFieldMapping",
  summary: "Delete a field mapping",
  description: "The objects lose its value (or get the mapper's value back) at the next read.",
  tags,
  auth: "api_key",
  params: idParams,
  response: { 200: z.object({ id: z.string(), deleted: z.literal(true) }) },
  errors: ["not_found"],
}).handle(async ({ params, caller, deps }) => {
  const mapping = await getFieldMappingIn(deps.db, caller.environmentId, params.id);
  await deleteFieldMapping(deps.db, mapping);
  return { status: 200, body: { id: mapping.id, deleted: true as const } };
});

export const fieldMappingRoutes = [
  listFieldMappingsRoute,
  createFieldMappingRoute,
  updateFieldMappingRoute,
  deleteFieldMappingRoute,
] as const;
