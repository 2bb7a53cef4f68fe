/** GitHub's scheme: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`, keyed by the webhook's secret. */
import { anyEqual, hmacSha256, refused, type SignatureScheme, singleHeader } from "./scheme.ts";

export const github: SignatureScheme = {
  verify(request, secret) {
    const given = singleHeader(request, "X-Hub-Signature-256").trim();
    const expected = `sha256=${hmacSha256(secret, request.rawBody).toString("hex")}`;
    if (!anyEqual(expected, [given.toLowerCase()]))
      throw refused("X-Hub-Signature-256 does not match the body");
  },
};
