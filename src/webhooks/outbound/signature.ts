/**
 * Standard Webhooks signatures (the spec the `standardwebhooks` libraries implement): a secret is `whsec_`
 * and the base64 of random bytes; a signature is `v1,` and the base64 HMAC-SHA256, keyed by those bytes, of
 * `<webhook-id>.<webhook-timestamp>.<body>`. During a secret rotation both secrets sign, space-separated.
 */
import { createHmac, randomBytes } from "node:crypto";
import { ConfigError } from "../../core/index.ts";

const SECRET_PREFIX = "whsec_";
/** 24 random bytes, as Standard Webhooks' reference implementations generate. */
const SECRET_BYTES = 24;

/** A new endpoint secret: `whsec_` and the base64 of random bytes. */
export function generateWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString("base64")}`;
}

/** The HMAC key a secret stands for (the bytes after `whsec_`). */
function keyOf(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) {
    throw new ConfigError(
      "A webhook secret must start with whsec_.",
      "Rotate the endpoint's secret to get a new one.",
    );
  }
  return Buffer.from(secret.slice(SECRET_PREFIX.length), "base64");
}

/** `v1,<base64 HMAC-SHA256>` of `id.timestamp.body` under one secret. */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const mac = createHmac("sha256", keyOf(secret)).update(`${id}.${timestamp}.${body}`).digest("base64");
  return `v1,${mac}`;
}

/** The `webhook-signature` header value: one signature per secret given (current first), space-separated. */
export function signatureHeader(
  secrets: readonly string[],
  id: string,
  timestamp: number,
  body: string,
): string {
  return secrets.map((secret) => signWebhook(secret, id, timestamp, body)).join(" ");
}

/** The three Standard Webhooks headers of one attempt, with its timestamp in whole seconds. */
export function standardWebhookHeaders(
  secrets: readonly string[],
  id: string,
  body: string,
  at: Date,
): Record<"webhook-id" | "webhook-timestamp" | "webhook-signature", string> {
  const timestamp = Math.floor(at.getTime() / 1000);
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": signatureHeader(secrets, id, timestamp, body),
  };
}
