/**
 * HubSpot's OAuth endpoints: `GET /oauth/authorize` (consent screen), `POST /oauth/authorize/decision` (the
 * screen's form), and `POST /oauth/v1/token`. Not behind the API's bearer auth, rate limits or faults.
 */
import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { checkAuthorizeRequest, decideConsent } from "../oauth-authorize.ts";
import { authorizeErrorPage, consentPage } from "../oauth-pages.ts";
import type { OAuthState } from "../oauth-state.ts";
import { tokenRequest } from "../oauth-token.ts";

const FORM = "application/x-www-form-urlencoded";
const HTML = "text/html; charset=utf-8";

/** Registers the OAuth routes in their own scope (with a form-body parser). */
export async function oauthRoutes(app: FastifyInstance, state: OAuthState): Promise<void> {
  app.addContentTypeParser(FORM, { parseAs: "string" }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  app.get("/oauth/authorize", async (request, reply) => {
    const checked = checkAuthorizeRequest(state, request.query);
    if ("problem" in checked) return reply.code(400).type(HTML).send(authorizeErrorPage(checked.problem));
    return reply.type(HTML).send(consentPage(state.holdConsent(checked.consent), checked.consent));
  });

  app.post("/oauth/authorize/decision", async (request, reply) => {
    const form = (request.body ?? {}) as Record<string, string | undefined>;
    const location = decideConsent(state, form.consent ?? "", form.decision === "allow");
    if (!location) {
      return reply
        .code(400)
        .type(HTML)
        .send(authorizeErrorPage("This authorization request expired or was already answered."));
    }
    return reply.redirect(location, 302);
  });

  app.post("/oauth/v1/token", async (request, reply) => {
    if (!request.headers["content-type"]?.startsWith(FORM)) {
      return reply.code(415).send({
        status: "error",
        message: `Content-Type must be ${FORM}.`,
        correlationId: randomUUID(),
      });
    }
    const result = tokenRequest(state, (request.body ?? {}) as Record<string, string | undefined>);
    return reply.code(result.status).header("cache-control", "no-store").send(result.body);
  });
}
