/**
 * Merge's write meta endpoints: `GET /api/crm/v1/{contacts,accounts,opportunities}/meta/post` and
 * `/meta/patch/{id}`, answering Merge's `MetaResponse`: the JSON Schema of the `{model}` body the linked
 * account's provider can take (only the fields its writer writes; on POST, the ones it requires), and
 * whether a request can be made now.
 */
import { z } from "zod";
import { linkedAccountStatus } from "../../app/unified/linked-accounts.ts";
import { getUnified } from "../../app/unified/reads.ts";
import { unifiedMappers } from "../../providers/unified-mappers.ts";
import { unifiedWriters } from "../../providers/unified-writers.ts";
import type { ConnectionRow } from "../../store/index.ts";
import { DetailErrorResponse } from "../../unified/crm/index.ts";
import { getUnifiedModel, type JsonSchema, toJsonSchema } from "../../unified/registry.ts";
import type { WritableModel } from "../../unified/writers.ts";
import { defineRoute } from "../route.ts";

export const MetaResponse = z
  .object({
    request_schema: z.record(z.string(), z.unknown()).describe("JSON Schema of the request body."),
    remote_field_classes: z.record(z.string(), z.unknown()).nullable().optional(),
    status: z
      .object({ linked_account_status: z.string(), can_make_request: z.boolean() })
      .nullable()
      .optional()
      .describe("The linked account's status, and whether a write can be made now."),
    has_conditional_params: z.boolean(),
    has_required_linked_account_params: z.boolean(),
  })
  .meta({
    id: "crm.MetaResponse",
    description: "What a write of the model can carry for this linked account.",
  });

/** The request schema for the account's provider: the model's request fields its writer writes. */
export function requestSchemaFor(
  connection: Pick<ConnectionRow, "provider">,
  model: WritableModel,
  kind: "post" | "patch",
): JsonSchema {
  const writes = getUnifiedModel("crm", model).writes!;
  const writer = unifiedWriters.find(connection.provider, model);
  const converted = toJsonSchema(kind === "post" ? writes.create : writes.patch, "input");
  // The request model has an id, so it comes out as a `$ref` into `$defs`: take it out as the model itself.
  const { $schema: _dialect, $ref, $defs: allDefs, ...root } = converted;
  const defs = { ...(allDefs as Record<string, JsonSchema> | undefined) };
  const name = typeof $ref === "string" ? $ref.replace("#/$defs/", "") : undefined;
  const modelSchema = name !== undefined && defs[name] ? defs[name] : root;
  if (name !== undefined) delete defs[name];
  const { properties, ...rest } = modelSchema;
  const $defs = Object.keys(defs).length > 0 ? defs : undefined;
  const all = (properties ?? {}) as Record<string, unknown>;
  const writable = Object.fromEntries(Object.entries(all).filter(([name]) => writer?.fields.includes(name)));
  const required = kind === "post" ? [...(writer?.required ?? [])] : [];
  return {
    type: "object",
    properties: {
      model: { ...rest, type: "object", properties: writable, ...(required.length > 0 ? { required } : {}) },
    },
    required: ["model"],
    ...($defs ? { $defs } : {}),
  };
}

function metaOf(connection: ConnectionRow, model: WritableModel, kind: "post" | "patch") {
  const status = linkedAccountStatus(connection.status);
  return {
    request_schema: requestSchemaFor(connection, model, kind),
    remote_field_classes: {},
    status: {
      linked_account_status: status,
      can_make_request:
        status === "COMPLETE" && unifiedWriters.find(connection.provider, model) !== undefined,
    },
    has_conditional_params: false,
    has_required_linked_account_params: false,
  };
}

function metaRoutes(model: WritableModel, operation: string) {
  const { path } = getUnifiedModel("crm", model);
  const post = defineRoute({
    method: "GET",
    url: `/api/crm/v1/${path}/meta/post`,
    name: `${operation}MetaPostRetrieve`,
    summary: `What a POST of ${path} can carry`,
    description: `Merge's \`GET /crm/v1/${path}/meta/post\`: the fields the linked account's provider takes.`,
    tags: ["Unified CRM"],
    auth: "account_token",
    response: { 200: MetaResponse },
    errors: [],
    errorBody: DetailErrorResponse,
  }).handle(async ({ account }) => ({ status: 200, body: metaOf(account, model, "post") }));
  const patch = defineRoute({
    method: "GET",
    url: `/api/crm/v1/${path}/meta/patch/:id`,
    name: `${operation}MetaPatchRetrieve`,
    summary: `What a PATCH of one of ${path} can carry`,
    description: `Merge's \`GET /crm/v1/${path}/meta/patch/{id}\`: the fields of the object that can be changed.`,
    tags: ["Unified CRM"],
    auth: "account_token",
    params: z.strictObject({ id: z.string().min(1).max(200).describe("Switchyard's id of the object.") }),
    response: { 200: MetaResponse },
    errors: ["not_found"],
    errorBody: DetailErrorResponse,
  }).handle(async ({ params, account, deps }) => {
    // Only an object the account has can be patched.
    await getUnified(deps.db, unifiedMappers, account, model, params.id, {
      expand: [],
      includeRemoteData: false,
    });
    return { status: 200, body: metaOf(account, model, "patch") };
  });
  return [post, patch] as const;
}

export const crmMetaRoutes = [
  ...metaRoutes("Contact", "contacts"),
  ...metaRoutes("Account", "accounts"),
  ...metaRoutes("Opportunity", "opportunities"),
] as const;
