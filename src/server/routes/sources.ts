/**
 * Sources of embedded reverse ETL (docs/embedded-reverse-etl.md): the product's own records, pushed in batches
 * (`PUT /v1/sources/{name}/records`, idempotent by primary key, with deletes) or read from its Postgres.
 */
import { z } from "zod";
import { listSourceRecords, pushRecords } from "../../app/sources/records.ts";
import {
  createSource,
  deleteSource,
  getSource,
  listSources,
  updateSource,
} from "../../app/sources/sources.ts";
import { MAX_PUSH, pushInput, sourceInput } from "../../flows/embedded/definitions.ts";
import { defineRoute } from "../route.ts";
import { queryInt } from "../schemas.ts";

const tags = ["Sources"];

const nameParams = z.strictObject({
  name: z.string().min(1).max(200).describe("The source's name (or id)."),
});

const sourceSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(["api", "postgres"]),
    primary_key: z.string(),
    table: z.string().nullable().describe("postgres: the table read."),
    query: z
      .string()
      .nullable()
      .describe("postgres: the query read. The connection string is never answered."),
    records: z.number().int().describe("Records the source holds."),
    records_changed_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: "Source" });

const pushResultSchema = z
  .object({
    created: z.number().int(),
    updated: z.number().int(),
    unchanged: z.number().int().describe("Records sent as they were stored already: no change, no run."),
    deleted: z.number().int(),
  })
  .meta({ id: "SourcePushResult" });

const recordSchema = z
  .object({
    id: z.string().describe("The record's primary key, as text."),
    hash: z.string().describe("Hash of the record's content."),
    updated_at: z.string(),
    record: z.record(z.string(), z.unknown()),
  })
  .meta({ id: "SourceRecord" });

const exampleSource = { name: "customers", kind: "api" as const, primary_key: "id" };

export const createSourceRoute = defineRoute({
  method: "POST",
  url: "/v1/sources",
  name: "createSource",
  summary: "Create a source",
  description:
    "`kind: api`: the product pushes records with PUT /v1/sources/{name}/records. `kind: postgres`: records " +
    "are read from `table` or `query` (run in a read-only transaction) of the database at `connection_string`, " +
    "which is sealed by the vault and never answered back.",
  tags,
  auth: "api_key",
  body: sourceInput,
  response: { 201: sourceSchema },
  errors: ["request_invalid", "conflict", "config_invalid"],
  example: { body: exampleSource },
}).handle(async ({ body, caller, deps }) => ({
  status: 201,
  body: await createSource(deps, caller.environmentId, body),
}));

export const listSourcesRoute = defineRoute({
  method: "GET",
  url: "/v1/sources",
  name: "listSources",
  summary: "List sources",
  tags,
  auth: "api_key",
  response: { 200: z.object({ data: z.array(sourceSchema) }) },
  errors: [],
}).handle(async ({ caller, deps }) => ({
  status: 200,
  body: { data: await listSources(deps, caller.environmentId) },
}));

export const getSourceRoute = defineRoute({
  method: "GET",
  url: "/v1/sources/:name",
  name: "getSource",
  summary: "Get a source",
  tags,
  auth: "api_key",
  params: nameParams,
  response: { 200: sourceSchema },
  errors: ["not_found"],
}).handle(async ({ params, caller, deps }) => ({
  status: 200,
  body: await getSource(deps, caller.environmentId, params.name),
}));

export const updateSourceRoute = defineRoute({
  method: "PUT",
  url: "/v1/sources/:name",
  name: "updateSource",
  summary: "Replace a source's definition",
  description:
    "Its name and kind stay. An api source's primary key cannot change while it holds records. A postgres " +
    "source takes its connection string again (it is never answered back).",
  tags,
  auth: "api_key",
  params: nameParams,
  body: sourceInput,
  response: { 200: sourceSchema },
  errors: ["request_invalid", "not_found", "config_invalid"],
  example: { body: exampleSource },
}).handle(async ({ params, body, caller, deps }) => ({
  status: 200,
  body: await updateSource(deps, caller.environmentId, params.name, body),
}));

export const deleteSourceRoute = defineRoute({
  method: "DELETE",
  url: "/v1/sources/:name",
  name: "deleteSource",
  summary: "Delete a source and its records",
  description: "Refused (conflict) while an embedded sync sends it.",
  tags,
  auth: "api_key",
  params: nameParams,
  response: { 200: z.object({ id: z.string(), deleted: z.literal(true) }) },
  errors: ["not_found", "conflict"],
}).handle(async ({ params, caller, deps }) => {
  const source = await deleteSource(deps, caller.environmentId, params.name);
  return { status: 200, body: { id: source.id, deleted: true as const } };
});

export const pushSourceRecordsRoute = defineRoute({
  method: "PUT",
  url: "/v1/sources/:name/records",
  name: "pushSourceRecords",
  summary: "Push a batch of records (upserts and deletes)",
  description:
    `Up to ${MAX_PUSH} records and ${MAX_PUSH} deletes per request (and 1 MiB: 413 payload_too_large beyond). ` +
    "Each record replaces the one with its primary key; one sent again unchanged is no change. The batch is " +
    "checked whole first: a record without its primary key, or two with one key, refuse it (request_invalid) " +
    "and nothing is stored. A batch that changed anything makes the source's embedded syncs run a few seconds later.",
  tags,
  auth: "api_key",
  params: nameParams,
  body: pushInput,
  response: { 200: pushResultSchema },
  errors: ["request_invalid", "not_found", "conflict"],
  example: {
    body: {
      records: [
        { id: "u_1", email: "ada@example.com", first_name: "Ada", last_name: "Lovelace" },
        { id: "u_2", email: "alan@example.com", first_name: "Alan", last_name: "Turing" },
      ],
      deletes: ["u_0"],
    },
  },
}).handle(async ({ params, body, caller, deps }) => ({
  status: 200,
  body: await pushRecords(deps, caller.environmentId, params.name, body),
}));

export const listSourceRecordsRoute = defineRoute({
  method: "GET",
  url: "/v1/sources/:name/records",
  name: "listSourceRecords",
  summary: "Page through a source's records",
  description: "In primary-key order; pass `next` as `after` for the next page.",
  tags,
  auth: "api_key",
  params: nameParams,
  query: z.strictObject({
    limit: queryInt(1, 1000).default(100),
    after: z.string().max(1000).optional().describe("The `next` of the previous page."),
  }),
  response: {
    200: z.object({
      data: z.array(recordSchema),
      next: z.string().nullable().describe("Pass as `after` for the next page; null on the last page."),
    }),
  },
  errors: ["not_found"],
}).handle(async ({ params, query, caller, deps }) => ({
  status: 200,
  body: await listSourceRecords(deps, caller.environmentId, params.name, {
    limit: query.limit,
    ...(query.after !== undefined ? { after: query.after } : {}),
  }),
}));

export const sourceRoutes = [
  createSourceRoute,
  listSourcesRoute,
  getSourceRoute,
  updateSourceRoute,
  deleteSourceRoute,
  pushSourceRecordsRoute,
  listSourceRecordsRoute,
] as const;
