/** Connections of the caller's environment: create, list, get, update, delete, and a live credentials test. */
import { z } from "zod";
import { checkConnection } from "../../app/connections/check.ts";
import { credentialsSchema } from "../../app/connections/connections.ts";
import {
  createEndUserConnection,
  deleteEndUserConnection,
  updateEndUserConnection,
} from "../../app/connections/lifecycle.ts";
import type { PlatformDeps } from "../../app/platform.ts";
import { issueAccountToken } from "../../app/unified/account-tokens.ts";
import {
  type ConnectionRow,
  getConnectionIn,
  listConnectionsIn,
  tagsOfConnections,
} from "../../store/index.ts";
import { defineRoute } from "../route.ts";
import { idParams, pageOf, pageQuery, queryList } from "../schemas.ts";
import {
  connectionConfigInput,
  connectionSchema,
  connectionStatus,
  connectionView,
  endUserSchema,
  metadataSchema,
  tagSchema,
  tagsSchema,
  toStoredConfig,
} from "../views/connection.ts";

const credentialsInput = credentialsSchema.meta({
  id: "Credentials",
  description: "Secret credentials, of the provider's auth scheme. Encrypted at rest; never returned.",
});

/** What checking credentials live with the provider may answer (updating credentials, testing them). */
const LIVE_CHECK_ERRORS = [
  "credentials_rejected",
  "provider_unavailable",
  "provider_request_rejected",
  "provider_response_malformed",
  "config_invalid",
] as const;

/** The views of stored connections with their tags (one query for all the tags). */
async function viewsOf(deps: PlatformDeps, rows: readonly ConnectionRow[]) {
  const tags = await tagsOfConnections(
    deps.db,
    rows.map((row) => row.id),
  );
  return rows.map((row) => connectionView(row, tags.get(row.id) ?? []));
}

/** The view of one stored connection with its tags. */
async function viewOf(deps: PlatformDeps, row: ConnectionRow) {
  const [view] = await viewsOf(deps, [row]);
  return view!;
}

export const createConnectionRoute = defineRoute({
  method: "POST",
  url: "/v1/connections",
  name: "createConnection",
  summary: "Create a connection",
  description:
    "Stores a customer's account at a provider. The credentials are encrypted before they are stored and " +
    "are never returned. Use `POST /v1/connections/{id}/test` to check them against the provider. " +
    "`config.base_url` may not carry a user name or password, nor lead to a loopback, private, link-local " +
    "or metadata address unless the environment allows private addresses.",
  tags: ["Connections"],
  auth: "api_key",
  body: z.strictObject({
    provider: z.string().min(1).max(100).describe("Provider name, e.g. `hubspot`."),
    credentials: credentialsInput,
    end_user: endUserSchema,
    tags: tagsSchema.optional(),
    metadata: metadataSchema.optional(),
    config: connectionConfigInput.optional(),
  }),
  response: {
    201: connectionSchema.extend({
      account_token: z
        .string()
        .describe(
          "The connection's account token for the unified API (`X-Account-Token`). Shown only here; " +
            "`POST /v1/connections/{id}/account-token` replaces it.",
        ),
    }),
  },
  errors: ["unknown_provider"],
  example: {
    body: {
      provider: "hubspot",
      credentials: { type: "bearer", token: "pat-na1-…" },
      end_user: { id: "customer-42", email: "ops@acme.example", organization: "Acme" },
      tags: ["trial"],
      metadata: { plan: "pro" },
    },
  },
}).handle(async ({ body, caller, deps }) => {
  const row = await createEndUserConnection(deps, {
    environmentId: caller.environmentId,
    provider: body.provider,
    credentials: body.credentials,
    endUser: body.end_user,
    ...(body.tags ? { tags: body.tags } : {}),
    ...(body.metadata ? { metadata: body.metadata } : {}),
    ...(body.config ? { config: toStoredConfig(body.config) } : {}),
  });
  const accountToken = await issueAccountToken(deps.db, row.id);
  return { status: 201, body: { ...(await viewOf(deps, row)), account_token: accountToken } };
});

export const listConnectionsRoute = defineRoute({
  method: "GET",
  url: "/v1/connections",
  name: "listConnections",
  summary: "List connections",
  description: "Newest first. Filters combine; `tags` matches connections carrying every tag given.",
  tags: ["Connections"],
  auth: "api_key",
  query: z.strictObject({
    provider: z.string().max(100).optional(),
    end_user_id: z.string().max(255).optional(),
    status: connectionStatus.optional(),
    tags: queryList(tagSchema).optional().describe("Repeat the parameter or separate tags with commas."),
    ...pageQuery,
  }),
  response: { 200: pageOf(connectionSchema) },
  errors: ["argument_invalid"],
}).handle(async ({ query, caller, deps }) => {
  const page = await listConnectionsIn(deps.db, caller.environmentId, {
    limit: query.limit,
    ...(query.cursor ? { cursor: query.cursor } : {}),
    ...(query.provider ? { provider: query.provider } : {}),
    ...(query.end_user_id ? { endUserId: query.end_user_id } : {}),
    ...(query.status ? { status: query.status } : {}),
    ...(query.tags ? { tags: query.tags } : {}),
  });
  return { status: 200, body: { data: await viewsOf(deps, page.items), next_cursor: page.nextCursor } };
});

