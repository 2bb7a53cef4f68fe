/** How many records a stream of a connection holds in the records cache: exact, and cheap (one indexed COUNT). */
import { z } from "zod";
import { countStreamRecords } from "../../app/records/records.ts";
import { defineRoute } from "../route.ts";
import { listRecordsRoute } from "./records.ts";

// The stream is named as GET /v1/records names it: the same two parameters, with the same checks.
const { connection_id, stream } = (listRecordsRoute.query as NonNullable<typeof listRecordsRoute.query>)
  .shape;

export const countRecordsRoute = defineRoute({
  method: "GET",
  url: "/v1/records/count",
  name: "countRecords",
  summary: "Count a stream's synced records",
  description:
    "The exact number of records one stream of a connection holds in the records cache: live ones, and the " +
    "ones deleted at the provider apart. One COUNT over an index, whatever the stream's size; what " +
    "`GET /v1/records` would list, without paging through it.",
  tags: ["Records"],
  auth: "api_key",
  query: z.strictObject({ connection_id, stream }),
  response: {
    200: z
      .object({
        connection_id: z.string(),
        stream: z.string(),
        live: z.number().int().describe("Records the provider still has."),
        deleted: z.number().int().describe("Records deleted at the provider (kept with `deleted_at`)."),
      })
      .meta({ id: "StreamRecordCount" }),
  },
  errors: ["not_found", "unknown_stream"],
}).handle(async ({ query, caller, deps }) => {
  const counted = await countStreamRecords(deps, caller.environmentId, {
    connectionId: query.connection_id,
    stream: query.stream,
  });
  return { status: 200, body: { connection_id: query.connection_id, stream: query.stream, ...counted } };
});

export const recordCountRoutes = [countRecordsRoute] as const;
