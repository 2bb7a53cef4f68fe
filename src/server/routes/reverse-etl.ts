/**
 * Reverse ETL (docs/reverse-etl.md): models (SQL on the warehouse with a primary key) and reverse-ETL syncs
 * (a model into a connection's object), a run or a dry run of a sync, its runs and per-row results.
 */
import { z } from "zod";
import type { PlatformDeps } from "../../app/platform.ts";
import { createModel, deleteModel, getModel, listModels, updateModel } from "../../app/reverse-etl/models.ts";
import { listReverseEtlRuns, listRunRows, runReverseEtlSync } from "../../app/reverse-etl/run.ts";
import {
  createReverseEtlSync,
  deleteReverseEtlSync,
  getReverseEtlSync,
  listReverseEtlSyncs,
  updateReverseEtlSync,
} from "../../app/reverse-etl/syncs.ts";
import {
  fieldMap,
  modelInput,
  syncInput,
  syncMatch,
  syncModes,
  syncTarget,
} from "../../flows/reverse-etl/definitions.ts";
import { unifiedMappers } from "../../providers/unified-mappers.ts";
import { unifiedWriters } from "../../providers/unified-writers.ts";
import { defineRoute } from "../route.ts";
import { idParams, queryInt } from "../schemas.ts";

const tags = ["Reverse ETL"];

/** The platform's deps with the unified writers, which unified targets write through. */
export function writeDeps(deps: PlatformDeps) {
  return { ...deps, mappers: unifiedMappers, writers: unifiedWriters };
}

const modelSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    sql: z.string(),
    primary_key: z.string(),
    columns: z
      .array(z.object({ name: z.string(), type: z.string() }))
      .describe("As the query returned them when saved."),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: "ReverseEtlModel" });

const syncSchema = z
  .object({
    id: z.string(),
    model_id: z.string(),
    connection_id: z.string(),
    mode: z.enum(syncModes),
    target: syncTarget,
    match: syncMatch,
    mapping: z.array(fieldMap),
    frequency: z.string().nullable().describe("How often the scheduler runs it; null: only when asked."),
    time_zone: z.string().nullable(),
    next_run_at: z.string().nullable().describe("When the scheduler runs it next."),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: "ReverseEtlSync" });

const count = z.number().int();
export const runSchema = z
  .object({
    id: z.string(),
    sync_id: z.string(),
    dry_run: z.boolean(),
    status: z
      .enum(["running", "succeeded", "partial", "failed"])
      .describe("partial: some rows failed; the next run retries them."),
    stats: z.object({
      added: count,
      changed: count,
      removed: count,
      unchanged: count,
      created: count,
      updated: count,
      deleted: count,
      failed: count,
      skipped: count,
    }),
    samples: z
      .object({
        added: z.array(z.object({ pk: z.string(), row: z.record(z.string(), z.unknown()) })),
        changed: z.array(z.object({ pk: z.string(), row: z.record(z.string(), z.unknown()) })),
        removed: z.array(z.object({ pk: z.string() })),
      })
      .optional()
      .describe("A dry run's first rows of each kind."),
    error: z.string().nullable(),
    started_at: z.string(),
    finished_at: z.string().nullable(),
  })
  .meta({ id: "ReverseEtlRun" });

export const rowResultSchema = z
  .object({
    pk: z.string(),
    operation: z.enum(["create", "update", "delete"]).or(z.string()),
    status: z.enum(["succeeded", "failed", "skipped"]).or(z.string()),
    remote_id: z.string().nullable(),
    message: z
      .string()
      .nullable()
      .describe("The provider's message for a failed row, or why it was skipped."),
    at: z.string(),
  })
  .meta({ id: "ReverseEtlRowResult" });

const deleted = z.object({ id: z.string(), deleted: z.literal(true) });

const exampleSync = {
  model_id: "active_customers",
  connection_id: "conn_6f1d2c…",
  target: { type: "actions" as const, create: "create_contact", update: "update_contact" },
  mode: "upsert" as const,
  match: { by: "link" as const },
  mapping: [
    { column: "email", field: "properties.email" },
    { column: "first_name", field: "properties.firstname" },
  ],
};

export const createModelRoute = defineRoute({
  method: "POST",
  url: "/v1/reverse-etl/models",
  name: "createReverseEtlModel",
  summary: "Create a model",
  description:
    "A model is one SELECT on the warehouse with a primary-key column. It is run with LIMIT 0 when saved: SQL " +
    "that fails, or lacks the key column, is refused (argument_invalid).",
  tags,
  auth: "api_key",
  body: modelInput,
  response: { 201: modelSchema },
  errors: ["argument_invalid", "conflict", "not_found"],
  example: {
    body: { name: "active_customers", sql: "SELECT id, email, first_name FROM customers", primary_key: "id" },
  },
}).handle(async ({ body, caller, deps }) => ({
  status: 201,
  body: await createModel(deps, caller.environmentId, body),
}));

