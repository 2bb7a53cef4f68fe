/**
 * Merge's Field Mapping API for the linked account the `X-Account-Token` names: `GET/POST /field-mappings`,
 * `PATCH/DELETE /field-mappings/{id}`, `GET /remote-fields` and `GET /target-fields`, under `/api/crm/v1`.
 * A linked account manages its own mappings here; environment-wide ones are listed (`is_integration_wide`)
 * and managed through `/v1/field-mappings`.
 */
import { z } from "zod";
import type { PlatformDeps } from "../../app/platform.ts";
import {
  changeMapping,
  createConnectionMapping,
  deleteFieldMapping,
  type FieldMappingDeps,
  mappingsOfConnection,
  ownMappingOf,
  remoteFieldsOf,
  servedModel,
  targetFieldsOf,
} from "../../app/unified/field-mappings.ts";
import { unifiedMappers } from "../../providers/unified-mappers.ts";
import { DetailErrorResponse } from "../../unified/crm/index.ts";
import {
  CreateFieldMappingRequest,
  ExternalTargetFieldApiResponse,
  FieldMappingApiInstanceResponse,
  FieldMappingInstanceResponse,
  fieldMappingWriteQuery,
  PatchedEditFieldMappingRequest,
  type RemoteFieldApi,
  RemoteFieldApiResponse,
} from "../../unified/field-mappings-api.ts";
import { schemaOfKind } from "../../unified/field-mappings-remote-fields.ts";
import { unifiedId } from "../../unified/mappers.ts";
import { defineRoute } from "../route.ts";
import { queryBoolean, queryItems } from "../schemas.ts";
import {
  emptyByModel,
  type Instance,
  instanceResponse,
  pushTo,
  toApiInstance,
} from "./field-mappings-views.ts";

const URL = "/api/crm/v1/field-mappings";
const tags = ["Unified CRM field mappings"];

function mappingDeps(deps: PlatformDeps): FieldMappingDeps {
  return { db: deps.db, registry: unifiedMappers, providers: deps.providers };
}

export const listFieldMappingsMergeRoute = defineRoute({
  method: "GET",
  url: URL,
  name: "fieldMappingsRetrieve",
  summary: "The linked account's field mappings, by Common Model",
  description:
    "Its own mappings and its environment's for its provider (`is_integration_wide`), grouped by model as " +
    "Merge returns them.",
  tags,
  auth: "account_token",
  query: z.looseObject({ exclude_remote_field_metadata: queryBoolean().optional() }),
  response: { 200: FieldMappingApiInstanceResponse },
  errors: [],
  errorBody: DetailErrorResponse,
}).handle(async ({ query, account, deps }) => {
  const { mappings, organizationTargets } = await mappingsOfConnection(deps.db, account);
  const body = emptyByModel<Instance>(unifiedMappers.modelsOf(account.provider));
  for (const mapping of mappings) {
    pushTo(
      body,
      mapping.model,
      toApiInstance(
        mapping,
        organizationTargets,
        deps.providers,
        query.exclude_remote_field_metadata === true,
      ),
    );
  }
  return { status: 200, body };
});

export const createFieldMappingMergeRoute = defineRoute({
  method: "POST",
  url: URL,
  name: "fieldMappingsCreate",
  summary: "Create a field mapping for the linked account",
  description:
    "Maps a remote field (a path GET /remote-fields lists, custom fields included) onto a new target field of " +
    "the model, or onto a plain field of the model, which it then overrides. It applies at the next read, " +
    "re-mapped from the cached payloads: no new sync is needed.",
  tags,
  auth: "account_token",
  query: z.looseObject(fieldMappingWriteQuery),
  body: CreateFieldMappingRequest,
  response: { 201: FieldMappingInstanceResponse },
  errors: ["argument_invalid", "conflict"],
  errorBody: DetailErrorResponse,
  example: {
    body: {
      target_field_name: "favorite_color",
      target_field_description: "The contact's favorite color.",
      remote_field_traversal_path: ["favorite_color"],
      remote_method: "GET",
      remote_url_path: "/crm/v3/objects/contacts/{id}",
      common_model_name: "Contact",
    },
  },
}).handle(async ({ body, account, deps }) => {
  const mapping = await createConnectionMapping(mappingDeps(deps), account, {
    model: body.common_model_name,
    targetFieldName: body.target_field_name,
    targetFieldDescription: body.target_field_description,
    traversalPath: body.remote_field_traversal_path,
    remoteMethod: body.remote_method,
    remoteUrlPath: body.remote_url_path,
  });
  const { organizationTargets } = await mappingsOfConnection(deps.db, account);
  return { status: 201, body: instanceResponse(toApiInstance(mapping, organizationTargets, deps.providers)) };
});

const idParams = z.strictObject({ id: z.string().min(1).max(200).describe("The field mapping's id.") });

