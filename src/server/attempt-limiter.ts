import { SwitchyardError } from "../core/index.ts";
import { type BudgetStore, MemoryBudgetStore } from "../http/index.ts";

export interface AttemptLimit {
  /** Attempts allowed per key within one window. */
  max: number;
  windowMs: number;
}

export interface AttemptLimiterOptions {
  /** Names the limiter's keys in a shared store (`api-key-failures`); limiters sharing a store need distinct names. */
  name?: string;
  /**
   * Where the counts live. Give the process's shared backend (budgetStoreFor: Redis or the Postgres store)
   * so a limit holds across every API process; default this limiter's own memory.
   */
  store?: BudgetStore;
  /** Clock of the default memory store; injectable for tests. */
  now?: () => number;
}

/** One key's window as stored. */
interface Window {
  count: number;
  resetAt: number;
}

/**
 * Counts attempts per key (a client address, a session) in fixed windows. It guards against guessing at a
 * rate; what must survive a restart (a Connect session's failed credential attempts) is counted in the
 * store instead. With a shared store every API process counts into the same windows: N processes do not
 * multiply the limit by N. Each check or count is one atomic step of the store.
 */
export class AttemptLimiter {
  private readonly store: BudgetStore;
  private readonly prefix: string;

  constructor(
    private readonly limit: AttemptLimit,
    options: AttemptLimiterOptions = {},
  ) {
    this.store = options.store ?? new MemoryBudgetStore(options.now);
    this.prefix = `attempts:${options.name ?? "default"}:`;
  }

  /** Seconds until `key` may try again, or 0 when it is under its limit. */
  retryAfterSeconds(key: string): Promise<number> {
    return this.step(key, (window, now) => ({ result: this.waitSeconds(window, now) }));
  }

  /** Counts one attempt of `key`. */
  record(key: string): Promise<void> {
    return this.step(key, (window, now) => ({ state: counted(window, now, this.limit), result: undefined }));
  }

  /**
   * Throws `rate_limited` (with `details.retryAfterSeconds`, which the error handler turns into a
   * Retry-After header) when `key` is over its limit.
   */
  async assertAllowed(key: string, message: string, hint: string): Promise<void> {
    throwIfWaiting(await this.retryAfterSeconds(key), message, hint);
  }

  /** Checks and counts in one step (no other process can slip in between); throws like assertAllowed. */
  async admit(key: string, message: string, hint: string): Promise<void> {
    const wait = await this.step(key, (window, now) => {
      const seconds = this.waitSeconds(window, now);
      return seconds > 0 ? { result: seconds } : { state: counted(window, now, this.limit), result: 0 };
    });
    throwIfWaiting(wait, message, hint);
  }

  private step<R>(
    key: string,
    step: (window: Window | undefined, now: number) => { state?: Window; result: R },
  ) {
    return this.store.update<Window, R>(this.prefix + key, this.limit.windowMs, (stored, now) =>
      step(stored && stored.resetAt > now ? stored : undefined, now),
    );
  }

  private waitSeconds(window: Window | undefined, now: number): number {
    if (!window || window.count < this.limit.max) return 0;
    return Math.max(1, Math.ceil((window.resetAt - now) / 1000));
  }
}

/** The window after one more attempt: a new one starts when none is open. */
function counted(window: Window | undefined, now: number, limit: AttemptLimit): Window {
  return window ? { ...window, count: window.count + 1 } : { count: 1, resetAt: now + limit.windowMs };
}

function throwIfWaiting(retryAfterSeconds: number, message: string, hint: string): void {
  if (retryAfterSeconds === 0) return;
  throw new SwitchyardError("rate_limited", message, {
    hint: `Wait ${retryAfterSeconds} s (see Retry-After) before trying again. ${hint}`.trim(),
    details: { retryAfterSeconds },
  });
}
