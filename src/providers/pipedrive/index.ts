/**
 * Pipedrive, declared on the provider kit: API token (the `x-api-token` header) or OAuth2, token-based
 * rate-limit headers, and the streams. Persons, organizations, deals and activities are read from API v2
 * (cursor paging, `updated_since`), their custom fields typed and named from the v1 field definitions;
 * stages from v2 too, whole; users and the field definitions from API v1 (`start`/`limit`). Reference:
 * docs/providers/pipedrive.md.
 */
import type { ColumnType, ProviderDefinition } from "../../core/index.ts";
import { defineProvider, type StreamSpec } from "../kit/index.ts";
import { pipedriveActions } from "./actions.ts";
import { pipedriveCreatedRecords } from "./created-records.ts";
import { pipedriveWebhooks } from "./webhooks.ts";

export const PIPEDRIVE_BASE_URL = "https://api.pipedrive.com";

/** API v2 lists: an opaque cursor in `additional_data.next_cursor`, up to 500 records a page. */
const v2Cursor = { type: "cursor", cursorPath: "additional_data.next_cursor", param: "cursor" } as const;
/** API v1 lists: `start`/`limit` (the kit stops at a short page; `more_items_in_collection` agrees). */
const v1Offset = { type: "offset", offsetParam: "start", limitParam: "limit", limit: 500 } as const;

/**
 * Pipedrive's field types (`field_type` of `/v1/personFields`…) as columns, as v2 sends their values:
 * `monetary` is `{ value, currency }`, `enum` the option's id, `set` a list of option ids.
 */
const FIELD_TYPES: Record<string, ColumnType> = {
  ...{ int: "integer", double: "number", date: "timestamp", boolean: "boolean", enum: "integer" },
  ...{ user: "integer", org: "integer", people: "integer", stage: "integer", visible_to: "integer" },
  ...{ monetary: "json", set: "json", address: "json", phone: "json", daterange: "json", timerange: "json" },
};

const TIMES = { add_time: "timestamp", update_time: "timestamp" } as const;

/**
 * Deletions since a time, from v1's feed of every change (`/v1/recents`): v2 lists only live persons,
 * organizations and activities, and the feed shows a deleted one with `active_flag: false`.
 */
const recentDeletions = (item: string) =>
  ({
    type: "endpoint",
    request: { path: "/api/v1/recents", query: { items: item } },
    paginator: v1Offset,
    since: { param: "since_timestamp", format: "datetime_space" },
    where: { field: "data.active_flag", equals: false },
    idAt: "data.id",
  }) as const;

/** A v2 entity (`persons`, item `person`): incremental on `update_time`, custom fields named and typed. */
function v2Stream(path: string, item: string, columns: Record<string, ColumnType>): StreamSpec {
  return {
    name: path,
    primaryKey: "id",
    request: { path: `/api/v2/${path}`, query: { limit: 500 } },
    records: "data",
    paginator: v2Cursor,
    // v2 takes and writes RFC 3339 times to the second; a minute of lookback covers late-visible writes.
    incremental: {
      cursorField: "update_time",
      param: "updated_since",
      format: "iso8601_seconds",
      lookbackSeconds: 60,
    },
    deleted: recentDeletions(item),
    schema: {
      columns: { id: "integer", owner_id: "integer", is_deleted: "boolean", ...TIMES, ...columns },
      discover: {
        request: { path: `/api/v1/${item}Fields` },
        records: "data",
        paginator: v1Offset,
        type: "field_type",
        types: FIELD_TYPES,
        custom: { field: "edit_flag", equals: true },
        customValuesAt: "custom_fields",
      },
    },
  };
}

const FIELD_COLUMNS: Record<string, ColumnType> = {
  ...{ id: "integer", key: "string", name: "string", field_type: "string", edit_flag: "boolean" },
  options: "json",
};

/** A v1 list of its own (`start`/`limit` paging, read whole at every sync): users and field definitions. */
function v1Stream(name: string, path: string, columns: Record<string, ColumnType>): StreamSpec {
  return {
    name,
    primaryKey: "id",
    request: { path: `/api/v1/${path}` },
    records: "data",
    paginator: v1Offset,
    schema: { columns },
  };
}

