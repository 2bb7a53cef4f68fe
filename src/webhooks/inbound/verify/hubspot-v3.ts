/**
 * HubSpot's v3 signature: `X-HubSpot-Signature-v3` is the base64 HMAC-SHA256, keyed by the app's client
 * secret, of method + URI + raw body + `X-HubSpot-Request-Timestamp` (epoch ms), which must be within
 * 5 minutes. HubSpot signs the URI with some characters percent-decoded; they are decoded here alike.
 */
import {
  anyEqual,
  checkFreshness,
  hmacSha256,
  refused,
  type SignatureScheme,
  type SignedRequest,
  singleHeader,
} from "./scheme.ts";

export const HUBSPOT_V3_TOLERANCE_MS = 5 * 60_000;

/** The characters HubSpot decodes in the URI before signing it. */
const DECODED: Record<string, string> = {
  "%3A": ":",
  "%2F": "/",
  "%3F": "?",
  "%40": "@",
  "%21": "!",
  "%24": "$",
  "%27": "'",
  "%28": "(",
  "%29": ")",
  "%2A": "*",
  "%2C": ",",
  "%3B": ";",
};

export function hubspotSignedUri(url: string): string {
  return url.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (match) => DECODED[match.toUpperCase()]!);
}

/** The v3 signature of a request (what HubSpot sends). */
export function hubspotV3Signature(
  secret: string,
  request: Pick<SignedRequest, "method" | "url" | "rawBody">,
  timestamp: string,
): string {
  const uri = hubspotSignedUri(request.url);
  return hmacSha256(secret, request.method.toUpperCase(), uri, request.rawBody, timestamp).toString("base64");
}

export const hubspotV3: SignatureScheme = {
  verify(request, secret, now) {
    const signature = singleHeader(request, "X-HubSpot-Signature-v3");
    const timestamp = singleHeader(request, "X-HubSpot-Request-Timestamp");
    checkFreshness(Number(timestamp), now, HUBSPOT_V3_TOLERANCE_MS, "X-HubSpot-Request-Timestamp");
    if (!anyEqual(hubspotV3Signature(secret, request, timestamp), [signature])) {
      throw refused("X-HubSpot-Signature-v3 does not match the request");
    }
  },
};
