/**
 * `GET /services/oauth2/userinfo` on the instance: who the session belongs to, as Salesforce's OpenID Connect
 * UserInfo answers it — the user (`user_id`, `preferred_username`, `email`) and the org (`organization_id`),
 * with `sub` the identity URL the token response names as `id`. Every session of the emulator is the org's
 * integration user's.
 */
import type { FastifyInstance } from "fastify";
import { findObject } from "./catalog.ts";
import type { Org } from "./dataset.ts";
import { fromSalesforceId } from "./ids.ts";

export const USERINFO_PATH = "/services/oauth2/userinfo";

export function registerIdentityRoutes(
  api: FastifyInstance,
  org: () => Org,
  ids: { orgId: string; userId: string },
  instanceUrl: () => string,
): void {
  api.get(USERINFO_PATH, async () => {
    const users = findObject("User")!;
    const record = org().table("User").get(fromSalesforceId(users.keyPrefix, ids.userId)!)!;
    const user = org().render(users, record);
    return {
      sub: `${instanceUrl()}/id/${ids.orgId}/${ids.userId}`,
      user_id: ids.userId,
      organization_id: ids.orgId,
      preferred_username: user.Username,
      nickname: String(user.Username).split("@")[0],
      name: user.Name,
      email: user.Email,
      email_verified: true,
      given_name: user.FirstName,
      family_name: user.LastName,
      active: user.IsActive,
      user_type: "STANDARD",
      language: "en_US",
      locale: "en_US",
      utcOffset: 0,
      updated_at: user.SystemModstamp,
    };
  });
}
