/**
 * The OAuth2 path of Connect. Starting stores, on the session, the hash of a fresh `state` and — sealed by
 * the vault — the PKCE verifier; the provider's redirect comes back with that state, which finds the
 * session, and the code is exchanged, checked live, and the session completed.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { OAuth2AuthorizationError, SwitchyardError } from "../../core/index.ts";
import { exchangeCode, readAuthorizationResponse, startAuthorization } from "../../http/index.ts";
import {
  type ConnectionRow,
  type ConnectSessionRow,
  findConnectSessionByOAuthState,
  setConnectSessionOAuth,
} from "../../store/index.ts";
import { findProvider, type PlatformDeps } from "../platform.ts";
import { checkNewCredentials } from "../provider-http.ts";
import { oauthClientFor } from "../provider-settings.ts";
import { completeConnectSession } from "./complete.ts";
import { assertPending, assertProviderAllowed, publicBase } from "./sessions.ts";

export const OAUTH_CALLBACK_PATH = "/connect/oauth/callback";

type ConnectDeps = Pick<
  PlatformDeps,
  "db" | "vault" | "providers" | "providerSettings" | "checkHttp" | "publicUrl"
>;

/** What is sealed on the session while the end user is at the provider. */
const pendingSchema = z.object({
  provider: z.string(),
  redirectUri: z.string(),
  codeVerifier: z.string().optional(),
});

function hashState(state: string): string {
  return createHash("sha256").update(state, "utf8").digest("hex");
}

/** The OAuth2 client of a provider in this deployment; throws argument_invalid when it has none. */
function clientFor(deps: ConnectDeps, providerName: string) {
  const provider = findProvider(deps.providers, providerName);
  const config = oauthClientFor(provider, deps.providerSettings?.[provider.name]);
  if (!config) {
    throw new SwitchyardError(
      "argument_invalid",
      `${provider.displayName} cannot be connected with OAuth here.`,
      {
        hint: "Connect it with its credentials instead, or ask the app's team to set up its OAuth app.",
      },
    );
  }
  return { provider, config };
}

/** Starts an authorization for the session (replacing any earlier attempt); returns where to send the browser. */
export async function startConnectOAuth(
  deps: ConnectDeps,
  session: ConnectSessionRow,
  providerName: string,
): Promise<{ authorizeUrl: string }> {
  assertProviderAllowed(session, providerName);
  const { provider, config } = clientFor(deps, providerName);
  const redirectUri = `${publicBase(deps)}${OAUTH_CALLBACK_PATH}`;
  const start = await startAuthorization(config, redirectUri);
  const pending: z.infer<typeof pendingSchema> = {
    provider: provider.name,
    redirectUri,
    ...(start.codeVerifier ? { codeVerifier: start.codeVerifier } : {}),
  };
  await setConnectSessionOAuth(deps.db, session.id, {
    stateHash: hashState(start.state),
    sealed: deps.vault.seal(JSON.stringify(pending)),
  });
  return { authorizeUrl: start.url };
}

/**
 * Handles the provider's redirect: finds the session by its state (single use), checks the response,
 * exchanges the code, checks the tokens live, and completes the session. Throws typed errors an end user
 * can read (declined, expired link, refused code, provider error).
 */
export async function finishConnectOAuth(
  deps: ConnectDeps,
  parameters: URLSearchParams,
): Promise<{ session: ConnectSessionRow; connection: ConnectionRow; providerName: string }> {
  const state = parameters.get("state");
  const session = state ? await findConnectSessionByOAuthState(deps.db, hashState(state)) : undefined;
  if (!state || !session?.oauth_pending) {
    throw new OAuth2AuthorizationError(
      "the provider",
      "this authorization is not one we started, or it was already finished or replaced by a newer attempt",
    );
  }
  // Single use: a replayed redirect finds nothing.
  await setConnectSessionOAuth(deps.db, session.id, null);
  assertPending(session);
  const pending = pendingSchema.parse(JSON.parse(deps.vault.open(session.oauth_pending)));
  const { provider, config } = clientFor(deps, pending.provider);
  const callback = readAuthorizationResponse(config, parameters, state);
  const credentials = await exchangeCode(config, callback, pending.redirectUri, pending.codeVerifier);
  await checkNewCredentials(deps, provider, credentials, session.environment_id);
  const connection = await completeConnectSession(deps, session, provider, credentials);
  return { session, connection, providerName: provider.displayName };
}
