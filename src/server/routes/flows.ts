/**
 * App-to-app flows (docs/flows.md): records moved between two connections of one end user, one way or both,
 * with a filter, a field mapping and transforms; a run now, a flow's runs and a run's per-row results.
 */
import { z } from "zod";
import { createFlow, deleteFlow, getFlow, listFlows } from "../../app/flows/flows.ts";
import { runFlow } from "../../app/flows/run.ts";
import { listFlowRunRows, listFlowRuns } from "../../app/flows/runs.ts";
import type { PlatformDeps } from "../../app/platform.ts";
import { flowInput } from "../../flows/app-to-app/definitions.ts";
import { unifiedMappers } from "../../providers/unified-mappers.ts";
import { unifiedWriters } from "../../providers/unified-writers.ts";
import { defineRoute } from "../route.ts";
import { idParams, queryInt } from "../schemas.ts";

const tags = ["Flows"];

function flowDeps(deps: PlatformDeps) {
  return { ...deps, mappers: unifiedMappers, writers: unifiedWriters };
}

const flowSchema = flowInput
  .extend({
    id: z.string(),
    source: z.enum(["api", "code"]).describe("code: a defineFlow module's flow (its map may be a function)."),
    module: z.string().nullable(),
    mapping: z.array(flowInput.shape.mapping.element),
    next_run_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: "Flow" });

const count = z.number().int();
const runSchema = z
  .object({
    id: z.string(),
    flow_id: z.string(),
    trigger: z.string().describe("api, cli, schedule or records.changed."),
    status: z
      .enum(["running", "succeeded", "partial", "failed"])
      .describe("partial: some rows failed; the next run retries them."),
    counts: z.object({
      read: count,
      filtered_out: count,
      created: count,
      updated: count,
      unchanged: count,
      skipped_echo: count,
      conflicts: count,
      deleted: count.describe("Records deleted (or archived) because their linked record was deleted."),
      failed: count,
    }),
    error: z.string().nullable(),
    started_at: z.string(),
    finished_at: z.string().nullable(),
  })
  .meta({ id: "FlowRun" });

const rowSchema = z
  .object({
    side: z.string().describe("The side written: from or to."),
    pk: z.string().describe("The record (of the other side) the write came from."),
    operation: z.string(),
    status: z.enum(["succeeded", "failed"]).or(z.string()),
    remote_id: z.string().nullable(),
    message: z.string().nullable().describe("The provider's message for a failed row."),
    at: z.string(),
  })
  .meta({ id: "FlowRowResult" });

const exampleFlow = {
  name: "sql-leads-to-pipedrive",
  from: { connection_id: "conn_hubspot…", stream: "contacts" },
  to: {
    connection_id: "conn_pipedrive…",
    stream: "persons",
    target: { type: "actions" as const, create: "create_person", update: "update_person" },
  },
  filter: [{ field: "properties.lifecyclestage", op: "=" as const, value: "salesqualifiedlead" }],
  mapping: [
    {
      from: "properties.firstname",
      to: "name",
      transforms: [{ op: "concat" as const, fields: ["properties.lastname"], separator: " " }],
    },
    { from: "properties.email", to: "email", transforms: [{ op: "lowercase" as const }] },
  ],
  schedule: "5m",
};

export const createFlowRoute = defineRoute({
  method: "POST",
  url: "/v1/flows",
  name: "createFlow",
  summary: "Create a flow",
  description:
    "Checked whole when saved: both connections belong to the environment and the same end user, each " +
    "mapped field is one the target takes, the filter and schedule are valid. Refused with request_invalid " +
    "naming the field otherwise.",
  tags,
  auth: "api_key",
  body: flowInput,
  response: { 201: flowSchema },
  errors: ["request_invalid", "not_found", "conflict", "argument_invalid"],
  example: { body: exampleFlow },
}).handle(async ({ body, caller, deps }) => ({
  status: 201,
  body: await createFlow(flowDeps(deps), caller.environmentId, body),
}));

