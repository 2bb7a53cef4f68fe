/**
 * A webhook signature scheme: checks one request, as received, against the secret the provider signs with.
 * Every comparison is constant-time (`safeEqual`), and every check is over the raw body bytes.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { SwitchyardError } from "../../../core/index.ts";

/** A request exactly as it arrived. */
export interface SignedRequest {
  method: string;
  /** The URL the provider called (scheme, host, path and query), as it signed it. */
  url: string;
  /** Header names in lower case. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  rawBody: Buffer;
}

export interface SignatureScheme {
  /** Throws WebhookSignatureError unless the request is signed with `secret`; `now` in epoch ms. */
  verify(request: SignedRequest, secret: string, now: number): void;
}

/** A request whose signature is missing, wrong or too old. Never names the secret or the expected value. */
export class WebhookSignatureError extends SwitchyardError {
  constructor(problem: string, hint: string) {
    super("unauthenticated", `The webhook's signature was refused: ${problem}.`, { hint });
  }
}

/** Constant-time equality of two strings (different lengths compare unequal, still without early exit on content). */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  // timingSafeEqual needs equal lengths: compare against itself to spend the same time, then fail.
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}

/** True when any of `candidates` equals `expected` (each compared in constant time). */
export function anyEqual(expected: string, candidates: readonly string[]): boolean {
  let found = false;
  for (const candidate of candidates) if (safeEqual(expected, candidate)) found = true;
  return found;
}

export function hmacSha256(secret: string | Buffer, ...parts: (string | Buffer)[]): Buffer {
  const hmac = createHmac("sha256", secret);
  for (const part of parts) hmac.update(part);
  return hmac.digest();
}

/** The one value of a header; a missing or repeated header is refused. */
export function singleHeader(request: SignedRequest, name: string): string {
  const value = request.headers[name.toLowerCase()];
  if (typeof value !== "string" || value === "") {
    throw new WebhookSignatureError(
      `the ${name} header is ${value === undefined || value === "" ? "missing" : "repeated"}`,
      "Send the request exactly as the provider signs it; is this URL the one set in the provider's webhook settings?",
    );
  }
  return value;
}

/** Refuses a signing time (epoch ms) further than `toleranceMs` from `now`, either way. */
export function checkFreshness(signedAt: number, now: number, toleranceMs: number, header: string): void {
  if (!Number.isFinite(signedAt)) {
    throw new WebhookSignatureError(`${header} is not a time`, "The provider sends a number there.");
  }
  if (Math.abs(now - signedAt) > toleranceMs) {
    throw new WebhookSignatureError(
      `it was signed ${Math.round((now - signedAt) / 1000)} s from now, outside the ${toleranceMs / 1000} s window`,
      "A replayed or long-delayed delivery is refused; check this server's clock if every delivery fails so.",
    );
  }
}

export function refused(problem: string): WebhookSignatureError {
  return new WebhookSignatureError(
    problem,
    "Check that the webhook secret configured in Switchyard is the one the provider signs with (docs/webhooks-inbound.md).",
  );
}
