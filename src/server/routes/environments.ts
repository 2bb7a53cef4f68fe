/**
 * Environments: list them, and create one (which comes with its first API key). An admin key sees and
 * creates environments of the whole organisation; any other key sees only its own environment.
 */
import { z } from "zod";
import { assertAdmin, issueApiKey } from "../../app/api-keys/api-keys.ts";
import { SwitchyardError } from "../../core/index.ts";
import {
  appendEvent,
  type Environment,
  ensureEnvironment,
  findEnvironment,
  listEnvironments,
  setEnvironmentPrivateNetwork,
} from "../../store/index.ts";
import { defineRoute } from "../route.ts";
import { timestamp } from "../schemas.ts";
import { apiKeyName, apiKeyView, createdApiKeySchema } from "./api-keys.ts";

export const environmentSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    created_at: timestamp,
    allow_private_network: z
      .boolean()
      .describe(
        "Whether its connections may reach loopback, private and link-local addresses " +
          "(emulators on the Switchyard host). Off unless set when the environment is created.",
      ),
    current: z.boolean().describe("Whether the calling API key belongs to this environment."),
  })
  .meta({ id: "Environment" });

/** The API view of an environment, seen by a key of `callerEnvironmentId`. */
function environmentView(row: Environment, callerEnvironmentId: string): z.input<typeof environmentSchema> {
  return {
    id: row.id,
    name: row.name,
    created_at: row.created_at,
    allow_private_network: row.allow_private_network === 1,
    current: row.id === callerEnvironmentId,
  };
}

export const listEnvironmentsRoute = defineRoute({
  method: "GET",
  url: "/v1/environments",
  name: "listEnvironments",
  summary: "List environments",
  description:
    "An admin key lists every environment; any other key only its own. What an environment holds is " +
    "visible only to its own keys.",
  tags: ["Environments"],
  auth: "api_key",
  response: { 200: z.object({ data: z.array(environmentSchema) }) },
  errors: [],
}).handle(async ({ caller, deps }) => {
  const all = await listEnvironments(deps.db);
  const rows = caller.admin ? all : all.filter((row) => row.id === caller.environmentId);
  return {
    status: 200,
    body: { data: rows.map((row) => environmentView(row, caller.environmentId)) },
  };
});

export const createEnvironmentRoute = defineRoute({
  method: "POST",
  url: "/v1/environments",
  name: "createEnvironment",
  summary: "Create an environment",
  description:
    "Creates an empty environment and its first API key, returned once. Needs an admin key (403 " +
    "`forbidden` otherwise). Keys never cross environments: use the returned key to work in the new one.",
  tags: ["Environments"],
  auth: "api_key",
  body: z.strictObject({
    name: z
      .string()
      .regex(
        /^[a-z][a-z0-9-]{1,31}$/,
        "Use 2–32 lower-case letters, digits or dashes, starting with a letter.",
      )
      .describe("e.g. `staging`"),
    api_key_name: apiKeyName.default("first key").describe("Name of the environment's first API key."),
    allow_private_network: z
      .boolean()
      .default(false)
      .describe(
        "Let its connections reach loopback, private and link-local addresses, e.g. an emulator " +
          "on the Switchyard host. Leave it off for real customers: it lets a connection's `base_url` " +
          "call into the network Switchyard runs in.",
      ),
  }),
  response: {
    201: z.object({ environment: environmentSchema, api_key: createdApiKeySchema }),
  },
  errors: ["conflict", "forbidden"],
  example: { body: { name: "staging" } },
}).handle(async ({ body, caller, deps }) => {
  assertAdmin(caller, "create environments");
  if (await findEnvironment(deps.db, body.name)) {
    throw new SwitchyardError("conflict", `Environment "${body.name}" already exists.`, {
      hint: "Pick another name; GET /v1/environments lists the taken ones.",
    });
  }
  const created = await ensureEnvironment(deps.db, body.name);
  if (body.allow_private_network) await setEnvironmentPrivateNetwork(deps.db, created.id, true);
  const environment = { ...created, allow_private_network: body.allow_private_network ? 1 : 0 };
  const { key, secret } = await issueApiKey(deps.db, environment, body.api_key_name);
  await appendEvent(deps.db, {
    environmentId: caller.environmentId,
    type: "environment.created",
    data: { environment_id: environment.id, name: environment.name },
  });
  return {
    status: 201,
    body: {
      environment: environmentView(environment, caller.environmentId),
      api_key: { ...apiKeyView(key, environment.name), secret },
    },
  };
});

export const environmentRoutes = [listEnvironmentsRoute, createEnvironmentRoute] as const;
