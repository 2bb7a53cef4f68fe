/**
 * The API the Connect page calls, under `/connect/api`. Public routes authenticated by the session token
 * (`Authorization: Bearer cst_…`), not an API key: the session names the environment, the end user and the
 * providers allowed. Errors are problem+json like the rest of the API.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { connectWithCredentials, credentialFieldsOf } from "../../app/connect/credentials.ts";
import { browserBindingCookie, OAUTH_CALLBACK_PATH, startConnectOAuth } from "../../app/connect/oauth.ts";
import { allowedProvidersOf, authenticateConnectToken, publicBase } from "../../app/connect/sessions.ts";
import type { PlatformDeps } from "../../app/platform.ts";
import { oauthClientFor } from "../../app/provider-settings.ts";
import { SwitchyardError } from "../../core/index.ts";
import type { ConnectSessionRow } from "../../store/index.ts";
import { parseInput } from "../parse-input.ts";
import type { ConnectThrottle } from "./limits.ts";

const providerName = z.string().min(1).max(100);
const credentialsBody = z.strictObject({
  provider: providerName,
  fields: z.record(z.string().max(100), z.string().max(10_000)),
});
const oauthStartBody = z.strictObject({ provider: providerName });

/**
 * The session the request's bearer token opens; throws the end-user error when it cannot be used, and
 * `rate_limited` when the client address or the session is over its limit.
 */
async function sessionOf(
  deps: PlatformDeps,
  throttle: ConnectThrottle,
  request: FastifyRequest,
): Promise<ConnectSessionRow> {
  await throttle.admitAddress(request.ip);
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? "");
  if (!match?.[1]) {
    await throttle.badToken(request.ip);
    throw new SwitchyardError("unauthenticated", "This page needs a Connect link to work.", {
      hint: "Open the link the app gave you (it ends in ?token=…).",
    });
  }
  let session: ConnectSessionRow;
  try {
    session = await authenticateConnectToken(deps, match[1]);
  } catch (error) {
    if (error instanceof SwitchyardError && error.code === "unauthenticated")
      await throttle.badToken(request.ip);
    throw error;
  }
  await throttle.admitSession(session.id);
  return session;
}

/** What the page shows: the end user, the expiry, and per allowed provider its form and whether OAuth works. */
function pageView(deps: PlatformDeps, session: ConnectSessionRow) {
  const providers = allowedProvidersOf(session).flatMap((name) => {
    const provider = Object.hasOwn(deps.providers, name) ? deps.providers[name] : undefined;
    if (!provider) return [];
    return [
      {
        name: provider.name,
        display_name: provider.displayName,
        fields: credentialFieldsOf(provider),
        oauth2: oauthClientFor(provider, deps.providerSettings?.[provider.name]) !== undefined,
      },
    ];
  });
  return {
    id: session.id,
    expires_at: session.expires_at,
    reconnect: session.connection_id !== null,
    end_user: { email: session.end_user_email, organization: session.end_user_organization },
    providers,
  };
}

/**
 * The Set-Cookie of an OAuth2 attempt's browser binding: sent back only to the callback, never readable by
 * scripts, Secure when this Switchyard is served over https, and gone when the session expires.
 */
function bindingCookie(deps: PlatformDeps, session: ConnectSessionRow, value: string): string {
  const seconds = Math.max(0, Math.floor((Date.parse(session.expires_at) - Date.now()) / 1000));
  const secure = publicBase(deps).startsWith("https:") ? "; Secure" : "";
  return (
    `${browserBindingCookie(session.id)}=${value}; Path=${OAUTH_CALLBACK_PATH}; Max-Age=${seconds}; ` +
    `HttpOnly; SameSite=Lax${secure}`
  );
}

/** Registers `GET /connect/api/session`, `POST /connect/api/credentials` and `POST /connect/api/oauth/start`. */
export function registerConnectApi(
  app: FastifyInstance,
  deps: PlatformDeps,
  throttle: ConnectThrottle,
): void {
  app.get("/connect/api/session", async (request, reply) => {
    const session = await sessionOf(deps, throttle, request);
    return reply.header("cache-control", "no-store").send(pageView(deps, session));
  });

  app.post("/connect/api/credentials", async (request, reply) => {
    const session = await sessionOf(deps, throttle, request);
    const { body } = parseInput({ body: credentialsBody }, { params: {}, query: {}, body: request.body });
    const input = body as z.output<typeof credentialsBody>;
    const connection = await connectWithCredentials(deps, session, input.provider, input.fields);
    return reply.code(201).send({ connection: { id: connection.id, provider: connection.provider } });
  });

  app.post("/connect/api/oauth/start", async (request, reply) => {
    const session = await sessionOf(deps, throttle, request);
    const { body } = parseInput({ body: oauthStartBody }, { params: {}, query: {}, body: request.body });
    const provider = (body as { provider: string }).provider;
    const { authorizeUrl, browserBinding } = await startConnectOAuth(deps, session, provider);
    return reply
      .header("cache-control", "no-store")
      .header("set-cookie", bindingCookie(deps, session, browserBinding))
      .send({ authorize_url: authorizeUrl });
  });
}
