/**
 * Actions: a provider's typed writes, run for one connection (`POST /v1/actions/{provider}/{action}` with
 * `{connection_id, input}`), and what each takes and returns (`GET /v1/providers/{provider}/actions`). Every
 * built-in provider's action has a route of its own, so its input and output schemas are in the OpenAPI
 * document; the parametric route serves any other provider this server knows.
 */
import { z } from "zod";
import { describeActions } from "../../app/actions/catalog.ts";
import { answerIdempotently } from "../../app/actions/idempotency.ts";
import { findAction, runAction, zodSchemaOf } from "../../app/actions/run-action.ts";
import { findProvider } from "../../app/platform.ts";
import { type ActionDefinition, type ProviderDefinition, SwitchyardError } from "../../core/index.ts";
import { providers as registeredProviders } from "../../providers/registry.ts";
import { getConnectionIn } from "../../store/index.ts";
import { defineRoute, type HandlerContext } from "../route.ts";

/** The `Idempotency-Key` request header, as every write route takes it. */
export const idempotencyHeaders = z.object({
  "idempotency-key": z
    .string()
    .min(1)
    .max(255)
    .optional()
    .describe(
      "Makes a retry safe: the same key with the same request returns the first answer without writing again " +
        "(for 24 hours, per environment); the same key with another request is refused with 422.",
    ),
});

const connectionId = z.string().min(1).max(200).describe("The connection to run the action for.");

const ACTION_ERRORS = [
  "not_found",
  "unknown_provider",
  "action_refused",
  "idempotency_key_reused",
  "conflict",
  "credentials_rejected",
  "provider_unavailable",
  "provider_response_malformed",
] as const;

type RunContext = Pick<
  HandlerContext<"api_key", undefined, undefined, undefined>,
  "caller" | "deps" | "headers"
>;

/** Runs the action for a connection of the caller's environment, once per Idempotency-Key. */
async function runFor(
  ctx: RunContext,
  providerName: string,
  actionName: string,
  body: { connection_id: string; input?: unknown },
) {
  const { deps, caller } = ctx;
  const { provider, action } = findAction(deps.providers, providerName, actionName);
  const connection = await getConnectionIn(deps.db, caller.environmentId, body.connection_id);
  if (connection.provider !== provider.name) {
    throw new SwitchyardError(
      "request_invalid",
      `Connection ${connection.id} is a ${connection.provider} connection, not a ${provider.name} one.`,
      { hint: `Run ${connection.provider}'s actions for it, or name a ${provider.name} connection.` },
    );
  }
  const key = ctx.headers["idempotency-key"] as string | undefined;
  return answerIdempotently(
    deps.db,
    {
      environmentId: caller.environmentId,
      key,
      method: "POST",
      path: `/v1/actions/${provider.name}/${action.name}`,
      connectionId: connection.id,
      body: body.input,
    },
    async () => ({
      status: 200 as const,
      body: { output: await runAction(deps, connection, action.name, body.input) },
    }),
  );
}

/** The first example the action's input schema declares (`.meta({ examples })`), for the OpenAPI document. */
function exampleOf(schema: z.ZodType): unknown {
  const examples = (schema.meta() as { examples?: unknown[] } | undefined)?.examples;
  return examples?.[0] ?? {};
}

/** The route of one built-in action, with its own input and output schemas. */
function actionRoute(provider: ProviderDefinition, action: ActionDefinition) {
  const input = zodSchemaOf(action.input) ?? z.unknown();
  const output = zodSchemaOf(action.output) ?? z.unknown();
  const camel = `${provider.name}_${action.name}`.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  return defineRoute({
    method: "POST",
    url: `/v1/actions/${provider.name}/${action.name}`,
    name: `run${camel[0]!.toUpperCase()}${camel.slice(1)}`,
    summary: `${provider.displayName}: ${action.description}`,
    description: `Runs ${provider.displayName}'s \`${action.name}\` for a connection, synchronously with ${provider.displayName}.`,
    tags: ["Actions"],
    auth: "api_key",
    headers: idempotencyHeaders,
    body: z.strictObject({ connection_id: connectionId, input }),
    response: { 200: z.object({ output }) },
    errors: ACTION_ERRORS,
    example: { body: { connection_id: "conn_6f1d2c…", input: exampleOf(input) } },
  }).handle(async (ctx) => runFor(ctx, provider.name, action.name, ctx.body));
}

/** Any provider's action, by name: for providers this server knows beyond the built-in ones. */
export const runActionRoute = defineRoute({
  method: "POST",
  url: "/v1/actions/:provider/:action",
  name: "runAction",
  summary: "Run an action",
  description:
    "Runs a provider's typed write for a connection. `input` is checked against the action's schema " +
    "(`GET /v1/providers/{provider}/actions`); a provider's refusal answers 422 `action_refused` with its message.",
  tags: ["Actions"],
  auth: "api_key",
  params: z.strictObject({
    provider: z.string().min(1).max(100).describe("The provider (`hubspot`)."),
    action: z.string().min(1).max(100).describe("The action (`create_contact`)."),
  }),
  headers: idempotencyHeaders,
  body: z.strictObject({
    connection_id: connectionId,
    input: z.unknown().describe("The action's input, as its `input_schema` describes it."),
  }),
  response: { 200: z.object({ output: z.unknown().describe("The action's output.") }) },
  errors: ACTION_ERRORS,
  example: { body: { connection_id: "conn_6f1d2c…", input: { properties: { firstname: "Ada" } } } },
}).handle(async (ctx) => runFor(ctx, ctx.params.provider, ctx.params.action, ctx.body));

const actionDescription = z
  .object({
    name: z.string(),
    description: z.string(),
    input_schema: z.record(z.string(), z.unknown()).describe("JSON Schema of `input`."),
    output_schema: z.record(z.string(), z.unknown()).describe("JSON Schema of `output`."),
  })
  .meta({ id: "ActionDescription" });

export const listProviderActionsRoute = defineRoute({
  method: "GET",
  url: "/v1/providers/:provider/actions",
  name: "listProviderActions",
  summary: "List a provider's actions",
  description: "The provider's typed writes, with the JSON Schema of each one's input and output.",
  tags: ["Actions"],
  auth: "api_key",
  params: z.strictObject({ provider: z.string().min(1).max(100).describe("The provider (`hubspot`).") }),
  response: { 200: z.object({ data: z.array(actionDescription) }) },
  errors: ["unknown_provider"],
}).handle(async ({ params, deps }) => ({
  status: 200,
  body: { data: describeActions(findProvider(deps.providers, params.provider)) },
}));

export const actionRoutes = [
  listProviderActionsRoute,
  ...Object.values(registeredProviders).flatMap((provider) =>
    (provider.actions ?? []).map((action) => actionRoute(provider, action)),
  ),
  runActionRoute,
] as const;
