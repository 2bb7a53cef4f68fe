/**
 * Documented limits that no response header announces (HubSpot's search endpoints: 5 requests per second).
 * A sliding window: a matching request goes at once while fewer than `limit` went in the last `windowMs`,
 * else when the oldest of them left the window (plus a margin for arrival jitter, ARRIVAL_MARGIN). No window of
 * `windowMs` (so no calendar second either) ever holds more than `limit`: a 429 stays an exception, not the
 * way the limit is found.
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

/**
 * Slots are spaced this fraction of the window more than the limit needs. A slot is when a request may be
 * sent; the provider counts it when it arrives, after a store round trip, the event loop and the network,
 * which vary: with exact spacing, a request sent late and the next one sent on time land in one of the
 * provider's windows (HubSpot search: 429s, bench/rate-limit on a busy machine). 20% costs as much of the
 * documented rate and keeps a 429 the exception.
 */
const ARRIVAL_MARGIN = 0.2;

/** Books the next free slot of a window: send times of the last `limit` requests, oldest first (some may be booked in the future). */
function reserveStep(limit: number, windowMs: number) {
  const spacing = Math.round(windowMs * (1 + ARRIVAL_MARGIN));
  return (stored: number[] | undefined, now: number) => {
    const slots = Array.isArray(stored) ? stored : [];
    const oldest = slots.length < limit ? undefined : slots.shift();
    const slot = oldest === undefined ? now : Math.max(now, oldest + spacing);
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
