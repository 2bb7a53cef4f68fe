/**
 * HubSpot's private-app rate limits: a request budget per 10-second window and per day for each app
 * (token), plus the search endpoints' own per-second limit. Emits the X-HubSpot-RateLimit-* headers.
 */
import type { RateLimitPolicy } from "./errors.ts";

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

const DAY_MS = 86_400_000;

interface Window {
  start: number;
  count: number;
}

interface TokenUsage {
  interval: Window;
  second: Window;
  searchSecond: Window;
  day: Window;
}

export interface RateLimitDecision {
  /** Headers to send with the response (may be empty for search). */
  headers: Record<string, string>;
  /** Set when the request is over a limit and must get a 429. */
  exceeded?: RateLimitPolicy;
}

export class RateLimiter {
  private config: RateLimitConfig;
  private readonly usage = new Map<string, TokenUsage>();

  constructor(
    config: Partial<RateLimitConfig> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.config = { ...DEFAULT_RATE_LIMIT, ...config };
  }

  get settings(): RateLimitConfig {
    return { ...this.config };
  }

  /** Changes limits at runtime; counts so far are kept. */
  configure(config: Partial<RateLimitConfig>): void {
    this.config = { ...this.config, ...config };
  }

  /** Forgets every token's usage. */
  reset(): void {
    this.usage.clear();
  }

  /** Counts one request for `token` unless it is over a limit; over-limit requests are not counted. */
  take(token: string, search: boolean): RateLimitDecision {
    const now = this.now();
    const usage = this.usageOf(token, now);
    const c = this.config;
    const exceeded: RateLimitPolicy | undefined =
      usage.day.count >= c.daily
        ? "DAILY"
        : usage.interval.count >= c.maxPerInterval
          ? "TEN_SECONDLY_ROLLING"
          : search && usage.searchSecond.count >= c.searchPerSecond
            ? "SECONDLY"
            : undefined;
    if (!exceeded) {
      usage.day.count++;
      usage.interval.count++;
      usage.second.count++;
      if (search) usage.searchSecond.count++;
    }
    const headers = search && !c.searchHeaders ? {} : this.headers(usage);
    return exceeded ? { headers, exceeded } : { headers };
  }

  private headers(usage: TokenUsage): Record<string, string> {
    const c = this.config;
    const secondly = Math.max(1, Math.ceil(c.maxPerInterval / Math.max(1, c.intervalMs / 1000)));
    return {
      "X-HubSpot-RateLimit-Daily": String(c.daily),
      "X-HubSpot-RateLimit-Daily-Remaining": String(Math.max(0, c.daily - usage.day.count)),
      "X-HubSpot-RateLimit-Interval-Milliseconds": String(c.intervalMs),
      "X-HubSpot-RateLimit-Max": String(c.maxPerInterval),
      "X-HubSpot-RateLimit-Remaining": String(Math.max(0, c.maxPerInterval - usage.interval.count)),
      // Deprecated by HubSpot but still sent.
      "X-HubSpot-RateLimit-Secondly": String(secondly),
      "X-HubSpot-RateLimit-Secondly-Remaining": String(Math.max(0, secondly - usage.second.count)),
    };
  }

  private usageOf(token: string, now: number): TokenUsage {
    let usage = this.usage.get(token);
    if (!usage) {
      const fresh = () => ({ start: now, count: 0 });
      usage = { interval: fresh(), second: fresh(), searchSecond: fresh(), day: fresh() };
      this.usage.set(token, usage);
    }
    roll(usage.interval, now, this.config.intervalMs);
    roll(usage.second, now, 1000);
    roll(usage.searchSecond, now, 1000);
    roll(usage.day, now, DAY_MS);
    return usage;
  }
}

/** Starts a new window once the current one has run its length. */
function roll(window: Window, now: number, lengthMs: number): void {
  if (now - window.start >= lengthMs) {
    window.start = now;
    window.count = 0;
  }
}