const persons = v2Stream("persons", "person", {
  ...{ name: "string", first_name: "string", last_name: "string", org_id: "integer" },
  ...{ emails: "json", phones: "json", label_ids: "json" },
});
const organizations = v2Stream("organizations", "organization", {
  ...{ name: "string", address: "json", label_ids: "json" },
});
const activities = v2Stream("activities", "activity", {
  ...{ subject: "string", type: "string", done: "boolean" },
  ...{ deal_id: "integer", person_id: "integer", org_id: "integer" },
});
const deals: StreamSpec = {
  ...v2Stream("deals", "deal", {
    ...{ title: "string", value: "number", currency: "string", status: "string", label_ids: "json" },
    ...{ person_id: "integer", org_id: "integer", stage_id: "integer", pipeline_id: "integer" },
  }),
  // Deleted deals (kept 30 days) are listed by `status=deleted`, changed since the last read.
  deleted: {
    type: "endpoint",
    request: { path: "/api/v2/deals", query: { status: "deleted", limit: 500 } },
    since: true,
  },
};

const users = v1Stream("users", "users", {
  ...{ id: "integer", name: "string", email: "string", active_flag: "boolean", is_admin: "integer" },
  ...{ created: "timestamp", modified: "timestamp" },
});

/** The pipelines' stages (v2): a company has few, so every sync reads them whole. */
const stages: StreamSpec = {
  name: "stages",
  primaryKey: "id",
  request: { path: "/api/v2/stages", query: { limit: 500 } },
  records: "data",
  paginator: v2Cursor,
  schema: {
    columns: {
      ...{ id: "integer", name: "string", order_nr: "integer", pipeline_id: "integer" },
      ...{ deal_probability: "integer", is_deleted: "boolean", ...TIMES },
    },
  },
};

const declared = defineProvider({
  name: "pipedrive",
  displayName: "Pipedrive",
  baseUrl: PIPEDRIVE_BASE_URL,
  // Every API version takes the token in this header (v1 also as `?api_token=`, which ends up in logs).
  auth: { type: "api_key", in: "header", name: "x-api-token" },
  credentialFields: [
    {
      name: "key",
      label: "API token",
      type: "secret",
      help: "In Pipedrive: your profile menu → Personal preferences → API → Your personal API token.",
      pattern: "[0-9a-f]{40}",
      placeholder: "40 hexadecimal characters",
    },
  ],
  // Tokens come from oauth.pipedrive.com with HTTP Basic client authentication; scopes are the app's.
  // Its token response names the company's API domain (`api_domain`): the connection's base URL.
  oauth2: {
    instanceUrlField: "api_domain",
    authorizationUrl: "https://oauth.pipedrive.com/oauth/authorize",
    tokenUrl: "https://oauth.pipedrive.com/oauth/token",
    scopes: ["base", "contacts:full", "deals:full", "activities:read", "users:read"],
    pkce: false,
    clientAuth: "client_secret_basic",
  },
  // Token-based limits: a burst budget per 2-second window, reported on every response.
  rateLimit: {
    limit: "x-ratelimit-limit",
    remaining: "x-ratelimit-remaining",
    reset: { header: "x-ratelimit-reset", format: "seconds" },
    windowMs: 2000,
  },
  check: { path: "/api/v1/users/me" },
  streams: [
    persons,
    organizations,
    deals,
    activities,
    users,
    stages,
    v1Stream("person_fields", "personFields", FIELD_COLUMNS),
    v1Stream("organization_fields", "organizationFields", FIELD_COLUMNS),
    v1Stream("deal_fields", "dealFields", FIELD_COLUMNS),
    v1Stream("activity_fields", "activityFields", FIELD_COLUMNS),
  ],
});

export const pipedrive: ProviderDefinition = {
  ...declared,
  webhooks: pipedriveWebhooks,
  actions: pipedriveActions,
  createdRecords: pipedriveCreatedRecords,
  // Loaded only when started, so loading the definition does not load the emulator.
  emulator: async (options) => (await import("./emulator/handle.ts")).startPipedriveEmulatorHandle(options),
};
