/**
 * Embedded syncs (docs/embedded-reverse-etl.md): a source's records into a unified model of every connection of
 * the environment, per-connection mappings on top; a run (or dry run) over every connection, runs and rows.
 */
import { z } from "zod";
import {
  createEmbeddedSync,
  deleteEmbeddedSync,
  getEmbeddedSync,
  listEmbeddedSyncs,
  updateEmbeddedSync,
} from "../../app/sources/embedded-syncs.ts";
import { listEmbeddedRunRows, listEmbeddedRuns, runEmbeddedSync } from "../../app/sources/run.ts";
import { embeddedSyncInput, unifiedModels } from "../../flows/embedded/definitions.ts";
import { fieldMap, syncModes } from "../../flows/reverse-etl/definitions.ts";
import { defineRoute } from "../route.ts";
import { idParams, queryInt } from "../schemas.ts";
import {
  rowResultSchema,
  runRowsOptions,
  runRowsParams,
  runRowsQuery,
  runSchema,
  writeDeps,
} from "./reverse-etl.ts";

const tags = ["Embedded syncs"];

const syncSchema = z
  .object({
    id: z.string(),
    source_id: z.string(),
    model: z.enum(unifiedModels),
    mode: z.enum(syncModes),
    mapping: z.array(fieldMap),
    filter: z.object({
      end_user_ids: z.array(z.string()).optional(),
      providers: z.array(z.string()).optional(),
    }),
    connection_mappings: z.record(z.string(), z.array(fieldMap)),
    frequency: z.string().nullable(),
    time_zone: z.string().nullable(),
    next_run_at: z
      .string()
      .nullable()
      .describe("When the scheduler runs it next: its schedule, or a few seconds after a push."),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: "EmbeddedSync" });

const embeddedRunSchema = z
  .object({
    sync_id: z.string(),
    dry_run: z.boolean(),
    status: z
      .enum(["succeeded", "partial", "failed"])
      .describe("partial: some connections or rows failed (the next run retries them)."),
    source_read: z
      .object({ read: z.number(), created: z.number(), updated: z.number(), deleted: z.number() })
      .nullable()
      .describe("A postgres source's read before the writes."),
    connections: z.array(
      z.object({
        connection_id: z.string(),
        provider: z.string(),
        end_user_id: z.string().nullable(),
        status: z.enum(["succeeded", "partial", "failed", "skipped"]),
        run: runSchema.nullable(),
        message: z.string().nullable().describe("Why it failed or was skipped."),
        matched: z
          .object({ matched: z.number(), ambiguous: z.number() })
          .describe(
            "Rows linked to an existing record found by their natural key (counted in run.stats.created), and rows failed because two records have it.",
          ),
      }),
    ),
    started_at: z.string(),
    finished_at: z.string(),
  })
  .meta({ id: "EmbeddedRun" });

const deleted = z.object({ id: z.string(), deleted: z.literal(true) });

const exampleSync = {
  source: "customers",
  model: "Contact" as const,
  mode: "upsert" as const,
  mapping: [
    { column: "first_name", field: "first_name" },
    { column: "last_name", field: "last_name" },
    { column: "email", field: "email_addresses.0.email_address" },
  ],
  connection_mappings: { conn_6f1d2c: [{ column: "nickname", field: "first_name" }] },
};

export const createEmbeddedSyncRoute = defineRoute({
  method: "POST",
  url: "/v1/embedded-syncs",
  name: "createEmbeddedSync",
  summary: "Create an embedded sync",
  description:
    "Sends a source's records into a unified model (Contact, Account, Opportunity) of every connection of the " +
    "environment (or those of `filter`), whichever CRM each is, with `connection_mappings` on top per " +
    "connection. The mapping is checked against the fields each covered connection's provider writes.",
  tags,
  auth: "api_key",
  body: embeddedSyncInput,
  response: { 201: syncSchema },
  errors: ["request_invalid", "not_found"],
  example: { body: { ...exampleSync, connection_mappings: {} } },
}).handle(async ({ body, caller, deps }) => ({
  status: 201,
  body: await createEmbeddedSync(writeDeps(deps), caller.environmentId, body),
}));

export const listEmbeddedSyncsRoute = defineRoute({
  method: "GET",
  url: "/v1/embedded-syncs",
  name: "listEmbeddedSyncs",
  summary: "List embedded syncs",
  tags,
  auth: "api_key",
  response: { 200: z.object({ data: z.array(syncSchema) }) },
  errors: [],
}).handle(async ({ caller, deps }) => ({
  status: 200,
  body: { data: await listEmbeddedSyncs(deps, caller.environmentId) },
}));

export const getEmbeddedSyncRoute = defineRoute({
  method: "GET",
  url: "/v1/embedded-syncs/:id",
  name: "getEmbeddedSync",
  summary: "Get an embedded sync",
  tags,
  auth: "api_key",
  params: idParams,
  response: { 200: syncSchema },
  errors: ["not_found"],
}).handle(async ({ params, caller, deps }) => ({
  status: 200,
  body: await getEmbeddedSync(deps, caller.environmentId, params.id),
}));