export const listModelsRoute = defineRoute({
  method: "GET",
  url: "/v1/reverse-etl/models",
  name: "listReverseEtlModels",
  summary: "List models",
  tags,
  auth: "api_key",
  response: { 200: z.object({ data: z.array(modelSchema) }) },
  errors: [],
}).handle(async ({ caller, deps }) => ({
  status: 200,
  body: { data: await listModels(deps, caller.environmentId) },
}));

export const getModelRoute = defineRoute({
  method: "GET",
  url: "/v1/reverse-etl/models/:id",
  name: "getReverseEtlModel",
  summary: "Get a model (by id or name)",
  tags,
  auth: "api_key",
  params: idParams,
  response: { 200: modelSchema },
  errors: ["not_found"],
}).handle(async ({ params, caller, deps }) => ({
  status: 200,
  body: await getModel(deps, caller.environmentId, params.id),
}));

export const updateModelRoute = defineRoute({
  method: "PUT",
  url: "/v1/reverse-etl/models/:id",
  name: "updateReverseEtlModel",
  summary: "Replace a model's SQL and primary key",
  description:
    "Checked as on create. Refused (conflict) when a sync maps or matches a column the new query lacks. The " +
    "syncs' snapshots stay: their next runs send the rows whose sent values changed.",
  tags,
  auth: "api_key",
  params: idParams,
  body: modelInput.omit({ name: true }),
  response: { 200: modelSchema },
  errors: ["argument_invalid", "conflict", "not_found"],
  example: { body: { sql: "SELECT id, email, first_name FROM customers WHERE active", primary_key: "id" } },
}).handle(async ({ params, body, caller, deps }) => ({
  status: 200,
  body: await updateModel(deps, caller.environmentId, params.id, body),
}));

export const deleteModelRoute = defineRoute({
  method: "DELETE",
  url: "/v1/reverse-etl/models/:id",
  name: "deleteReverseEtlModel",
  summary: "Delete a model",
  description: "Refused (conflict) while a reverse-ETL sync uses it.",
  tags,
  auth: "api_key",
  params: idParams,
  response: { 200: deleted },
  errors: ["not_found", "conflict"],
}).handle(async ({ params, caller, deps }) => {
  const model = await getModel(deps, caller.environmentId, params.id);
  await deleteModel(deps, caller.environmentId, model.id);
  return { status: 200, body: { id: model.id, deleted: true as const } };
});

export const createReverseEtlSyncRoute = defineRoute({
  method: "POST",
  url: "/v1/reverse-etl/syncs",
  name: "createReverseEtlSync",
  summary: "Create a reverse-ETL sync",
  description:
    "Sends a model's rows into a connection: a provider's own object through its actions (`target.type` " +
    "`actions`), or a unified model (`unified`: Contact, Account, Opportunity) for whichever CRM the connection " +
    "is. Modes: upsert, update (only), insert (only), mirror (also deletes what left the model; refused when " +
    "the target has no delete). The mapping is checked against the target's fields when saved.",
  tags,
  auth: "api_key",
  body: syncInput,
  response: { 201: syncSchema },
  errors: ["request_invalid", "not_found"],
  example: { body: exampleSync },
}).handle(async ({ body, caller, deps }) => ({
  status: 201,
  body: await createReverseEtlSync(writeDeps(deps), caller.environmentId, body),
}));

export const listReverseEtlSyncsRoute = defineRoute({
  method: "GET",
  url: "/v1/reverse-etl/syncs",
  name: "listReverseEtlSyncs",
  summary: "List reverse-ETL syncs",
  tags,
  auth: "api_key",
  response: { 200: z.object({ data: z.array(syncSchema) }) },
  errors: [],
}).handle(async ({ caller, deps }) => ({
  status: 200,
  body: { data: await listReverseEtlSyncs(deps, caller.environmentId) },
}));

export const getReverseEtlSyncRoute = defineRoute({
  method: "GET",
  url: "/v1/reverse-etl/syncs/:id",
  name: "getReverseEtlSync",
  summary: "Get a reverse-ETL sync",
  tags,
  auth: "api_key",
  params: idParams,
  response: { 200: syncSchema },
  errors: ["not_found"],
}).handle(async ({ params, caller, deps }) => ({
  status: 200,
  body: await getReverseEtlSync(deps, caller.environmentId, params.id),
}));

export const updateReverseEtlSyncRoute = defineRoute({
  method: "PUT",
  url: "/v1/reverse-etl/syncs/:id",
  name: "updateReverseEtlSync",
  summary: "Replace a reverse-ETL sync's definition",
  description:
    "Checked as on create. The snapshot stays: the next run sends the rows whose sent values change.",
  tags,
  auth: "api_key",
  params: idParams,
  body: syncInput,
  response: { 200: syncSchema },
  errors: ["request_invalid", "not_found"],
  example: { body: exampleSync },
}).handle(async ({ params, body, caller, deps }) => ({
  status: 200,
  body: await updateReverseEtlSync(writeDeps(deps), caller.environmentId, params.id, body),
}));