export const patchFieldMappingMergeRoute = defineRoute({
  method: "PATCH",
  url: `${URL}/:id`,
  name: "fieldMappingsPartialUpdate",
  summary: "Change where a field mapping of the linked account reads from",
  tags,
  auth: "account_token",
  params: idParams,
  query: z.looseObject(fieldMappingWriteQuery),
  body: PatchedEditFieldMappingRequest,
  response: { 200: FieldMappingInstanceResponse },
  errors: ["argument_invalid", "not_found", "forbidden"],
  errorBody: DetailErrorResponse,
  example: { body: { remote_field_traversal_path: ["jobtitle"] } },
}).handle(async ({ params, body, account, deps }) => {
  const mapping = await ownMappingOf(deps.db, account, params.id);
  const changed = await changeMapping(mappingDeps(deps), mapping, {
    ...(body.remote_field_traversal_path !== undefined
      ? { traversalPath: body.remote_field_traversal_path }
      : {}),
    ...(body.remote_method !== undefined ? { remoteMethod: body.remote_method } : {}),
    ...(body.remote_url_path !== undefined ? { remoteUrlPath: body.remote_url_path } : {}),
  });
  const { organizationTargets } = await mappingsOfConnection(deps.db, account);
  return { status: 200, body: instanceResponse(toApiInstance(changed, organizationTargets, deps.providers)) };
});

export const deleteFieldMappingMergeRoute = defineRoute({
  method: "DELETE",
  url: `${URL}/:id`,
  name: "fieldMappingsDestroy",
  summary: "Delete a field mapping of the linked account",
  tags,
  auth: "account_token",
  params: idParams,
  response: { 200: FieldMappingInstanceResponse },
  errors: ["not_found", "forbidden"],
  errorBody: DetailErrorResponse,
}).handle(async ({ params, account, deps }) => {
  const mapping = await ownMappingOf(deps.db, account, params.id);
  const { organizationTargets } = await mappingsOfConnection(deps.db, account);
  await deleteFieldMapping(deps.db, mapping);
  return { status: 200, body: instanceResponse(toApiInstance(mapping, organizationTargets, deps.providers)) };
});

export const remoteFieldsMergeRoute = defineRoute({
  method: "GET",
  url: "/api/crm/v1/remote-fields",
  name: "remoteFieldsRetrieve",
  summary: "The provider's fields of each Common Model, custom fields included",
  description:
    "Found in the linked account's synced records (the most recently changed 250 per model) and its streams' " +
    "declared columns; empty for a model before its first sync.",
  tags,
  auth: "account_token",
  query: z.looseObject({
    common_models: queryItems().optional().describe("Comma-separated model names (`Contact,Account`)."),
    include_example_values: queryBoolean().optional().describe("Add up to three values seen per field."),
  }),
  response: { 200: RemoteFieldApiResponse },
  errors: ["argument_invalid"],
  errorBody: DetailErrorResponse,
}).handle(async ({ query, account, deps }) => {
  const models = query.common_models?.map((name) => servedModel(unifiedMappers, account.provider, name));
  const found = await remoteFieldsOf(mappingDeps(deps), account, models);
  const body = emptyByModel<z.input<typeof RemoteFieldApi>>(
    models ?? unifiedMappers.modelsOf(account.provider),
  );
  for (const entry of found) {
    body[entry.model] = entry.fields.map((field) => {
      const key = field.path.join(".");
      return {
        schema: schemaOfKind(field.kind),
        remote_key_name: key,
        remote_endpoint_info: { method: "GET", url_path: entry.urlPath, field_traversal_path: field.path },
        example_values: query.include_example_values === true ? field.examples : null,
        advanced_metadata: {
          id: unifiedId(account.id, `remote-field:${entry.model}`, key),
          display_name: key,
          description: null,
          is_required: null,
          // Declared columns are the provider's own; of the others the payload cannot tell.
          is_custom: field.declared ? false : null,
          field_choices: null,
        },
        coverage: field.coverage,
      };
    });
  }
  return { status: 200, body };
});

export const targetFieldsMergeRoute = defineRoute({
  method: "GET",
  url: "/api/crm/v1/target-fields",
  name: "targetFieldsRetrieve",
  summary: "The environment's organization-wide target fields, by Common Model",
  description:
    "Targets of the environment-wide mappings (`/v1/field-mappings`); `is_mapped` says whether this linked " +
    "account has a value for it.",
  tags,
  auth: "account_token",
  response: { 200: ExternalTargetFieldApiResponse },
  errors: [],
  errorBody: DetailErrorResponse,
}).handle(async ({ account, deps }) => {
  const body = emptyByModel<{ name: string; description: string; is_mapped: string }>(
    unifiedMappers.modelsOf(account.provider),
  );
  for (const target of await targetFieldsOf(deps.db, account)) {
    pushTo(body, target.model, {
      name: target.name,
      description: target.description,
      is_mapped: String(target.isMapped),
    });
  }
  return { status: 200, body };
});

export const fieldMappingMergeRoutes = [
  listFieldMappingsMergeRoute,
  createFieldMappingMergeRoute,
  patchFieldMappingMergeRoute,
  deleteFieldMappingMergeRoute,
  remoteFieldsMergeRoute,
  targetFieldsMergeRoute,
] as const;
