/** The signature schemes a provider picks by name (`ProviderDefinition.webhooks.scheme`). */
import type { WebhookSignatureScheme } from "../../../core/index.ts";
import { basicAuth } from "./basic-auth.ts";
import { github } from "./github.ts";
import { hubspotV3 } from "./hubspot-v3.ts";
import type { SignatureScheme } from "./scheme.ts";
import { shopify } from "./shopify.ts";
import { stripe } from "./stripe.ts";

export const SIGNATURE_SCHEMES: Readonly<Record<WebhookSignatureScheme, SignatureScheme>> = {
  "hubspot-v3": hubspotV3,
  "basic-auth": basicAuth,
  stripe,
  shopify,
  github,
};

export { hubspotSignedUri, hubspotV3Signature } from "./hubspot-v3.ts";
export { type SignatureScheme, type SignedRequest, safeEqual, WebhookSignatureError } from "./scheme.ts";
export { stripeScheme } from "./stripe.ts";