export const getConnectionRoute = defineRoute({
  method: "GET",
  url: "/v1/connections/:id",
  name: "getConnection",
  summary: "Get a connection",
  tags: ["Connections"],
  auth: "api_key",
  params: idParams,
  response: { 200: connectionSchema },
  errors: ["not_found"],
}).handle(async ({ params, caller, deps }) => {
  const row = await getConnectionIn(deps.db, caller.environmentId, params.id);
  return { status: 200, body: await viewOf(deps, row) };
});

export const updateConnectionRoute = defineRoute({
  method: "PATCH",
  url: "/v1/connections/:id",
  name: "updateConnection",
  summary: "Update a connection",
  description:
    "Changes only the fields given. `tags` and `metadata` are replaced as a whole. New `credentials` are " +
    "first checked live with the provider (at the new `config.base_url` if one is given): rejected ones " +
    "answer 422 `credentials_rejected` and nothing is changed; accepted ones make a connection that needed " +
    "re-authorisation `active` again and set `last_checked_at`. Set `status` to `paused` to stop its syncs.",
  tags: ["Connections"],
  auth: "api_key",
  params: idParams,
  body: z
    .strictObject({
      credentials: credentialsInput.optional(),
      status: z.enum(["active", "paused"]).optional(),
      tags: tagsSchema.optional(),
      metadata: metadataSchema.optional(),
      end_user: endUserSchema.omit({ id: true }).optional(),
      config: connectionConfigInput.optional(),
    })
    .refine(
      (body) => Object.values(body).some((value) => value !== undefined),
      "Give at least one field to change.",
    ),
  response: { 200: connectionSchema },
  errors: ["not_found", ...LIVE_CHECK_ERRORS],
  example: { body: { tags: ["customer", "pro"], status: "paused" } },
}).handle(async ({ params, body, caller, deps }) => {
  const row = await getConnectionIn(deps.db, caller.environmentId, params.id);
  const updated = await updateEndUserConnection(deps, row, {
    ...(body.credentials ? { credentials: body.credentials } : {}),
    ...(body.status ? { status: body.status } : {}),
    ...(body.tags ? { tags: body.tags } : {}),
    ...(body.metadata ? { metadata: body.metadata } : {}),
    ...(body.end_user ? { endUser: body.end_user } : {}),
    ...(body.config ? { config: toStoredConfig(body.config) } : {}),
  });
  return { status: 200, body: await viewOf(deps, updated) };
});

export const deleteConnectionRoute = defineRoute({
  method: "DELETE",
  url: "/v1/connections/:id",
  name: "deleteConnection",
  summary: "Delete a connection",
  description:
    "Deletes the connection with its cached records, stream state, runs, run logs and credentials.",
  tags: ["Connections"],
  auth: "api_key",
  params: idParams,
  response: { 200: z.object({ id: z.string(), deleted: z.literal(true) }) },
  errors: ["not_found"],
}).handle(async ({ params, caller, deps }) => {
  const row = await getConnectionIn(deps.db, caller.environmentId, params.id);
  await deleteEndUserConnection(deps, row);
  return { status: 200, body: { id: row.id, deleted: true as const } };
});

export const testConnectionRoute = defineRoute({
  method: "POST",
  url: "/v1/connections/:id/test",
  name: "testConnection",
  summary: "Check a connection's credentials live",
  description:
    "Makes one authenticated call to the provider. Success returns the connection, `active` again. " +
    "Rejected credentials answer 422 `credentials_rejected` (an OAuth2 refresh token the provider refused: " +
    "`reauthorization_required`) and leave the connection `needs_reauth`; " +
    "an unreachable provider answers 502.",
  tags: ["Connections"],
  auth: "api_key",
  params: idParams,
  response: { 200: z.object({ ok: z.literal(true), connection: connectionSchema }) },
  errors: ["not_found", ...LIVE_CHECK_ERRORS, "reauthorization_required"],
}).handle(async ({ params, caller, deps }) => {
  const row = await getConnectionIn(deps.db, caller.environmentId, params.id);
  const checked = await checkConnection(deps, row);
  return { status: 200, body: { ok: true as const, connection: await viewOf(deps, checked) } };
});

export const rotateAccountTokenRoute = defineRoute({
  method: "POST",
  url: "/v1/connections/:id/account-token",
  name: "rotateAccountToken",
  summary: "Issue a new account token",
  description:
    "Gives the connection a new account token for the unified API (`X-Account-Token`) and returns it, once; " +
    "the previous token stops working at once. Connections created through Connect get their first token here.",
  tags: ["Connections"],
  auth: "api_key",
  params: idParams,
  response: { 200: z.object({ connection_id: z.string(), account_token: z.string() }) },
  errors: ["not_found"],
}).handle(async ({ params, caller, deps }) => {
  const row = await getConnectionIn(deps.db, caller.environmentId, params.id);
  return {
    status: 200,
    body: { connection_id: row.id, account_token: await issueAccountToken(deps.db, row.id) },
  };
});

export const connectionRoutes = [
  createConnectionRoute,
  listConnectionsRoute,
  getConnectionRoute,
  updateConnectionRoute,
  deleteConnectionRoute,
  testConnectionRoute,
  rotateAccountTokenRoute,
] as const;
