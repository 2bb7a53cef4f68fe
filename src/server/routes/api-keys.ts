/**
 * API keys of the caller's environment: list, create (the secret is shown once), revoke. Only an admin key
 * may create or revoke admin keys.
 */
import { z } from "zod";
import { assertAdmin, issueApiKey } from "../../app/api-keys/api-keys.ts";
import { type ApiKeyRow, appendEvent, getApiKey, listApiKeys, revokeApiKey } from "../../store/index.ts";
import { defineRoute } from "../route.ts";
import { idParams, pageOf, pageQuery, plainText, queryBoolean, timestamp } from "../schemas.ts";

export const apiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().describe("The first characters of the secret, to recognise it."),
    environment: z.string(),
    created_at: timestamp,
    last_used_at: timestamp.nullable(),
    revoked_at: timestamp.nullable(),
    admin: z.boolean().describe("Whether the key also manages environments (lists all, creates new ones)."),
  })
  .meta({ id: "ApiKey" });

export const createdApiKeySchema = apiKeySchema
  .extend({ secret: z.string().describe("The key itself. Shown only in this response; store it safely.") })
  .meta({ id: "CreatedApiKey" });

export const apiKeyName = z.string().trim().pipe(plainText(1, 100));

/** The API view of a key: never its hash. */
export function apiKeyView(row: ApiKeyRow, environment: string): z.input<typeof apiKeySchema> {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    environment,
    created_at: row.created_at,
    last_used_at: row.last_used_at,
    revoked_at: row.revoked_at,
    admin: row.admin === 1,
  };
}

export const listKeys = defineRoute({
  method: "GET",
  url: "/v1/api-keys",
  name: "listApiKeys",
  summary: "List the API keys of this environment",
  tags: ["API keys"],
  auth: "api_key",
  query: z.strictObject({
    ...pageQuery,
    include_revoked: queryBoolean().default(false).describe("Also list revoked keys."),
  }),
  response: { 200: pageOf(apiKeySchema) },
  errors: ["argument_invalid"],
}).handle(async ({ query, caller, deps }) => {
  const page = await listApiKeys(deps.db, caller.environmentId, {
    limit: query.limit,
    includeRevoked: query.include_revoked,
    ...(query.cursor ? { cursor: query.cursor } : {}),
  });
  return {
    status: 200,
    body: {
      data: page.items.map((row) => apiKeyView(row, caller.environmentName)),
      next_cursor: page.nextCursor,
    },
  };
});

export const createKey = defineRoute({
  method: "POST",
  url: "/v1/api-keys",
  name: "createApiKey",
  summary: "Create an API key in this environment",
  description:
    "The response carries the secret once; only its hash is stored. `admin: true` (only with an admin " +
    "key) makes a key that also manages environments.",
  tags: ["API keys"],
  auth: "api_key",
  body: z.strictObject({
    name: apiKeyName.describe("What the key is for, e.g. `backend production`."),
    admin: z.boolean().default(false).describe("Make an admin key (needs an admin key)."),
  }),
  response: { 201: createdApiKeySchema },
  errors: ["forbidden"],
  example: { body: { name: "backend" } },
}).handle(async ({ body, caller, deps }) => {
  if (body.admin) assertAdmin(caller, "create admin keys");
  const environment = { id: caller.environmentId, name: caller.environmentName };
  const { key, secret } = await issueApiKey(deps.db, environment, body.name, { admin: body.admin });
  await appendEvent(deps.db, {
    environmentId: caller.environmentId,
    type: "api_key.created",
    data: { api_key_id: key.id, name: key.name, prefix: key.prefix, admin: body.admin },
  });
  return { status: 201, body: { ...apiKeyView(key, environment.name), secret } };
});

export const revokeKey = defineRoute({
  method: "DELETE",
  url: "/v1/api-keys/:id",
  name: "revokeApiKey",
  summary: "Revoke an API key of this environment",
  description:
    "Takes effect at once, also for the key making the request. Revoking twice is harmless. Only an " +
    "admin key may revoke an admin key.",
  tags: ["API keys"],
  auth: "api_key",
  params: idParams,
  response: { 200: apiKeySchema },
  errors: ["not_found", "forbidden"],
}).handle(async ({ params, caller, deps }) => {
  if ((await getApiKey(deps.db, caller.environmentId, params.id)).admin === 1) {
    assertAdmin(caller, "revoke an admin key");
  }
  const row = await revokeApiKey(deps.db, caller.environmentId, params.id);
  await appendEvent(deps.db, {
    environmentId: caller.environmentId,
    type: "api_key.revoked",
    data: { api_key_id: row.id, name: row.name, prefix: row.prefix },
  });
  return { status: 200, body: apiKeyView(row, caller.environmentName) };
});

export const apiKeyRoutes = [listKeys, createKey, revokeKey] as const;
