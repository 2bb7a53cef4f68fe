/**
 * A rate-limit budget per provider account, shared by every client and run that touches the account.
 *
 * How it paces, in three rules:
 *  1. After a 429 with Retry-After (or a reset header), every request on the account waits until then.
 *  2. Until the provider has told us its remaining budget, requests go straight through.
 *  3. Once it has: while more than half of the limit remains, requests go straight through (short syncs
 *     stay fast). Below that, what remains is spread evenly over the time left in the window, so the
 *     budget lasts until the window resets and 429s stay rare. When nothing remains, wait for the reset.
 *
 * "Time left in the window" is the provider's reset time when it sends one; otherwise one window length
 * after the last response (conservative for rolling windows: the provider did not say when budget returns).
 *
 * The interface is two calls so a database-backed budget (shared across workers) can replace this one.
 */
import type { RateLimitReading } from "./rate-limit-headers.ts";
import { sleep as realSleep } from "./retry.ts";

export interface RateLimitBudget {
  /** The provider account this budget belongs to (appears in rate_limit_wait events). */
  readonly account: string;
  /**
   * Resolves when one request may be sent, with the milliseconds it waited; `onWait` is told before each wait.
   * Rejects with the signal's reason as soon as the signal aborts.
   */
  acquire(signal?: AbortSignal, onWait?: (delayMs: number, reason: string) => void): Promise<number>;
  /** Records what a response said about the limit; a 429 asking to wait blocks every caller of acquire. */
  observe(reading: RateLimitReading, status: number): void;
}

export interface InMemoryBudgetOptions {
  /** Clock in epoch ms; injectable for tests. */
  now?: () => number;
  /** Abortable wait; injectable for tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Waits shorter than this are not worth a timer (and would just be timer noise). */
const MIN_WAIT_MS = 1;
/** Above this fraction of the limit remaining, requests are not paced. */
const FREE_FRACTION = 0.5;

/** A budget held in process memory; correct for every client of one process. */
export class InMemoryRateLimitBudget implements RateLimitBudget {
  readonly account: string;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Last reading that carried a remaining count, and when it arrived. */
  private reading: RateLimitReading | undefined;
  private observedAt = 0;
  /** Requests let through since that reading (the provider's count does not include them yet). */
  private grantedSinceReading = 0;
  /** Time the last request was let through; paced requests are spaced from it. */
  private lastSlot = Number.NEGATIVE_INFINITY;
  private blockedUntil = 0;

  constructor(account: string, options: InMemoryBudgetOptions = {}) {
    this.account = account;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
  }

  async acquire(signal?: AbortSignal, onWait?: (delayMs: number, reason: string) => void): Promise<number> {
    signal?.throwIfAborted();
    let waited = 0;
    // Rule 1. Loop: another 429 may extend the block while we sleep.
    for (let blocked = this.blockedUntil - this.now(); blocked >= MIN_WAIT_MS; ) {
      onWait?.(blocked, "the provider answered 429; every request on this account waits for its Retry-After");
      await this.sleep(blocked, signal);
      waited += blocked;
      blocked = this.blockedUntil - this.now();
    }
    const { delayMs, reason } = this.reserve(this.now());
    if (delayMs >= MIN_WAIT_MS) {
      onWait?.(delayMs, reason);
      await this.sleep(delayMs, signal);
      waited += delayMs;
    }
    return waited;
  }

  observe(reading: RateLimitReading, status: number): void {
    const now = this.now();
    if (status === 429 && reading.retryAfterMs !== undefined) {
      this.blockedUntil = Math.max(this.blockedUntil, now + reading.retryAfterMs);
    }
    // Responses without a remaining count (some endpoints send none) keep the last reading.
    if (reading.remaining !== undefined) {
      this.reading = reading;
      this.observedAt = now;
      // The provider's count now includes what we sent before this response; requests still in flight are
      // not counted here, which can only make us slightly less careful for one reading.
      this.grantedSinceReading = 0;
    }
  }

  /** Rules 2 and 3: decides when the next request may go and books that slot. */
  private reserve(now: number): { delayMs: number; reason: string } {
    const slot = this.slotFor(now);
    this.lastSlot = slot.at;
    this.grantedSinceReading++;
    return { delayMs: slot.at - now, reason: slot.reason };
  }

  private slotFor(now: number): { at: number; reason: string } {
    const free = { at: now, reason: "" };
    const reading = this.reading;
    if (reading?.remaining === undefined) return free;
    const windowEnd =
      reading.resetAt ?? (reading.windowMs === undefined ? undefined : this.observedAt + reading.windowMs);
    // Without a window we cannot spread anything; a 429 with Retry-After will still slow us down (rule 1).
    if (windowEnd === undefined || windowEnd <= now) return free;
    const left = reading.remaining - this.grantedSinceReading;
    if (left <= 0) {
      return { at: windowEnd, reason: "the rate-limit budget is used up; waiting for the window to reset" };
    }
    if (reading.limit !== undefined && left > reading.limit * FREE_FRACTION) return free;
    const interval = (windowEnd - now) / left;
    return {
      at: Math.max(now, this.lastSlot + interval),
      reason: `${left} requests left in the rate-limit window; spacing them ${Math.round(interval)} ms apart`,
    };
  }
}

const sharedBudgets = new Map<string, RateLimitBudget>();

/** Returns the one budget of this process for the account key (created on first use). */
export function getSharedBudget(accountKey: string): RateLimitBudget {
  let budget = sharedBudgets.get(accountKey);
  if (!budget) {
    budget = new InMemoryRateLimitBudget(accountKey);
    sharedBudgets.set(accountKey, budget);
  }
  return budget;
}
