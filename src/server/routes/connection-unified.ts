/**
 * A connection's unified (Common Model) objects and remote fields, read with the environment's API key alone:
 * what the dashboard shows beside the raw records and picks field mappings from, without asking a person
 * for the connection's account token (which stays secret: only the Merge-compatible API takes it). Both read
 * through the same app functions as `/api/crm/v1/{model}` and `/api/crm/v1/remote-fields`.
 */
import { z } from "zod";
import { remoteFieldsOf } from "../../app/unified/field-mappings.ts";
import { listUnifiedServed } from "../../app/unified/reads.ts";
import { unifiedMappers } from "../../providers/unified-mappers.ts";
import { getConnectionIn } from "../../store/index.ts";
import type { CrmModelName } from "../../unified/mappers.ts";
import { getUnifiedModel } from "../../unified/registry.ts";
import { PreparedJson } from "../prepared-json.ts";
import { defineRoute } from "../route.ts";
import { idParams, queryBoolean, queryInt } from "../schemas.ts";

const CRM_MODELS: readonly CrmModelName[] = ["Contact", "Account", "Opportunity", "User", "Stage"];
/** `contacts` → `Contact`: the path segment Merge names each model's endpoints by. */
const modelByPath = new Map(CRM_MODELS.map((name) => [getUnifiedModel("crm", name).path, name]));
const modelPaths = [...modelByPath.keys()] as [string, ...string[]];

export const listConnectionUnifiedRoute = defineRoute({
  method: "GET",
  url: "/v1/connections/:id/unified/:model",
  name: "listConnectionUnified",
  summary: "A connection's unified objects of one Common Model",
  description:
    "The page `GET /api/crm/v1/{model}` would answer for this connection's account token, read with the API " +
    "key alone: Merge-shaped objects (`next`, `previous`, `results`), in id order, from the records cache.",
  tags: ["Unified CRM"],
  auth: "api_key",
  params: z.strictObject({
    id: idParams.shape.id.describe("The connection (`conn_…`)."),
    model: z.enum(modelPaths).describe(`The Common Model's path: ${modelPaths.join(", ")}.`),
  }),
  query: z.strictObject({
    remote_id: z.string().max(500).optional().describe("Only the object with this provider id."),
    include_deleted_data: queryBoolean().optional().describe("Also objects the provider deleted."),
    cursor: z.string().max(1_000).optional().describe("The `next` or `previous` of a page."),
    page_size: queryInt(1, 100).default(100).describe("Objects per page (1–100, default 100)."),
  }),
  response: {
    200: z
      .object({
        next: z.string().nullable(),
        previous: z.string().nullable(),
        results: z
          .array(z.record(z.string(), z.unknown()))
          .describe("Objects as the Common Model shapes them."),
      })
      .meta({ id: "ConnectionUnifiedPage" }),
  },
  errors: ["not_found", "argument_invalid"],
}).handle(async ({ params, query, caller, deps }) => {
  const connection = await getConnectionIn(deps.db, caller.environmentId, params.id);
  const model = modelByPath.get(params.model) as CrmModelName;
  const page = await listUnifiedServed(deps.db, unifiedMappers, connection, model, {
    pageSize: query.page_size,
    ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
    filters: {
      includeDeleted: query.include_deleted_data === true,
      ...(query.remote_id !== undefined ? { remoteId: query.remote_id } : {}),
    },
    expand: [],
    includeRemoteData: false,
  });
  return { status: 200, body: "json" in page ? new PreparedJson(page.json) : page };
});

const remoteFieldSchema = z.object({
  key: z.string().describe("The field's dotted path (`properties.favorite_color`)."),
  path: z.array(z.union([z.string(), z.number()])).describe("The same path, step by step."),
  kind: z.string().describe("string, number, date, datetime, bool or list."),
  declared: z
    .boolean()
    .describe("Declared by the stream; the others were found in payloads (custom fields)."),
  coverage: z.number().describe("Share of the sampled records holding a value (0 to 1)."),
});

export const listConnectionRemoteFieldsRoute = defineRoute({
  method: "GET",
  url: "/v1/connections/:id/remote-fields",
  name: "listConnectionRemoteFields",
  summary: "A connection's provider fields, per Common Model",
  description:
    "The fields `GET /api/crm/v1/remote-fields` lists for this connection, custom ones included, read with the " +
    "API key alone: found in its synced records and its streams' declared columns; none for a model before " +
    "its first sync. Pick one as a field mapping's `remote_field_traversal_path`.",
  tags: ["Unified CRM"],
  auth: "api_key",
  params: idParams,
  response: {
    200: z.object({
      connection_id: z.string(),
      data: z.array(
        z.object({
          model: z.string().describe("The Common Model (`Contact`)."),
          url_path: z
            .string()
            .describe("The provider path of its objects (`/crm/v3/objects/contacts/{id}`)."),
          fields: z.array(remoteFieldSchema),
        }),
      ),
    }),
  },
  errors: ["not_found"],
}).handle(async ({ params, caller, deps }) => {
  const connection = await getConnectionIn(deps.db, caller.environmentId, params.id);
  const found = await remoteFieldsOf(
    { db: deps.db, registry: unifiedMappers, providers: deps.providers },
    connection,
  );
  const data = found.map((entry) => ({
    model: entry.model,
    url_path: entry.urlPath,
    fields: entry.fields.map((field) => ({
      key: field.path.join("."),
      path: field.path,
      kind: field.kind,
      declared: field.declared,
      coverage: field.coverage,
    })),
  }));
  return { status: 200, body: { connection_id: connection.id, data } };
});

export const connectionUnifiedRoutes = [listConnectionUnifiedRoute, listConnectionRemoteFieldsRoute] as const;
