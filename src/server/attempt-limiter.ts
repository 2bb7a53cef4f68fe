import { SwitchyardError } from "../core/index.ts";

export interface AttemptLimit {
  /** Attempts allowed per key within one window. */
  max: number;
  windowMs: number;
}

/**
 * Counts attempts per key (a client address, a session) in fixed windows, in this process's memory. It
 * guards against guessing at a rate, so a restart forgetting the counts is acceptable; what must survive a
 * restart (a Connect session's failed credential attempts) is counted in the store instead.
 */
export class AttemptLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly limit: AttemptLimit,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until `key` may try again, or 0 when it is under its limit. */
  retryAfterSeconds(key: string): number {
    const window = this.current(key);
    if (!window || window.count < this.limit.max) return 0;
    return Math.max(1, Math.ceil((window.resetAt - this.now()) / 1000));
  }

  /** Counts one attempt of `key`. */
  record(key: string): void {
    const window = this.current(key);
    if (window) window.count += 1;
    else {
      this.sweep();
      this.windows.set(key, { count: 1, resetAt: this.now() + this.limit.windowMs });
    }
  }

  /**
   * Throws `rate_limited` (with `details.retryAfterSeconds`, which the error handler turns into a
   * Retry-After header) when `key` is over its limit.
   */
  assertAllowed(key: string, message: string, hint: string): void {
    const retryAfterSeconds = this.retryAfterSeconds(key);
    if (retryAfterSeconds === 0) return;
    throw new SwitchyardError("rate_limited", message, {
      hint: `Wait ${retryAfterSeconds} s (see Retry-After) before trying again. ${hint}`.trim(),
      details: { retryAfterSeconds },
    });
  }

  private current(key: string): { count: number; resetAt: number } | undefined {
    const window = this.windows.get(key);
    if (window && window.resetAt > this.now()) return window;
    if (window) this.windows.delete(key);
    return undefined;
  }

  /** Drops ended windows, so memory stays bounded by the keys seen in one window. */
  private sweep(): void {
    if (this.windows.size < 1_000) return;
    const now = this.now();
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
  }
}
