/**
 * Salesforce's OAuth 2.0 web server flow: `/services/oauth2/authorize` and `/services/oauth2/token`, the
 * client id and secret in the form or a Basic header, and a token response that names the org's instance
 * (`instance_url`), the identity URL (`id`), `issued_at` and a `signature`. Refresh tokens do not rotate.
 */
import { createHmac } from "node:crypto";
import { defineOAuthServer } from "../../../emulator/index.ts";

export const OAUTH_AUTHORIZE_PATH = "/services/oauth2/authorize";
export const OAUTH_TOKEN_PATH = "/services/oauth2/token";
export const DEFAULT_OAUTH_SCOPES = ["api", "refresh_token"] as const;

/** The OAuth server of an org whose instance is at `instanceUrl()` (known once the server listens). */
export function salesforceOAuthServer(instanceUrl: () => string, orgId: string, userId: string) {
  return defineOAuthServer({
    authorizePath: OAUTH_AUTHORIZE_PATH,
    tokenPath: OAUTH_TOKEN_PATH,
    accessTokenPrefix: `${orgId.slice(0, 15)}!`,
    tokenResponseExtras: ({ clientId }) => {
      const issuedAt = String(Date.now());
      const id = `${instanceUrl()}/id/${orgId}/${userId}`;
      return {
        instance_url: instanceUrl(),
        id,
        issued_at: issuedAt,
        signature: createHmac("sha256", clientId)
          .update(id + issuedAt)
          .digest("base64"),
      };
    },
    page: {
      providerName: "Salesforce",
      accountLabel: "Emulated org (Developer Edition)",
      accentColor: "#0176d3",
    },
  });
}
