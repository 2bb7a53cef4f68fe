/**
 * Syncs of the caller's environment: create, list, get, change (streams, frequency, pause, warehouse),
 * delete, trigger a run now, and per-stream sync status — of a sync, or of all syncs of a connection.
 */
import { z } from "zod";
import { findProvider } from "../../app/platform.ts";
import { loadStreamStatuses } from "../../app/syncs/status.ts";
import { changeSync, createSync, triggerSync } from "../../app/syncs/syncs.ts";
import { deleteSync, getConnectionIn, getSyncIn, listSyncsIn } from "../../store/index.ts";
import { defineRoute } from "../route.ts";
import { idParams, pageOf, pageQuery } from "../schemas.ts";
import {
  destinationsInput,
  frequencyInput,
  streamStatusSchema,
  streamStatusView,
  streamsInput,
  syncSchema,
  syncView,
  timeZoneInput,
} from "../views/sync.ts";

const settingsInput = {
  streams: streamsInput.optional(),
  frequency: frequencyInput.optional(),
  time_zone: timeZoneInput.nullable().optional(),
  enabled: z.boolean().optional().describe("False pauses the sync; true resumes it."),
  destinations: destinationsInput.optional(),
};

export const createSyncRoute = defineRoute({
  method: "POST",
  url: "/v1/syncs",
  name: "createSync",
  summary: "Create a sync",
  description:
    "Syncs streams of a connection on a schedule. Defaults: every stream, every hour (`1h`), UTC, enabled, records " +
    "cache only. The first run is due at once. A stream belongs to one sync only: 409 `conflict` names the " +
    "sync that has it. Every new connection already gets such a default sync.",
  tags: ["Syncs"],
  auth: "api_key",
  body: z.strictObject({
    connection_id: z.string().min(1).max(200),
    ...settingsInput,
  }),
  response: { 201: syncSchema },
  errors: ["not_found", "conflict", "unknown_provider"],
  example: {
    body: {
      connection_id: "conn_6f1d2c…",
      streams: ["contacts", "deals"],
      frequency: "0 9 * * MON-FRI",
      time_zone: "Europe/Paris",
      destinations: { warehouse: true },
    },
  },
}).handle(async ({ body, caller, deps }) => {
  const connection = await getConnectionIn(deps.db, caller.environmentId, body.connection_id);
  const sync = await createSync(deps.db, findProvider(deps.providers, connection.provider), connection.id, {
    ...(body.streams ? { streams: body.streams } : {}),
    ...(body.frequency ? { frequency: body.frequency } : {}),
    ...(body.time_zone !== undefined ? { timeZone: body.time_zone } : {}),
    ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
    ...(body.destinations?.warehouse !== undefined ? { warehouse: body.destinations.warehouse } : {}),
  });
  return { status: 201, body: syncView(sync) };
});

export const listSyncsRoute = defineRoute({
  method: "GET",
  url: "/v1/syncs",
  name: "listSyncs",
  summary: "List syncs",
  description: "Newest first, optionally of one connection.",
  tags: ["Syncs"],
  auth: "api_key",
  query: z.strictObject({ connection_id: z.string().max(200).optional(), ...pageQuery }),
  response: { 200: pageOf(syncSchema) },
  errors: ["argument_invalid"],
}).handle(async ({ query, caller, deps }) => {
  const page = await listSyncsIn(deps.db, caller.environmentId, {
    limit: query.limit,
    ...(query.cursor ? { cursor: query.cursor } : {}),
    ...(query.connection_id ? { connectionId: query.connection_id } : {}),
  });
  const now = new Date();
  return {
    status: 200,
    body: { data: page.items.map((sync) => syncView(sync, now)), next_cursor: page.nextCursor },
  };
});

export const getSyncRoute = defineRoute({
  method: "GET",
  url: "/v1/syncs/:id",
  name: "getSync",
  summary: "Get a sync",
  tags: ["Syncs"],
  auth: "api_key",
  params: idParams,
  response: { 200: syncSchema },
  errors: ["not_found"],
}).handle(async ({ params, caller, deps }) => {
  return { status: 200, body: syncView(await getSyncIn(deps.db, caller.environmentId, params.id)) };
});

