/** Runs of the caller's environment: list and filter, get one with its stats, page through its log lines. */
import { z } from "zod";
import { getRunIn, listRunLogs, listRunsIn } from "../../store/index.ts";
import { defineRoute } from "../route.ts";
import { idParams, pageOf, pageQuery, queryInt } from "../schemas.ts";
import { logLevel, logLineSchema, logLineView, runSchema, runStatus, runView } from "../views/run.ts";

export const listRunsRoute = defineRoute({
  method: "GET",
  url: "/v1/runs",
  name: "listRuns",
  summary: "List runs",
  description: "Newest first, with their stats; filter by connection, sync or status.",
  tags: ["Runs"],
  auth: "api_key",
  query: z.strictObject({
    connection_id: z.string().max(200).optional(),
    sync_id: z.string().max(200).optional(),
    status: runStatus.optional(),
    ...pageQuery,
  }),
  response: { 200: pageOf(runSchema) },
  errors: ["argument_invalid"],
}).handle(async ({ query, caller, deps }) => {
  const page = await listRunsIn(deps.db, caller.environmentId, {
    limit: query.limit,
    ...(query.cursor ? { cursor: query.cursor } : {}),
    ...(query.connection_id ? { connectionId: query.connection_id } : {}),
    ...(query.sync_id ? { syncId: query.sync_id } : {}),
    ...(query.status ? { status: query.status } : {}),
  });
  return { status: 200, body: { data: page.items.map(runView), next_cursor: page.nextCursor } };
});

export const getRunRoute = defineRoute({
  method: "GET",
  url: "/v1/runs/:id",
  name: "getRun",
  summary: "Get a run with its stats",
  tags: ["Runs"],
  auth: "api_key",
  params: idParams,
  response: { 200: runSchema },
  errors: ["not_found"],
}).handle(async ({ params, caller, deps }) => {
  return { status: 200, body: runView(await getRunIn(deps.db, caller.environmentId, params.id)) };
});

export const listRunLogsRoute = defineRoute({
  method: "GET",
  url: "/v1/runs/:id/logs",
  name: "listRunLogs",
  summary: "Page through a run's log lines",
  description:
    "Lines in order, at or above `level`. Pass `next_after` back as `after` to read on; " +
    "on a running run, polling with it follows the log as it grows.",
  tags: ["Runs"],
  auth: "api_key",
  params: idParams,
  query: z.strictObject({
    level: logLevel.default("debug").describe("Minimum level (default `debug`: every line)."),
    after: queryInt(-1, Number.MAX_SAFE_INTEGER).default(-1).describe("Return lines with `seq` above this."),
    limit: queryInt(1, 1_000).default(200).describe("Lines per page (1–1000, default 200)."),
  }),
  response: {
    200: z.object({
      data: z.array(logLineSchema),
      next_after: z.number().int().describe("Pass as `after` to get the following lines."),
      has_more: z.boolean().describe("Whether more lines are already there."),
    }),
  },
  errors: ["not_found"],
}).handle(async ({ params, query, caller, deps }) => {
  const run = await getRunIn(deps.db, caller.environmentId, params.id);
  const lines = await listRunLogs(deps.db, run.id, {
    minLevel: query.level,
    afterSeq: query.after,
    limit: query.limit + 1,
  });
  const page = lines.slice(0, query.limit);
  return {
    status: 200,
    body: {
      data: page.map(logLineView),
      next_after: page[page.length - 1]?.seq ?? query.after,
      has_more: lines.length > query.limit,
    },
  };
});

export const runRoutes = [listRunsRoute, getRunRoute, listRunLogsRoute] as const;
