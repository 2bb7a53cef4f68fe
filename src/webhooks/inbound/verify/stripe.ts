/**
 * Stripe's scheme: `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">[,v1=…]`,
 * keyed by the endpoint's `whsec_…` secret, with a tolerance on `t` (5 minutes by default). Several `v1`
 * entries (a secret being rolled) pass when any matches.
 */
import {
  anyEqual,
  checkFreshness,
  hmacSha256,
  refused,
  type SignatureScheme,
  singleHeader,
} from "./scheme.ts";

export function stripeScheme(toleranceMs = 5 * 60_000): SignatureScheme {
  return {
    verify(request, secret, now) {
      const header = singleHeader(request, "Stripe-Signature");
      const entries = header.split(",").map((entry) => entry.trim().split("=", 2) as [string, string?]);
      const timestamps = entries.filter(([key]) => key === "t").map(([, value]) => value ?? "");
      const signatures = entries.filter(([key]) => key === "v1").map(([, value]) => value ?? "");
      if (timestamps.length !== 1 || !/^\d+$/.test(timestamps[0]!)) {
        throw refused("Stripe-Signature has no single t=<unix seconds>");
      }
      if (signatures.length === 0) throw refused("Stripe-Signature has no v1= signature");
      const t = timestamps[0]!;
      const expected = hmacSha256(secret, `${t}.`, request.rawBody).toString("hex");
      if (!anyEqual(expected, signatures)) throw refused("no v1 signature matches the request");
      checkFreshness(Number(t) * 1000, now, toleranceMs, "Stripe-Signature t");
    },
  };
}

export const stripe = stripeScheme();
