/**
 * The OAuth server's endpoints: the consent screen (GET authorize path), its form's answer (POST
 * `<authorize path>/decision`), and the token endpoint. Not behind the API's auth, rate limits or faults.
 */
import type { FastifyInstance } from "fastify";
import { checkAuthorizeRequest, decideConsent } from "./authorize.ts";
import { authorizeErrorPage, consentPage } from "./pages.ts";
import type { OAuthState } from "./state.ts";
import { refusal, tokenRequest } from "./token.ts";

const FORM = "application/x-www-form-urlencoded";
const HTML = "text/html; charset=utf-8";

/** Registers the OAuth routes in their own scope (with a form-body parser). */
export async function oauthRoutes(app: FastifyInstance, state: OAuthState): Promise<void> {
  const { authorizePath, tokenPath, page } = state.config;
  const decisionPath = `${authorizePath}/decision`;
  app.addContentTypeParser(FORM, { parseAs: "string" }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  app.get(authorizePath, async (request, reply) => {
    const checked = checkAuthorizeRequest(state, request.query);
    if ("problem" in checked)
      return reply.code(400).type(HTML).send(authorizeErrorPage(page, checked.problem));
    const consentId = state.holdConsent(checked.consent);
    return reply.type(HTML).send(consentPage(page, decisionPath, consentId, checked.consent));
  });

  app.post(decisionPath, async (request, reply) => {
    const form = (request.body ?? {}) as Record<string, string | undefined>;
    const location = decideConsent(state, form.consent ?? "", form.decision === "allow");
    if (!location) {
      const problem = "This authorization request expired or was already answered.";
      return reply.code(400).type(HTML).send(authorizeErrorPage(page, problem));
    }
    return reply.redirect(location, 302);
  });

  app.post(tokenPath, async (request, reply) => {
    const result = request.headers["content-type"]?.startsWith(FORM)
      ? tokenRequest(
          state,
          (request.body ?? {}) as Record<string, string | undefined>,
          request.headers.authorization,
        )
      : refusal(state, "unsupported_content_type");
    return reply.code(result.status).header("cache-control", "no-store").send(result.body);
  });
}
