/** The event log of the caller's environment: what happened to its connections, keys and environments. */
import { z } from "zod";
import { type EventRow, listEvents } from "../../store/index.ts";
import { defineRoute } from "../route.ts";
import { pageOf, pageQuery, timestamp } from "../schemas.ts";

export const eventSchema = z
  .object({
    id: z.string(),
    type: z.string().describe("`connection.created`, `connection.updated`, `connection.deleted`, …"),
    connection_id: z.string().nullable(),
    data: z.record(z.string(), z.unknown()),
    created_at: timestamp,
  })
  .meta({ id: "Event" });

function eventView(row: EventRow): z.input<typeof eventSchema> {
  return {
    id: row.id,
    type: row.type,
    connection_id: row.connection_id,
    data: JSON.parse(row.data) as Record<string, unknown>,
    created_at: row.created_at,
  };
}

export const listEventsRoute = defineRoute({
  method: "GET",
  url: "/v1/events",
  name: "listEvents",
  summary: "List events",
  description:
    "Newest first. Types so far: `connection.created`, `connection.updated`, `connection.deleted`, " +
    "`connection.status_changed`, `api_key.created`, `api_key.revoked`, `environment.created`, and those " +
    "sent to webhook endpoints: `connection.auth_failed`, `sync.completed`, `sync.failed`, " +
    "`records.changed`, `endpoint.disabled` (docs/webhooks.md).",
  tags: ["Events"],
  auth: "api_key",
  query: z.strictObject({
    type: z
      .string()
      .regex(/^[a-z_]+\.[a-z_]+$/, "Event types look like `connection.created`.")
      .optional(),
    connection_id: z.string().max(200).optional(),
    ...pageQuery,
  }),
  response: { 200: pageOf(eventSchema) },
  errors: ["argument_invalid"],
}).handle(async ({ query, caller, deps }) => {
  const page = await listEvents(deps.db, caller.environmentId, {
    limit: query.limit,
    ...(query.cursor ? { cursor: query.cursor } : {}),
    ...(query.type ? { type: query.type } : {}),
    ...(query.connection_id ? { connectionId: query.connection_id } : {}),
  });
  return { status: 200, body: { data: page.items.map(eventView), next_cursor: page.nextCursor } };
});

export const eventRoutes = [listEventsRoute] as const;
