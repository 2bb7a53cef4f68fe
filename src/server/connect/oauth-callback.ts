/**
 * `GET /connect/oauth/callback`: where providers send the end user back. Finishes the Connect session and
 * answers with a page saying the account is connected — or what went wrong, in words an end user can act on.
 */
import type { FastifyInstance } from "fastify";
import {
  browserBindingCookie,
  finishConnectOAuth,
  OAUTH_CALLBACK_PATH,
  UNKNOWN_STATE,
} from "../../app/connect/oauth.ts";
import type { PlatformDeps } from "../../app/platform.ts";
import { describeError, SwitchyardError } from "../../core/index.ts";
import { STATUS_BY_CODE } from "../problem.ts";
import type { ConnectThrottle } from "./limits.ts";
import { resultPage } from "./result-page.ts";
import { connectPageHeaders } from "./security-headers.ts";

const TITLES: Record<string, string> = {
  oauth2_authorization_failed: "The account was not connected",
  connect_session_expired: "This Connect link has expired",
  connect_session_used: "This Connect link was already used",
  connect_session_locked: "This Connect link has been locked",
  rate_limited: "Too many attempts",
  credentials_rejected: "The provider did not accept the connection",
};

/** The value of cookie `name` in a Cookie header, if it is there. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const pair of header?.split(";") ?? []) {
    const at = pair.indexOf("=");
    if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
}

/** Registers the callback; it always answers with an HTML page, never a problem document. */
export function registerOAuthCallback(
  app: FastifyInstance,
  deps: PlatformDeps,
  throttle: ConnectThrottle,
): void {
  app.get(OAUTH_CALLBACK_PATH, async (request, reply) => {
    const parameters = new URLSearchParams(request.raw.url?.split("?")[1] ?? "");
    connectPageHeaders(reply, true).type("text/html; charset=utf-8");
    try {
      // Unknown states count like forged Connect tokens: an address cannot guess them at speed.
      await throttle.admitAddress(request.ip);
      const { providerName, session } = await finishConnectOAuth(deps, parameters, (name) =>
        cookieValue(request.headers.cookie, name),
      );
      // The binding has done its job: let the browser forget it.
      reply.header(
        "set-cookie",
        `${browserBindingCookie(session.id)}=; Path=${OAUTH_CALLBACK_PATH}; Max-Age=0; HttpOnly; SameSite=Lax`,
      );
      return reply.send(resultPage({ ok: true, providerName }));
    } catch (error) {
      if (error instanceof SwitchyardError && error.details?.reason === UNKNOWN_STATE) {
        await throttle.badToken(request.ip);
      }
      const retryAfter = error instanceof SwitchyardError ? error.details?.retryAfterSeconds : undefined;
      if (typeof retryAfter === "number") reply.header("retry-after", String(retryAfter));
      const summary = describeError(error);
      const known = error instanceof SwitchyardError;
      if (!known || STATUS_BY_CODE[error.code] >= 500)
        request.log.error({ err: error }, "OAuth callback failed");
      return reply.code(known ? STATUS_BY_CODE[error.code] : 500).send(
        resultPage({
          ok: false,
          title: TITLES[summary.code] ?? "Something went wrong",
          message: known
            ? summary.message
            : "The account could not be connected because of an error on our side.",
          hint: known ? summary.hint : "Try again from the app; if it keeps failing, tell the app's team.",
        }),
      );
    }
  });
}
