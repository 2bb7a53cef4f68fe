import { createHmac } from "node:crypto";
import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { SIGNATURE_SCHEMES, type SignedRequest, stripeScheme, WebhookSignatureError } from "./index.ts";

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const body = Buffer.from('[{"eventId":1,"subscriptionType":"contact.creation","objectId":51}]');
const request = (
  headers: SignedRequest["headers"],
  overrides: Partial<SignedRequest> = {},
): SignedRequest => ({
  method: "POST",
  url: "https://sy.example.com/v1/webhooks/env_1/hubspot",
  headers,
  rawBody: body,
  ...overrides,
});
const refuses = (scheme: keyof typeof SIGNATURE_SCHEMES, req: SignedRequest, secret: string, now = NOW) =>
  expect(() => SIGNATURE_SCHEMES[scheme].verify(req, secret, now)).toThrow(WebhookSignatureError);

describe("HubSpot v3", () => {
  const secret = "hubspot-client-secret";
  // Computed as HubSpot's documentation describes it, independently of the verifier's helpers.
  const signed = (timestamp: number, url = "https://sy.example.com/v1/webhooks/env_1/hubspot") =>
    createHmac("sha256", secret)
      .update(`POST${url}${body.toString("utf8")}${timestamp}`)
      .digest("base64");
  const headers = (timestamp: number, signature = signed(timestamp)) => ({
    "x-hubspot-signature-v3": signature,
    "x-hubspot-request-timestamp": String(timestamp),
  });

  it("accepts the documented signature within 5 minutes", () => {
    expect(() =>
      SIGNATURE_SCHEMES["hubspot-v3"].verify(request(headers(NOW - 60_000)), secret, NOW),
    ).not.toThrow();
  });
  it("signs the URI with HubSpot's decoded characters", () => {
    const url = "https://sy.example.com/v1/webhooks/env_1/hubspot?x=a%3Ab";
    const sig = signed(NOW, "https://sy.example.com/v1/webhooks/env_1/hubspot?x=a:b");
    const req = request({ ...headers(NOW, sig) }, { url });
    expect(() => SIGNATURE_SCHEMES["hubspot-v3"].verify(req, secret, NOW)).not.toThrow();
  });
  it("refuses a tampered body, another secret, an expired or replayed timestamp, missing headers", () => {
    refuses("hubspot-v3", request(headers(NOW), { rawBody: Buffer.from(`${body} `) }), secret);
    refuses("hubspot-v3", request(headers(NOW)), "another-secret");
    refuses("hubspot-v3", request(headers(NOW - 5 * 60_000 - 1)), secret);
    // The same signed request replayed 6 minutes later.
    refuses("hubspot-v3", request(headers(NOW)), secret, NOW + 6 * 60_000);
    refuses("hubspot-v3", request({}), secret);
    refuses("hubspot-v3", request(headers(NOW), { method: "PUT" }), secret);
  });
  it("never puts the secret or the expected signature in its error", () => {
    try {
      SIGNATURE_SCHEMES["hubspot-v3"].verify(request(headers(NOW, "AAAA")), secret, NOW);
      expect.unreachable();
    } catch (error) {
      const text = JSON.stringify((error as WebhookSignatureError).toJSON());
      expect(text).not.toContain(secret);
      expect(text).not.toContain(signed(NOW));
      expect((error as WebhookSignatureError).code).toBe("unauthenticated");
    }
  });
});

describe("Stripe-style", () => {
  const secret = "whsec_test_secret";
  const stripe = new Stripe("sk_test_unused");
  const header = (timestamp: number, payload = body.toString("utf8"), key = secret) =>
    stripe.webhooks.generateTestHeaderString({ payload, secret: key, timestamp });

  it("accepts the header the stripe package generates", () => {
    const req = request({ "stripe-signature": header(NOW / 1000) });
    expect(() => SIGNATURE_SCHEMES.stripe.verify(req, secret, NOW)).not.toThrow();
  });
  it("accepts any of several v1 signatures (a rolled secret)", () => {
    const both = `${header(NOW / 1000)},v1=${"0".repeat(64)}`;
    expect(() =>
      SIGNATURE_SCHEMES.stripe.verify(request({ "stripe-signature": both }), secret, NOW),
    ).not.toThrow();
  });
  it("refuses tampered, foreign-secret, expired and replayed headers", () => {
    refuses("stripe", request({ "stripe-signature": header(NOW / 1000, `${body} `) }), secret);
    refuses("stripe", request({ "stripe-signature": header(NOW / 1000, undefined, "whsec_other") }), secret);
    refuses("stripe", request({ "stripe-signature": header(NOW / 1000 - 301) }), secret);
    refuses("stripe", request({ "stripe-signature": header(NOW / 1000) }), secret, NOW + 10 * 60_000);
    refuses("stripe", request({ "stripe-signature": "v1=abc" }), secret);
  });
  it("takes a tolerance", () => {
    const req = request({ "stripe-signature": header(NOW / 1000 - 600) });
    expect(() => stripeScheme(15 * 60_000).verify(req, secret, NOW)).not.toThrow();
    // Stripe's own verifier agrees on the same vector.
    expect(() =>
      stripe.webhooks.signature!.verifyHeader(body.toString(), header(Math.floor(Date.now() / 1000)), secret),
    ).not.toThrow();
  });
});

describe("Shopify-style and GitHub", () => {
  const secret = "shpss_secret";
  const base64 = createHmac("sha256", secret).update(body).digest("base64");
  const hex = createHmac("sha256", secret).update(body).digest("hex");
  it("accepts the HMAC of the raw body", () => {
    expect(() =>
      SIGNATURE_SCHEMES.shopify.verify(request({ "x-shopify-hmac-sha256": base64 }), secret, NOW),
    ).not.toThrow();
    expect(() =>
      SIGNATURE_SCHEMES.github.verify(request({ "x-hub-signature-256": `sha256=${hex}` }), secret, NOW),
    ).not.toThrow();
  });
  it("refuses a tampered body or a wrong signature", () => {
    const tampered = { rawBody: Buffer.from(body.toString().replace("51", "52")) };
    refuses("shopify", request({ "x-shopify-hmac-sha256": base64 }, tampered), secret);
    refuses("github", request({ "x-hub-signature-256": `sha256=${hex}` }, tampered), secret);
    refuses("github", request({ "x-hub-signature-256": hex }), secret);
    refuses("shopify", request({ "x-shopify-hmac-sha256": base64 }), "other");
  });
});

describe("Basic auth", () => {
  const secret = "switchyard:s3cret-password";
  const auth = (value: string) => ({ authorization: `Basic ${Buffer.from(value).toString("base64")}` });
  it("accepts the subscription's credentials and nothing else", () => {
    expect(() => SIGNATURE_SCHEMES["basic-auth"].verify(request(auth(secret)), secret, NOW)).not.toThrow();
    refuses("basic-auth", request(auth("switchyard:wrong")), secret);
    refuses("basic-auth", request({ authorization: "Bearer x" }), secret);
    refuses("basic-auth", request({}), secret);
  });
});
