/**
 * Reads a provider's rate-limit headers into plain numbers, so the budget never needs to know header names.
 */
import type { RateLimitHeaderSpec } from "../core/index.ts";
import { parseRetryAfter } from "./retry.ts";

/** What one response told us about the account's rate limit. Every field is optional: providers vary. */
export interface RateLimitReading {
  /** Requests allowed per window. */
  limit?: number;
  /** Requests left in the current window. */
  remaining?: number;
  /** When the current window ends (epoch ms). */
  resetAt?: number;
  /** Window length in ms (from its header, else the spec's fixed value). */
  windowMs?: number;
  /** How long the provider asked us to wait: Retry-After, or on a 429 the time until its reset header. */
  retryAfterMs?: number;
}

/** Parses rate-limit headers per the spec (plus Retry-After); never throws on odd values, it just leaves them out. */
export function readRateLimit(
  headers: Record<string, string>,
  status: number,
  spec: RateLimitHeaderSpec | undefined,
  nowMs: number,
): RateLimitReading {
  const reading: RateLimitReading = {};
  if (spec) {
    const limit = numberHeader(headers, spec.limit);
    const remaining = numberHeader(headers, spec.remaining);
    const windowMs = numberHeader(headers, spec.windowMsHeader) ?? spec.windowMs;
    if (limit !== undefined) reading.limit = limit;
    if (remaining !== undefined) reading.remaining = remaining;
    if (windowMs !== undefined && windowMs > 0) reading.windowMs = windowMs;
    const usage = spec.usage ? usageHeader(headers, spec.usage) : undefined;
    if (usage) {
      reading.limit = usage.limit;
      reading.remaining = Math.max(0, usage.limit - usage.used);
    }
    if (spec.reset) {
      const reset = numberHeader(headers, spec.reset.header);
      if (reset !== undefined) {
        reading.resetAt = spec.reset.format === "seconds" ? nowMs + reset * 1000 : reset * 1000;
      }
    }
  }
  const retryAfter = parseRetryAfter(headers["retry-after"], nowMs);
  if (retryAfter !== undefined) reading.retryAfterMs = retryAfter;
  else if (status === 429 && reading.resetAt !== undefined)
    reading.retryAfterMs = Math.max(0, reading.resetAt - nowMs);
  return reading;
}

/** True when the reading carries anything the budget can use. */
export function hasRateLimitInfo(reading: RateLimitReading): boolean {
  return reading.remaining !== undefined || reading.retryAfterMs !== undefined;
}

function numberHeader(headers: Record<string, string>, name: string | undefined): number | undefined {
  if (name === undefined) return undefined;
  const raw = headers[name];
  if (raw === undefined) return undefined;
  // A repeated header arrives joined by ", "; the first value is the one that counts.
  const value = Number.parseFloat(raw);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** Used and allowed requests from one header, per a pattern with the named groups `used` and `limit`. */
function usageHeader(
  headers: Record<string, string>,
  spec: { header: string; pattern: string },
): { used: number; limit: number } | undefined {
  const raw = headers[spec.header];
  const groups = raw === undefined ? undefined : usagePattern(spec.pattern).exec(raw)?.groups;
  const used = Number(groups?.used);
  const limit = Number(groups?.limit);
  return groups && Number.isFinite(used) && Number.isFinite(limit) && limit > 0 ? { used, limit } : undefined;
}

/** Usage patterns compiled once each, not on every response of a sync. */
const usagePatterns = new Map<string, RegExp>();

function usagePattern(pattern: string): RegExp {
  let compiled = usagePatterns.get(pattern);
  if (!compiled) {
    compiled = new RegExp(pattern);
    usagePatterns.set(pattern, compiled);
  }
  return compiled;
}
