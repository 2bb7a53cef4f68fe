/** The raw records API: a stream's cached records with their last action, as a change feed with a cursor. */
import { z } from "zod";
import { listStreamRecords, type StreamRecord } from "../../app/records/records.ts";
import { defineRoute } from "../route.ts";
import { pageOf, queryInt, timestamp } from "../schemas.ts";

const recordSchema = z
  .object({
    id: z.string().describe("The record's primary key in the stream."),
    payload: z
      .unknown()
      .describe("The provider's payload as last synced (for a deleted record, the last one seen)."),
    last_action: z
      .enum(["added", "updated", "deleted"])
      .describe(
        "`added`: first seen and unchanged since; `updated`: changed since; `deleted`: gone at the provider.",
      ),
    first_seen_at: timestamp,
    last_modified_at: timestamp.describe("When the cache last saw it change: the feed's order."),
    deleted_at: timestamp.nullable(),
    cursor: z.string().describe("Pass as `cursor` to read only the changes after this record."),
  })
  .meta({ id: "StreamRecord", description: "A record of a stream, as the records cache holds it." });

function recordView(record: StreamRecord): z.input<typeof recordSchema> {
  return {
    id: record.pk,
    payload: JSON.parse(record.payload) as unknown,
    last_action: record.lastAction,
    first_seen_at: record.firstSeenAt,
    last_modified_at: record.updatedAt,
    deleted_at: record.deletedAt,
    cursor: record.cursor,
  };
}

export const listRecordsRoute = defineRoute({
  method: "GET",
  url: "/v1/records",
  name: "listRecords",
  summary: "Read a stream's synced records and their changes",
  description:
    "The records one stream of a connection synced, mapped to a unified model or not, oldest change first, " +
    "deleted ones included, each with its last action. Follow `next_cursor` to the end; then keep the last " +
    "record's `cursor` and pass it later to get only what changed since.",
  tags: ["Records"],
  auth: "api_key",
  query: z.strictObject({
    connection_id: z
      .string()
      .min(1)
      .max(200)
      .describe("The connection (`conn_…`) of the API key's environment."),
    stream: z.string().min(1).max(200).describe("The stream's name (`contacts`)."),
    cursor: z
      .string()
      .max(500)
      .optional()
      .describe("A `next_cursor`, or a record's `cursor`: what changed after it."),
    limit: queryInt(1, 1_000).default(100).describe("Records per page (1–1000, default 100)."),
    modified_after: z.iso
      .datetime({ offset: true })
      .optional()
      .describe("Only records changed after this time (ISO-8601)."),
  }),
  response: { 200: pageOf(recordSchema) },
  errors: ["not_found", "unknown_stream", "argument_invalid"],
}).handle(async ({ query, caller, deps }) => {
  const page = await listStreamRecords(deps, caller.environmentId, {
    connectionId: query.connection_id,
    stream: query.stream,
    limit: query.limit,
    ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
    // Stored change times are UTC `toISOString()` text: compared as text, the filter must be in that form.
    ...(query.modified_after !== undefined
      ? { modifiedAfter: new Date(query.modified_after).toISOString() }
      : {}),
  });
  return { status: 200, body: { data: page.items.map(recordView), next_cursor: page.nextCursor } };
});

export const recordRoutes = [listRecordsRoute] as const;
