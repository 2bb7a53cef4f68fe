/**
 * HubSpot's private-app rate limits: a request budget per 10-second window and per day for each app
 * (token), plus the search endpoints' own per-second limit. Emits the X-HubSpot-RateLimit-* headers.
 */
import type { RateLimitSpec } from "../../../emulator/core.ts";
import type { RateLimitPolicy } from "../../../emulator/rate-limit.ts";

export interface RateLimitConfig {
  /** Requests per interval per token. HubSpot's private apps on Free/Starter: 100 per 10 seconds. */
  maxPerInterval: number;
  intervalMs: number;
  /** Requests per day per token (Free/Starter: 250,000). */
  daily: number;
  /** Search requests per second (HubSpot: 5 per account). */
  searchPerSecond: number;
  /** HubSpot sends no rate-limit headers on search responses; set true to send them anyway. */
  searchHeaders: boolean;
}

export const DEFAULT_RATE_LIMIT: Readonly<RateLimitConfig> = {
  maxPerInterval: 100,
  intervalMs: 10_000,
  daily: 250_000,
  searchPerSecond: 5,
  searchHeaders: false,
};

/** The request kind of the search endpoints, which have their own per-second limit. */
export const SEARCH = "search";

/** HubSpot's windows, checked in the order HubSpot reports them (daily first), and its headers. */
export function hubspotRateLimits(c: RateLimitConfig): RateLimitPolicy {
  // Deprecated by HubSpot but still sent: the interval budget spread over its seconds.
  const secondly = Math.max(1, Math.ceil(c.maxPerInterval / Math.max(1, c.intervalMs / 1000)));
  return {
    windows: [
      { name: "DAILY", limit: c.daily, windowMs: 86_400_000 },
      { name: "TEN_SECONDLY_ROLLING", limit: c.maxPerInterval, windowMs: c.intervalMs },
      { name: "SECONDLY", limit: c.searchPerSecond, windowMs: 1000, kinds: [SEARCH] },
      { name: "secondly-header", limit: secondly, windowMs: 1000, enforced: false },
    ],
    faultWindow: "TEN_SECONDLY_ROLLING",
    headers: (usage, kind): Record<string, string> => {
      if (kind === SEARCH && !c.searchHeaders) return {};
      const day = usage.DAILY!;
      const interval = usage.TEN_SECONDLY_ROLLING!;
      const second = usage["secondly-header"]!;
      return {
        "X-HubSpot-RateLimit-Daily": String(day.limit),
        "X-HubSpot-RateLimit-Daily-Remaining": String(day.remaining),
        "X-HubSpot-RateLimit-Interval-Milliseconds": String(interval.windowMs),
        "X-HubSpot-RateLimit-Max": String(interval.limit),
        "X-HubSpot-RateLimit-Remaining": String(interval.remaining),
        "X-HubSpot-RateLimit-Secondly": String(second.limit),
        "X-HubSpot-RateLimit-Secondly-Remaining": String(second.remaining),
      };
    },
  };
}

/** HubSpot's limits for the kit: the defaults with `overrides` (runtime changes take any of their keys). */
export function hubspotRateLimitSpec(
  overrides: Partial<RateLimitConfig> = {},
): RateLimitSpec<RateLimitConfig> {
  return { config: { ...DEFAULT_RATE_LIMIT, ...overrides }, policy: hubspotRateLimits };
}
