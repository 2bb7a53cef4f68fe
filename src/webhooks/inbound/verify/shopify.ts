/** Shopify's scheme: `X-Shopify-Hmac-Sha256` is the base64 HMAC-SHA256 of the raw body, keyed by the app's secret. */
import { anyEqual, hmacSha256, refused, type SignatureScheme, singleHeader } from "./scheme.ts";

export function bodyHmacScheme(header: string): SignatureScheme {
  return {
    verify(request, secret) {
      const given = singleHeader(request, header).trim();
      if (!anyEqual(hmacSha256(secret, request.rawBody).toString("base64"), [given])) {
        throw refused(`${header} does not match the body`);
      }
    },
  };
}

export const shopify = bodyHmacScheme("X-Shopify-Hmac-Sha256");
