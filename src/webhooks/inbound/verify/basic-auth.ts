/**
 * HTTP Basic credentials set on the subscription (Pipedrive's `http_auth_user` / `http_auth_password`):
 * the secret is `user:password`, and the request must carry exactly those.
 */
import { refused, type SignatureScheme, safeEqual, singleHeader } from "./scheme.ts";

export const basicAuth: SignatureScheme = {
  verify(request, secret) {
    const header = singleHeader(request, "Authorization");
    const match = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header.trim());
    if (!match) throw refused("the Authorization header is not HTTP Basic");
    const given = Buffer.from(match[1]!, "base64").toString("utf8");
    if (!safeEqual(secret, given)) throw refused("the Basic credentials are not the subscription's");
  },
};
