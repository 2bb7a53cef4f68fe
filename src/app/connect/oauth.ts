/**
 * The OAuth2 path of Connect. Starting stores, on the session, the hash of a fresh `state` and — sealed by
 * the vault — the PKCE verifier and the hash of a browser binding: a random value the browser that started
 * keeps in a cookie. The provider's redirect comes back with that state, which finds the session; only the
 * browser holding the binding may finish it, so a leaked code and state are useless elsewhere. The code is
 * exchanged, checked live, and the session completed.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { OAuth2AuthorizationError, SwitchyardError } from "../../core/index.ts";
import { exchangeCode, readAuthorizationResponse, startAuthorization } from "../../http/index.ts";
import {
  type ConnectionRow,
  type ConnectSessionRow,
  findConnectSessionByOAuthState,
  setConnectSessionOAuth,
} from "../../store/index.ts";
import { checkNewCredentials } from "../connections/provider-http.ts";
import { findProvider, type PlatformDeps } from "../platform.ts";
import { oauthClientFor } from "../provider-settings.ts";
import { completeConnectSession } from "./complete.ts";
import { assertPending, assertProviderAllowed, publicBase } from "./sessions.ts";

export const OAUTH_CALLBACK_PATH = "/connect/oauth/callback";

/** `details.reason` of the error for a callback whose state finds no attempt (forged, replayed, replaced). */
export const UNKNOWN_STATE = "unknown_state";

/** The cookie that binds a session's OAuth2 attempt to the browser that started it. */
export function browserBindingCookie(sessionId: string): string {
  return `switchyard_connect_${sessionId}`;
}

type ConnectDeps = Pick<
  PlatformDeps,
  "db" | "vault" | "providers" | "providerSettings" | "checkHttp" | "publicUrl"
>;

/** What is sealed on the session while the end user is at the provider. */
const pendingSchema = z.object({
  provider: z.string(),
  redirectUri: z.string(),
  codeVerifier: z.string().optional(),
  /** sha256 (hex) of the browser binding the starting browser holds in its cookie. */
  browserHash: z.string(),
});

function sha256(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

/** Whether the browser's binding (its cookie value) is the one the attempt was started with. */
function sameBrowser(binding: string | undefined, expectedHash: string): boolean {
  if (!binding) return false;
  return timingSafeEqual(Buffer.from(sha256(binding), "hex"), Buffer.from(expectedHash, "hex"));
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

/**
 * Starts an authorization for the session (replacing any earlier attempt). Returns where to send the
 * browser, and the browser binding: the caller must hand it to this browser only, as an HttpOnly cookie
 * named `browserBindingCookie(session.id)`, which the callback requires.
 */
export async function startConnectOAuth(
  deps: ConnectDeps,
  session: ConnectSessionRow,
  providerName: string,
): Promise<{ authorizeUrl: string; browserBinding: string }> {
  assertProviderAllowed(session, providerName);
  const { provider, config } = clientFor(deps, providerName);
  const redirectUri = `${publicBase(deps)}${OAUTH_CALLBACK_PATH}`;
  const start = await startAuthorization(config, redirectUri);
  const browserBinding = randomBytes(32).toString("base64url");
  const pending: z.infer<typeof pendingSchema> = {
    provider: provider.name,
    redirectUri,
    ...(start.codeVerifier ? { codeVerifier: start.codeVerifier } : {}),
    browserHash: sha256(browserBinding),
  };
  await setConnectSessionOAuth(deps.db, session.id, {
    stateHash: sha256(start.state),
    sealed: deps.vault.seal(JSON.stringify(pending)),
  });
  return { authorizeUrl: start.url, browserBinding };
}

/**
 * The refusal in a redirect without a code: the end user declined or cancelled at the provider, or the
 * provider refused (`error`, `error_description`). Undefined when the redirect carries a code.
 */
function refusalIn(parameters: URLSearchParams, providerName: string): OAuth2AuthorizationError | undefined {
  const error = parameters.get("error");
  if (!error && parameters.get("code")) return undefined;
  const description = parameters.get("error_description")?.slice(0, 200);
  const reason = !error
    ? `${providerName} sent you back without an authorization, so the sign-in was cancelled or did not finish`
    : error === "access_denied"
      ? `access was declined at ${providerName} (${description ? `${error}: ${description}` : error})`
      : `${providerName} refused the request (${description ? `${error}: ${description}` : error})`;
  return new OAuth2AuthorizationError(providerName, reason, { error: error ?? "no_code" });
}

/**
 * Handles the provider's redirect: finds the session by its state, requires the browser binding of the
 * browser that started (`readBinding` gets the cookie of the session's name; a wrong browser is refused
 * and the attempt stays open for the right one), then — single use — checks the response, exchanges the
 * code, checks the tokens live, and completes the session. A redirect without a code is the refusal it is
 * (declined, cancelled), and the session stays open for another try. Throws typed errors an end user can
 * read (declined, expired link, refused code, provider error).
 */
export async function finishConnectOAuth(
  deps: ConnectDeps,
  parameters: URLSearchParams,
  readBinding: (cookieName: string) => string | undefined,
): Promise<{ session: ConnectSessionRow; connection: ConnectionRow; providerName: string }> {
  const state = parameters.get("state");
  const session = state ? await findConnectSessionByOAuthState(deps.db, sha256(state)) : undefined;
  if (!state || !session?.oauth_pending) {
    throw new OAuth2AuthorizationError(
      "the provider",
      "this authorization is not one we started, or it was already finished or replaced by a newer attempt",
      { reason: UNKNOWN_STATE },
    );
  }
  const pending = pendingSchema.parse(JSON.parse(deps.vault.open(session.oauth_pending)));
  const { provider, config } = clientFor(deps, pending.provider);
  if (!sameBrowser(readBinding(browserBindingCookie(session.id)), pending.browserHash)) {
    throw new SwitchyardError(
      "oauth2_authorization_failed",
      `Connecting ${provider.displayName} did not complete: this sign-in was started in another browser, ` +
        "or this browser blocks cookies.",
      { hint: "Finish in the browser where you opened the Connect link, or start again from the link here." },
    );
  }
  // Single use: a replayed redirect finds nothing.
  await setConnectSessionOAuth(deps.db, session.id, null);
  assertPending(session);
  const refusal = refusalIn(parameters, provider.displayName);
  if (refusal) throw refusal;
  const callback = readAuthorizationResponse(config, parameters, state);
  const credentials = await exchangeCode(config, callback, pending.redirectUri, pending.codeVerifier);
  await checkNewCredentials(deps, provider, credentials, session.environment_id);
  const connection = await completeConnectSession(deps, session, provider, credentials);
  return { session, connection, providerName: provider.displayName };
}