export const updateEmbeddedSyncRoute = defineRoute({
  method: "PUT",
  url: "/v1/embedded-syncs/:id",
  name: "updateEmbeddedSync",
  summary: "Replace an embedded sync's definition",
  description:
    "Checked as on create; the source cannot change. Each connection's snapshot stays: the next run sends the " +
    "records whose sent values changed under the new mapping.",
  tags,
  auth: "api_key",
  params: idParams,
  body: embeddedSyncInput,
  response: { 200: syncSchema },
  errors: ["request_invalid", "not_found"],
  example: { body: exampleSync },
}).handle(async ({ params, body, caller, deps }) => ({
  status: 200,
  body: await updateEmbeddedSync(writeDeps(deps), caller.environmentId, params.id, body),
}));

export const deleteEmbeddedSyncRoute = defineRoute({
  method: "DELETE",
  url: "/v1/embedded-syncs/:id",
  name: "deleteEmbeddedSync",
  summary: "Delete an embedded sync",
  description:
    "Every connection's snapshot, links, runs and results go with it; nothing at the providers is touched.",
  tags,
  auth: "api_key",
  params: idParams,
  response: { 200: deleted },
  errors: ["not_found"],
}).handle(async ({ params, caller, deps }) => {
  await deleteEmbeddedSync(deps, caller.environmentId, params.id);
  return { status: 200, body: { id: params.id, deleted: true as const } };
});

export const runEmbeddedSyncRoute = defineRoute({
  method: "POST",
  url: "/v1/embedded-syncs/:id/run",
  name: "runEmbeddedSync",
  summary: "Run an embedded sync now",
  description:
    "Reads a postgres source, then for each covered connection writes the records added or changed (and, in " +
    "mirror mode, deletes those removed, where the provider's writer can) since that connection last took them. " +
    "Answers when every connection is done, with each one's run.",
  tags,
  auth: "api_key",
  params: idParams,
  response: { 200: embeddedRunSchema },
  errors: ["not_found", "argument_invalid", "config_invalid"],
}).handle(async ({ params, caller, deps }) => ({
  status: 200,
  body: await runEmbeddedSync(writeDeps(deps), caller.environmentId, params.id),
}));

export const dryRunEmbeddedSyncRoute = defineRoute({
  method: "POST",
  url: "/v1/embedded-syncs/:id/dry-run",
  name: "dryRunEmbeddedSync",
  summary: "Show what a run would send to each connection, without writing",
  tags,
  auth: "api_key",
  params: idParams,
  body: z.strictObject({
    sample_size: z
      .number()
      .int()
      .min(0)
      .max(100)
      .optional()
      .describe("Sample rows of each kind (default 5)."),
  }),
  response: { 200: embeddedRunSchema },
  errors: ["not_found", "argument_invalid", "config_invalid"],
  example: { body: { sample_size: 5 } },
}).handle(async ({ params, body, caller, deps }) => ({
  status: 200,
  body: await runEmbeddedSync(writeDeps(deps), caller.environmentId, params.id, {
    dryRun: true,
    ...(body.sample_size !== undefined ? { sampleSize: body.sample_size } : {}),
  }),
}));

export const listEmbeddedRunsRoute = defineRoute({
  method: "GET",
  url: "/v1/embedded-syncs/:id/runs",
  name: "listEmbeddedRuns",
  summary: "List an embedded sync's runs (one per connection per run)",
  description: "Newest first.",
  tags,
  auth: "api_key",
  params: idParams,
  query: z.strictObject({ limit: queryInt(1, 200).default(50) }),
  response: {
    200: z.object({ data: z.array(runSchema.extend({ connection_id: z.string() })) }),
  },
  errors: ["not_found"],
}).handle(async ({ params, query, caller, deps }) => ({
  status: 200,
  body: { data: await listEmbeddedRuns(deps, caller.environmentId, params.id, query.limit) },
}));

export const listEmbeddedRunRowsRoute = defineRoute({
  method: "GET",
  url: "/v1/embedded-syncs/:id/runs/:run_id/rows",
  name: "listEmbeddedRunRows",
  summary: "A connection run's per-row results",
  description: "In key order; `status=failed` lists the records the provider refused, with its message.",
  tags,
  auth: "api_key",
  params: runRowsParams,
  query: runRowsQuery,
  response: { 200: z.object({ data: z.array(rowResultSchema) }) },
  errors: ["not_found"],
}).handle(async ({ params, query, caller, deps }) => ({
  status: 200,
  body: {
    data: await listEmbeddedRunRows(
      deps,
      caller.environmentId,
      params.id,
      params.run_id,
      runRowsOptions(query),
    ),
  },
}));

export const embeddedSyncRoutes = [
  createEmbeddedSyncRoute,
  listEmbeddedSyncsRoute,
  getEmbeddedSyncRoute,
  updateEmbeddedSyncRoute,
  deleteEmbeddedSyncRoute,
  runEmbeddedSyncRoute,
  dryRunEmbeddedSyncRoute,
  listEmbeddedRunsRoute,
  listEmbeddedRunRowsRoute,
] as const;
