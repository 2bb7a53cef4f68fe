/**
 * Documented limits that no response header announces (HubSpot's search endpoints: 5 requests per second).
 * A sliding window: a matching request goes at once while fewer than `limit` went in the last `windowMs`,
 * else when the oldest of them leaves the window. No window of `windowMs` (so no calendar second either)
 * ever holds more than `limit`: a 429 stays an exception, not the way the limit is found.
 */
import type { FixedRateLimit, HttpMethod } from "../core/index.ts";
import type { BudgetStore } from "./budget-store/budget-store.ts";
import { memoryBudgetStore } from "./budget-store/index.ts";
import { sleep as realSleep } from "./retry.ts";

export interface FixedLimitOptions {
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Where the windows live (the account budget's store); default this process's memory. */
  store?: BudgetStore;
}

/** Books the next free slot of a window: send times of the last `limit` requests, oldest first (some may be booked in the future). */
function reserveStep(limit: number, windowMs: number) {
  return (stored: number[] | undefined, now: number) => {
    const slots = Array.isArray(stored) ? stored : [];
    const oldest = slots.length < limit ? undefined : slots.shift();
    const slot = oldest === undefined ? now : Math.max(now, oldest + windowMs);
    slots.push(slot);
    return { state: slots, result: slot - now };
  };
}

/** The fixed limits of one provider account, ready to pace requests; shared by every client of the store. */
export class FixedRateLimits {
  private readonly limits: readonly {
    rule: FixedRateLimit;
    pattern: RegExp;
    key: string;
    reserve: ReturnType<typeof reserveStep>;
  }[];
  private readonly store: BudgetStore;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(account: string, rules: readonly FixedRateLimit[], options: FixedLimitOptions = {}) {
    this.store = options.store ?? memoryBudgetStore(options.now);
    this.sleep = options.sleep ?? realSleep;
    this.limits = rules.map((rule) => ({
      rule,
      pattern: new RegExp(rule.pathPattern),
      // No NUL separators: Postgres text cannot hold them.
      key: `fixed:${account} ${rule.method ?? "*"} ${rule.pathPattern}`,
      reserve: reserveStep(rule.limit, rule.windowMs),
    }));
  }

  /**
   * Resolves when a request with this method and path may go, with the milliseconds it waited (0 when no
   * limit matches); `onWait` is told before a wait. Rejects as soon as the signal aborts.
   */
  async acquire(
    method: HttpMethod,
    path: string,
    signal?: AbortSignal,
    onWait?: (delayMs: number, reason: string) => void,
  ): Promise<number> {
    let waited = 0;
    for (const { rule, pattern, key, reserve } of this.limits) {
      if ((rule.method && rule.method !== method) || !pattern.test(path)) continue;
      // Kept a little past the window: the slots booked last are still needed until then.
      const delayMs = await this.store.update(key, 2 * rule.windowMs + 60_000, reserve);
      if (delayMs < 1) continue;
      onWait?.(
        delayMs,
        `at most ${rule.limit} of these requests per ${rule.windowMs} ms, as the provider documents`,
      );
      await this.sleep(delayMs, signal);
      waited += delayMs;
    }
    return waited;
  }
}
