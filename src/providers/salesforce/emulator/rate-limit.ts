/**
 * Salesforce's API request limit: a rolling 24-hour allowance per org (15,000 requests plus more per
 * license in a real org), reported on every response as `Sforce-Limit-Info: api-usage=used/limit` and by
 * `/limits` as DailyApiRequests. Going over it is a 403 REQUEST_LIMIT_EXCEEDED.
 */
import { z } from "zod";
import type { RateLimitSpec } from "../../../emulator/index.ts";

export interface RateLimitConfig {
  /** DailyApiRequests.Max. */
  daily: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitConfig = { daily: 15_000 };

export const DAILY_WINDOW = "DailyApiRequests";

export function salesforceRateLimit(
  config: RateLimitConfig = DEFAULT_RATE_LIMIT,
): RateLimitSpec<RateLimitConfig> {
  return {
    config,
    policy: (limits) => ({
      windows: [{ name: DAILY_WINDOW, limit: limits.daily, windowMs: 86_400_000 }],
      headers: (usage) => {
        const daily = usage[DAILY_WINDOW]!;
        return { "Sforce-Limit-Info": `api-usage=${daily.used}/${daily.limit}` };
      },
    }),
    schema: z.strictObject({ daily: z.number().int().min(1) }).partial(),
  };
}

/** Reads `api-usage=N/M` back (the `/limits` resource reports what the header says). */
export function parseApiUsage(header: unknown): { used: number; max: number } | undefined {
  const match = typeof header === "string" ? /api-usage=(\d+)\/(\d+)/.exec(header) : null;
  return match ? { used: Number(match[1]), max: Number(match[2]) } : undefined;
}