export const deleteReverseEtlSyncRoute = defineRoute({
  method: "DELETE",
  url: "/v1/reverse-etl/syncs/:id",
  name: "deleteReverseEtlSync",
  summary: "Delete a reverse-ETL sync",
  description: "Its snapshot, links, runs and results go with it; nothing at the provider is touched.",
  tags,
  auth: "api_key",
  params: idParams,
  response: { 200: deleted },
  errors: ["not_found"],
}).handle(async ({ params, caller, deps }) => {
  await deleteReverseEtlSync(deps, caller.environmentId, params.id);
  return { status: 200, body: { id: params.id, deleted: true as const } };
});

const runBody = z.strictObject({
  sample_size: z
    .number()
    .int()
    .min(0)
    .max(100)
    .optional()
    .describe("Dry run: sample rows of each kind (default 5)."),
});

export const runReverseEtlSyncRoute = defineRoute({
  method: "POST",
  url: "/v1/reverse-etl/syncs/:id/run",
  name: "runReverseEtlSync",
  summary: "Run a reverse-ETL sync now",
  description:
    "Diffs the model against the last successful run's snapshot and writes the added, changed (and, in " +
    "mirror mode, removed) rows; answers when the run is done. Status `partial`: some rows failed (their " +
    "results say why); the next run retries them. 409 conflict while another run of the sync is going on.",
  tags,
  auth: "api_key",
  params: idParams,
  response: { 200: runSchema },
  errors: ["not_found", "conflict", "argument_invalid", "credentials_rejected"],
}).handle(async ({ params, caller, deps }) => ({
  status: 200,
  body: await runReverseEtlSync(writeDeps(deps), caller.environmentId, params.id),
}));

export const dryRunReverseEtlSyncRoute = defineRoute({
  method: "POST",
  url: "/v1/reverse-etl/syncs/:id/dry-run",
  name: "dryRunReverseEtlSync",
  summary: "Show what a run would send, without writing",
  description:
    "The diff's counts and a sample of its rows; nothing is written to the provider or the snapshot.",
  tags,
  auth: "api_key",
  params: idParams,
  body: runBody,
  response: { 200: runSchema },
  errors: ["not_found", "argument_invalid"],
  example: { body: { sample_size: 5 } },
}).handle(async ({ params, body, caller, deps }) => ({
  status: 200,
  body: await runReverseEtlSync(writeDeps(deps), caller.environmentId, params.id, {
    dryRun: true,
    ...(body.sample_size !== undefined ? { sampleSize: body.sample_size } : {}),
  }),
}));

export const listReverseEtlRunsRoute = defineRoute({
  method: "GET",
  url: "/v1/reverse-etl/syncs/:id/runs",
  name: "listReverseEtlRuns",
  summary: "List a reverse-ETL sync's runs",
  description: "Newest first.",
  tags,
  auth: "api_key",
  params: idParams,
  query: z.strictObject({ limit: queryInt(1, 200).default(50) }),
  response: { 200: z.object({ data: z.array(runSchema) }) },
  errors: ["not_found"],
}).handle(async ({ params, query, caller, deps }) => ({
  status: 200,
  body: { data: await listReverseEtlRuns(deps, caller.environmentId, params.id, query.limit) },
}));

/** The path and query of a run's per-row results, here and for embedded syncs' runs. */
export const runRowsParams = z.strictObject({
  id: z.string().min(1).max(200),
  run_id: z.string().min(1).max(200),
});
export const runRowsQuery = z.strictObject({
  status: z.enum(["succeeded", "failed", "skipped"]).optional(),
  limit: queryInt(1, 1000).default(100),
  after: z.string().max(1000).optional().describe("The last `pk` of the previous page."),
});

/** The row query as listRunRows's options. */
export function runRowsOptions(query: z.infer<typeof runRowsQuery>) {
  return {
    limit: query.limit,
    ...(query.status ? { status: query.status } : {}),
    ...(query.after ? { afterPk: query.after } : {}),
  };
}

export const listReverseEtlRowsRoute = defineRoute({
  method: "GET",
  url: "/v1/reverse-etl/syncs/:id/runs/:run_id/rows",
  name: "listReverseEtlRunRows",
  summary: "A run's per-row results",
  description: "In key order; `status=failed` lists the rows the provider refused, with its message.",
  tags,
  auth: "api_key",
  params: runRowsParams,
  query: runRowsQuery,
  response: { 200: z.object({ data: z.array(rowResultSchema) }) },
  errors: ["not_found"],
}).handle(async ({ params, query, caller, deps }) => ({
  status: 200,
  body: {
    data: await listRunRows(deps, caller.environmentId, params.id, params.run_id, runRowsOptions(query)),
  },
}));

export const reverseEtlRoutes = [
  createModelRoute,
  listModelsRoute,
  getModelRoute,
  updateModelRoute,
  deleteModelRoute,
  createReverseEtlSyncRoute,
  listReverseEtlSyncsRoute,
  getReverseEtlSyncRoute,
  updateReverseEtlSyncRoute,
  deleteReverseEtlSyncRoute,
  runReverseEtlSyncRoute,
  dryRunReverseEtlSyncRoute,
  listReverseEtlRunsRoute,
  listReverseEtlRowsRoute,
] as const;
