/**
 * Documented limits that no response header announces (HubSpot's search endpoints: 5 requests per second).
 * A sliding window: a matching request goes at once while fewer than `limit` went in the last `windowMs`,
 * else when the oldest of them leaves the window. No window of `windowMs` (so no calendar second either)
 * ever holds more than `limit`: a 429 stays an exception, not the way the limit is found.
 */
import type { FixedRateLimit, HttpMethod } from "../core/index.ts";
import { sleep as realSleep } from "./retry.ts";

/** The requests of one limit on one account; shared by every client of the process. */
class RequestSpacer {
  /** Send times of the last `limit` requests, oldest first (some may be booked in the future). */
  private readonly slots: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Books the next free slot and returns how long to wait for it. */
  reserve(now: number): number {
    const oldest = this.slots.length < this.limit ? undefined : this.slots.shift();
    const slot = oldest === undefined ? now : Math.max(now, oldest + this.windowMs);
    this.slots.push(slot);
    return slot - now;
  }
}

const spacers = new Map<string, RequestSpacer>();

export interface FixedLimitOptions {
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** The fixed limits of one provider account, ready to pace requests. */
export class FixedRateLimits {
  private readonly limits: readonly { rule: FixedRateLimit; pattern: RegExp; spacer: RequestSpacer }[];
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(account: string, rules: readonly FixedRateLimit[], options: FixedLimitOptions = {}) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
    this.limits = rules.map((rule) => {
      const key = `${account}\u0000${rule.method ?? "*"}\u0000${rule.pathPattern}`;
      let spacer = spacers.get(key);
      if (!spacer) {
        spacer = new RequestSpacer(rule.limit, rule.windowMs);
        spacers.set(key, spacer);
      }
      return { rule, pattern: new RegExp(rule.pathPattern), spacer };
    });
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
    for (const { rule, pattern, spacer } of this.limits) {
      if ((rule.method && rule.method !== method) || !pattern.test(path)) continue;
      const delayMs = spacer.reserve(this.now());
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