export const listFlowsRoute = defineRoute({
  method: "GET",
  url: "/v1/flows",
  name: "listFlows",
  summary: "List flows",
  tags,
  auth: "api_key",
  response: { 200: z.object({ data: z.array(flowSchema) }) },
  errors: [],
}).handle(async ({ caller, deps }) => ({
  status: 200,
  body: { data: await listFlows(deps, caller.environmentId) },
}));

export const getFlowRoute = defineRoute({
  method: "GET",
  url: "/v1/flows/:id",
  name: "getFlow",
  summary: "Get a flow (by id or name)",
  tags,
  auth: "api_key",
  params: idParams,
  response: { 200: flowSchema },
  errors: ["not_found"],
}).handle(async ({ params, caller, deps }) => ({
  status: 200,
  body: await getFlow(deps, caller.environmentId, params.id),
}));

export const deleteFlowRoute = defineRoute({
  method: "DELETE",
  url: "/v1/flows/:id",
  name: "deleteFlow",
  summary: "Delete a flow",
  description: "Its links, cursors, runs and results go with it; nothing in either app is touched.",
  tags,
  auth: "api_key",
  params: idParams,
  response: { 200: z.object({ id: z.string(), deleted: z.literal(true) }) },
  errors: ["not_found"],
}).handle(async ({ params, caller, deps }) => {
  await deleteFlow(deps, caller.environmentId, params.id);
  return { status: 200, body: { id: params.id, deleted: true as const } };
});

export const runFlowRoute = defineRoute({
  method: "POST",
  url: "/v1/flows/:id/run",
  name: "runFlow",
  summary: "Run a flow now",
  description:
    "Reads what changed on the flow's sides in the records cache since its last run (and the rows that " +
    "failed then), and writes what the mapping says; answers when the run is done. 409 conflict while " +
    "another run of the flow is going on.",
  tags,
  auth: "api_key",
  params: idParams,
  response: { 200: runSchema },
  errors: ["not_found", "conflict", "credentials_rejected", "config_invalid"],
}).handle(async ({ params, caller, deps }) => ({
  status: 200,
  body: await runFlow(flowDeps(deps), caller.environmentId, params.id, { trigger: "api" }),
}));

export const listFlowRunsRoute = defineRoute({
  method: "GET",
  url: "/v1/flows/:id/runs",
  name: "listFlowRuns",
  summary: "A flow's runs, newest first",
  description:
    "Each with its counts: read, filtered out, created, updated, skipped as echo, conflicts, failed.",
  tags,
  auth: "api_key",
  params: idParams,
  query: z.strictObject({ limit: queryInt(1, 500).default(50) }),
  response: { 200: z.object({ data: z.array(runSchema) }) },
  errors: ["not_found"],
}).handle(async ({ params, query, caller, deps }) => ({
  status: 200,
  body: { data: await listFlowRuns(deps, caller.environmentId, params.id, query.limit) },
}));

export const listFlowRunRowsRoute = defineRoute({
  method: "GET",
  url: "/v1/flows/:id/runs/:run_id/rows",
  name: "listFlowRunRows",
  summary: "A flow run's per-row results",
  description:
    "`status=failed` lists the rows the provider refused, with its message; they are retried next run.",
  tags,
  auth: "api_key",
  params: z.strictObject({ id: z.string().min(1).max(200), run_id: z.string().min(1).max(200) }),
  query: z.strictObject({
    status: z.enum(["succeeded", "failed"]).optional(),
    limit: queryInt(1, 1000).default(100),
  }),
  response: { 200: z.object({ data: z.array(rowSchema) }) },
  errors: ["not_found"],
}).handle(async ({ params, query, caller, deps }) => ({
  status: 200,
  body: {
    data: await listFlowRunRows(deps, caller.environmentId, params.id, params.run_id, {
      limit: query.limit,
      ...(query.status ? { status: query.status } : {}),
    }),
  },
}));

export const flowRoutes = [
  createFlowRoute,
  listFlowsRoute,
  getFlowRoute,
  deleteFlowRoute,
  runFlowRoute,
  listFlowRunsRoute,
  listFlowRunRowsRoute,
] as const;