export const updateSyncRoute = defineRoute({
  method: "PATCH",
  url: "/v1/syncs/:id",
  name: "updateSync",
  summary: "Change a sync: streams, frequency, time zone, pause or resume, warehouse",
  description:
    "Changes only the fields given. A new `frequency` or `time_zone` schedules the next run one new interval (or the next " +
    "cron slot) from now. `enabled: false` pauses the sync (a run going on finishes); resuming a sync " +
    "whose next run has passed runs it once, at once.",
  tags: ["Syncs"],
  auth: "api_key",
  params: idParams,
  body: z
    .strictObject(settingsInput)
    .refine(
      (body) => Object.values(body).some((value) => value !== undefined),
      "Give at least one field to change.",
    ),
  response: { 200: syncSchema },
  errors: ["not_found", "conflict", "unknown_provider"],
  example: { body: { frequency: "30m", enabled: false } },
}).handle(async ({ params, body, caller, deps }) => {
  const sync = await getSyncIn(deps.db, caller.environmentId, params.id);
  const connection = await getConnectionIn(deps.db, caller.environmentId, sync.connectionId);
  const changed = await changeSync(deps.db, findProvider(deps.providers, connection.provider), sync, {
    ...(body.streams ? { streams: body.streams } : {}),
    ...(body.frequency ? { frequency: body.frequency } : {}),
    ...(body.time_zone !== undefined ? { timeZone: body.time_zone } : {}),
    ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
    ...(body.destinations?.warehouse !== undefined ? { warehouse: body.destinations.warehouse } : {}),
  });
  return { status: 200, body: syncView(changed) };
});

export const deleteSyncRoute = defineRoute({
  method: "DELETE",
  url: "/v1/syncs/:id",
  name: "deleteSync",
  summary: "Delete a sync",
  description:
    "No further runs start, and a run going on is stopped when its worker next renews the lease. Runs, " +
    "records and stream state stay, so a new sync of the same streams continues from their cursors.",
  tags: ["Syncs"],
  auth: "api_key",
  params: idParams,
  response: { 200: z.object({ id: z.string(), deleted: z.literal(true) }) },
  errors: ["not_found"],
}).handle(async ({ params, caller, deps }) => {
  const sync = await getSyncIn(deps.db, caller.environmentId, params.id);
  await deleteSync(deps.db, sync.id);
  return { status: 200, body: { id: sync.id, deleted: true as const } };
});

export const triggerSyncRoute = defineRoute({
  method: "POST",
  url: "/v1/syncs/:id/trigger",
  name: "triggerSync",
  summary: "Run a sync now",
  description:
    "Queues a run that starts as soon as a worker slot is free — after the run going on, if there is one " +
    "(runs of one sync never overlap). `full_refresh: true` re-reads everything and marks records gone " +
    "from the provider deleted. Triggering again before it starts adds nothing. 409 if the sync or its " +
    "connection is paused. Follow it with `GET /v1/syncs/{id}/status` or `GET /v1/runs?sync_id=…`.",
  tags: ["Syncs"],
  auth: "api_key",
  params: idParams,
  body: z
    .strictObject({
      full_refresh: z.boolean().default(false).describe("Re-read every stream from the start."),
    })
    .optional(),
  response: { 202: syncSchema },
  errors: ["not_found", "conflict"],
  example: { body: { full_refresh: true } },
}).handle(async ({ params, body, caller, deps }) => {
  const sync = await getSyncIn(deps.db, caller.environmentId, params.id);
  await triggerSync(deps, sync, { fullRefresh: body?.full_refresh ?? false });
  return { status: 202, body: syncView(await getSyncIn(deps.db, caller.environmentId, sync.id)) };
});

export const getSyncStatusRoute = defineRoute({
  method: "GET",
  url: "/v1/syncs/:id/status",
  name: "getSyncStatus",
  summary: "Per-stream status of a sync",
  description: "For each stream: last start, last finish, last result and error, next start, and status.",
  tags: ["Syncs"],
  auth: "api_key",
  params: idParams,
  response: {
    200: z.object({ sync_id: z.string(), connection_id: z.string(), data: z.array(streamStatusSchema) }),
  },
  errors: ["not_found"],
}).handle(async ({ params, caller, deps }) => {
  const sync = await getSyncIn(deps.db, caller.environmentId, params.id);
  const statuses = await loadStreamStatuses(deps.db, sync.connectionId, [sync]);
  return {
    status: 200,
    body: { sync_id: sync.id, connection_id: sync.connectionId, data: statuses.map(streamStatusView) },
  };
});

export const getConnectionSyncStatusRoute = defineRoute({
  method: "GET",
  url: "/v1/connections/:id/sync-status",
  name: "getConnectionSyncStatus",
  summary: "Per-stream sync status of a connection",
  description: "The status of every stream of every sync of the connection (what Merge calls sync-status).",
  tags: ["Syncs"],
  auth: "api_key",
  params: idParams,
  response: { 200: z.object({ connection_id: z.string(), data: z.array(streamStatusSchema) }) },
  errors: ["not_found"],
}).handle(async ({ params, caller, deps }) => {
  const connection = await getConnectionIn(deps.db, caller.environmentId, params.id);
  const statuses = await loadStreamStatuses(deps.db, connection.id);
  return { status: 200, body: { connection_id: connection.id, data: statuses.map(streamStatusView) } };
});

export const syncRoutes = [
  createSyncRoute,
  listSyncsRoute,
  getSyncRoute,
  updateSyncRoute,
  deleteSyncRoute,
  triggerSyncRoute,
  getSyncStatusRoute,
  getConnectionSyncStatusRoute,
] as const;
