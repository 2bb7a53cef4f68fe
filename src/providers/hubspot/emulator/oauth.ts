/**
 * HubSpot's OAuth server as the kit emulates it: its paths, the rule that every scope of the app is
 * requested (others through `optional_scope`), 30-minute access tokens, a refresh token that never changes,
 * client credentials in the form only, and refusals shaped `{ status, message, correlationId }`.
 */
import { randomUUID } from "node:crypto";
import { defineOAuthServer, type TokenRefusal } from "../../../emulator/oauth/config.ts";
import { HUBSPOT_SCOPES } from "../scopes.ts";

/** The CRM read scopes the Switchyard HubSpot provider asks for (the default app in tests and the demo). */
export const DEFAULT_OAUTH_SCOPES = HUBSPOT_SCOPES;

/** HubSpot's access tokens live 30 minutes. */
export const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 1_800;

export const HUBSPOT_TOKEN_PATH = "/oauth/v1/token";

const REFUSALS: Record<TokenRefusal, string> = {
  unsupported_grant_type: "BAD_GRANT_TYPE",
  unknown_client: "BAD_CLIENT_ID",
  bad_client_secret: "BAD_CLIENT_SECRET",
  bad_code: "BAD_AUTH_CODE",
  redirect_mismatch: "BAD_REDIRECT_URI",
  bad_code_verifier: "BAD_AUTH_CODE",
  bad_refresh_token: "BAD_REFRESH_TOKEN",
  unsupported_content_type: "error",
};

export const hubspotOAuthServer = defineOAuthServer({
  authorizePath: "/oauth/authorize",
  tokenPath: HUBSPOT_TOKEN_PATH,
  clientAuth: ["client_secret_post"],
  scopeRule: "require-all",
  optionalScopeParam: "optional_scope",
  accessTokenTtlSeconds: DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
  accessTokenPrefix: "CO",
  rotateRefreshTokens: false,
  tokenError: (refusal, message) => ({
    status: refusal === "unsupported_content_type" ? 415 : 400,
    body: { status: REFUSALS[refusal], message, correlationId: randomUUID() },
  }),
  page: {
    providerName: "HubSpot",
    accountLabel: "Emulated HubSpot account (Hub ID 1)",
    accentColor: "#ff7a59",
  },
});
