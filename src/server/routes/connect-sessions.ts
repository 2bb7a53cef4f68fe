/**
 * Connect sessions of the caller's environment: the product's backend opens one for an end user and sends
 * the browser to its `connect_url`; the session then says whether (and with which connection) it connected.
 */
import { z } from "zod";
import {
  allowedProvidersOf,
  connectUrl,
  DEFAULT_SESSION_SECONDS,
  MAX_SESSION_SECONDS,
  MIN_SESSION_SECONDS,
  openConnectSession,
  sessionStatus,
} from "../../app/connect/sessions.ts";
import {
  type ConnectSessionRow,
  expireConnectSession,
  getConnectSessionIn,
  nowIso,
} from "../../store/index.ts";
import { defineRoute } from "../route.ts";
import { idParams, timestamp } from "../schemas.ts";
import { endUserSchema } from "../views/connection.ts";

export const connectSessionSchema = z
  .object({
    id: z.string(),
    status: z
      .enum(["pending", "connected", "expired", "locked"])
      .describe(
        "`connected` once the end user connected (or re-authorised) an account; `expired` after " +
          "`expires_at`; `locked` after 5 failed credential attempts (open a new session).",
      ),
    end_user: z.object({ id: z.string(), email: z.string().nullable(), organization: z.string().nullable() }),
    allowed_providers: z.array(z.string()),
    connection_id: z
      .string()
      .nullable()
      .describe("The connection it re-authorises (given at creation) or created."),
    expires_at: timestamp,
    used_at: timestamp.nullable(),
    created_at: timestamp,
  })
  .meta({ id: "ConnectSession" });

export const createdConnectSessionSchema = connectSessionSchema
  .extend({
    token: z.string().describe("Short-lived token for the Connect page. Shown only in this response."),
    connect_url: z
      .string()
      .describe("The hosted Connect page for this session; send the end user's browser there."),
  })
  .meta({ id: "CreatedConnectSession" });

function sessionView(row: ConnectSessionRow): z.input<typeof connectSessionSchema> {
  return {
    id: row.id,
    status: sessionStatus(row),
    end_user: { id: row.end_user_id, email: row.end_user_email, organization: row.end_user_organization },
    allowed_providers: allowedProvidersOf(row),
    connection_id: row.connection_id,
    expires_at: row.expires_at,
    used_at: row.used_at,
    created_at: row.created_at,
  };
}

export const createConnectSessionRoute = defineRoute({
  method: "POST",
  url: "/v1/connect-sessions",
  name: "createConnectSession",
  summary: "Open a Connect session for an end user",
  description:
    "Returns a short-lived `token` and the `connect_url` of the hosted Connect page, where the end user picks " +
    "a provider and connects an account (credentials checked live, or OAuth2). The session works once: when " +
    "the account is connected, `connection.created` is appended to the event log with `connect_session_id`. " +
    "Give `connection_id` to have the end user re-authorise an existing connection instead.",
  tags: ["Connect"],
  auth: "api_key",
  body: z.strictObject({
    end_user: endUserSchema,
    allowed_providers: z
      .array(z.string().min(1).max(100))
      .min(1)
      .max(50)
      .optional()
      .describe("Providers the end user may pick (default: all)."),
    expires_in: z
      .number()
      .int()
      .min(MIN_SESSION_SECONDS)
      .max(MAX_SESSION_SECONDS)
      .default(DEFAULT_SESSION_SECONDS)
      .describe("Seconds until the session ends: 60 to 86,400 (24 h), default 1,800 (30 min)."),
    connection_id: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe("A connection of this end user to re-authorise (e.g. one in `needs_reauth`)."),
  }),
  response: { 201: createdConnectSessionSchema },
  errors: ["unknown_provider", "not_found", "config_invalid"],
  example: {
    body: {
      end_user: { id: "customer-42", email: "ops@acme.example", organization: "Acme" },
      allowed_providers: ["hubspot"],
      expires_in: 1800,
    },
  },
}).handle(async ({ body, caller, deps }) => {
  const { session, token } = await openConnectSession(deps, {
    environmentId: caller.environmentId,
    endUser: body.end_user,
    expiresInSeconds: body.expires_in,
    ...(body.allowed_providers ? { allowedProviders: body.allowed_providers } : {}),
    ...(body.connection_id ? { connectionId: body.connection_id } : {}),
  });
  return {
    status: 201,
    body: { ...sessionView(session), token, connect_url: connectUrl(deps, token) },
  };
});

export const getConnectSessionRoute = defineRoute({
  method: "GET",
  url: "/v1/connect-sessions/:id",
  name: "getConnectSession",
  summary: "Get a Connect session",
  tags: ["Connect"],
  auth: "api_key",
  params: idParams,
  response: { 200: connectSessionSchema },
  errors: ["not_found"],
}).handle(async ({ params, caller, deps }) => {
  const row = await getConnectSessionIn(deps.db, caller.environmentId, params.id);
  return { status: 200, body: sessionView(row) };
});

export const expireConnectSessionRoute = defineRoute({
  method: "DELETE",
  url: "/v1/connect-sessions/:id",
  name: "expireConnectSession",
  summary: "End a Connect session now",
  description: "Its token stops working at once. A session that already connected keeps its record.",
  tags: ["Connect"],
  auth: "api_key",
  params: idParams,
  response: { 200: connectSessionSchema },
  errors: ["not_found"],
}).handle(async ({ params, caller, deps }) => {
  const row = await getConnectSessionIn(deps.db, caller.environmentId, params.id);
  await expireConnectSession(deps.db, row.id, nowIso());
  return { status: 200, body: sessionView(await getConnectSessionIn(deps.db, caller.environmentId, row.id)) };
});

export const connectSessionRoutes = [
  createConnectSessionRoute,
  getConnectSessionRoute,
  expireConnectSessionRoute,
] as const;
