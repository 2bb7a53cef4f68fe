/**
 * Rate limits as a provider declares them: fixed windows (per 10 seconds, per day, per second for one kind
 * of request…) counted per caller, each with the policy name a 429 reports, and the headers the provider
 * sends. The limits are derived from a provider's own config object, which can change at runtime.
 */

/** One budget: `limit` requests per `windowMs`, per caller. */
export interface LimitWindow {
  /** The policy name a 429 reports (e.g. `TEN_SECONDLY_ROLLING`). */
  name: string;
  limit: number;
  windowMs: number;
  /** The request kinds this window counts (default: every kind). */
  kinds?: readonly string[];
  /** False for a window only counted and reported in headers, never enforced. */
  enforced?: boolean;
}

/** Where a caller stands in one window, as headers report it. */
export interface WindowUsage {
  limit: number;
  windowMs: number;
  used: number;
  remaining: number;
  /** Milliseconds until the window starts again. */
  resetMs: number;
}

export interface RateLimitPolicy {
  /** Checked in order: the first exhausted (enforced) window answers the 429. */
  windows: readonly LimitWindow[];
  /** The window a 429 fault names (default: the first enforced window). */
  faultWindow?: string;
  /** The provider's rate-limit headers, from the usage of every window by name. */
  headers?(usage: Readonly<Record<string, WindowUsage>>, kind: string): Record<string, string>;
}

export interface RateLimitDecision {
  headers: Record<string, string>;
  /** The exhausted window's name, when the request must get a 429. */
  exceeded?: string;
}

interface Counter {
  start: number;
  count: number;
  /** Requests this window refused (answered 429). */
  refused: number;
}

/** One window of one caller as it was counted: what a benchmark measures a client's use of the budget by. */
export interface WindowRecord {
  caller: string;
  window: string;
  limit: number;
  windowMs: number;
  /** When it started (epoch ms, the emulator's clock). */
  start: number;
  accepted: number;
  refused: number;
}

/** Most windows kept per caller and window name (the oldest are dropped). */
const HISTORY_LIMIT = 10_000;

export class RateLimiter<Config extends object> {
  private config: Config;
  private policy: RateLimitPolicy;
  private readonly usage = new Map<string, Map<string, Counter>>();
  /** Every enforced window each caller opened, oldest first (the current ones included). */
  private readonly windowLog = new Map<string, { caller: string; window: LimitWindow; counter: Counter }[]>();

  constructor(
    config: Config,
    private readonly policyOf: (config: Config) => RateLimitPolicy,
    private readonly now: () => number = Date.now,
  ) {
    this.config = { ...config };
    this.policy = policyOf(this.config);
  }

  get settings(): Config {
    return { ...this.config };
  }

  /** Changes limits at runtime; counts so far are kept. */
  configure(changes: Partial<Config>): void {
    this.config = { ...this.config, ...changes };
    this.policy = this.policyOf(this.config);
  }

  /** Forgets every caller's usage. */
  reset(): void {
    this.usage.clear();
    this.windowLog.clear();
  }

  /** The enforced windows each caller opened, with what each accepted and refused, oldest first. */
  history(): WindowRecord[] {
    return [...this.windowLog.values()].flatMap((records) =>
      records.map(({ caller, window, counter }) => ({
        caller,
        window: window.name,
        limit: window.limit,
        windowMs: window.windowMs,
        start: counter.start,
        accepted: counter.count,
        refused: counter.refused,
      })),
    );
  }

  /** The policy a 429 fault reports. */
  get faultPolicy(): string {
    const windows = this.policy.windows;
    return this.policy.faultWindow ?? (windows.find((w) => w.enforced !== false) ?? windows[0])?.name ?? "";
  }

  /** Counts one request of `kind` for `caller` unless it is over a limit; refused requests are not counted. */
  take(caller: string, kind = "default"): RateLimitDecision {
    const now = this.now();
    const counters = this.countersOf(caller);
    const applying = this.policy.windows.filter((w) => w.kinds === undefined || w.kinds.includes(kind));
    const current = (window: LimitWindow): Counter => {
      let counter = counters.get(window.name);
      // A window starts at the first request after the previous one ran its length.
      if (!counter || now - counter.start >= window.windowMs) {
        counter = { start: now, count: 0, refused: 0 };
        counters.set(window.name, counter);
        if (window.enforced !== false) this.logWindow(caller, window, counter);
      }
      return counter;
    };
    const exceeded = applying.find((w) => w.enforced !== false && current(w).count >= w.limit);
    if (exceeded === undefined) for (const window of applying) current(window).count++;
    else current(exceeded).refused++;
    const headers = this.policy.headers?.(this.usageOf(counters, now), kind) ?? {};
    return exceeded === undefined ? { headers } : { headers, exceeded: exceeded.name };
  }

  /** Logs the window `counter` counts (the counter itself: it keeps counting until the window ends). */
  private logWindow(caller: string, window: LimitWindow, counter: Counter): void {
    const key = `${caller}\u0000${window.name}`;
    let records = this.windowLog.get(key);
    if (!records) {
      records = [];
      this.windowLog.set(key, records);
    }
    records.push({ caller, window, counter });
    if (records.length > HISTORY_LIMIT) records.shift();
  }

  private countersOf(caller: string): Map<string, Counter> {
    let counters = this.usage.get(caller);
    if (!counters) {
      counters = new Map();
      this.usage.set(caller, counters);
    }
    return counters;
  }

  private usageOf(counters: Map<string, Counter>, now: number): Record<string, WindowUsage> {
    const usage: Record<string, WindowUsage> = {};
    for (const window of this.policy.windows) {
      const counter = counters.get(window.name);
      const live = counter !== undefined && now - counter.start < window.windowMs;
      const used = live ? counter.count : 0;
      usage[window.name] = {
        limit: window.limit,
        windowMs: window.windowMs,
        used,
        remaining: Math.max(0, window.limit - used),
        resetMs: live ? counter.start + window.windowMs - now : window.windowMs,
      };
    }
    return usage;
  }
}

/** The common `X-RateLimit-Limit` / `-Remaining` / `-Reset` (seconds) trio for one window. */
export function limitRemainingResetHeaders(
  usage: WindowUsage,
  names = { limit: "X-RateLimit-Limit", remaining: "X-RateLimit-Remaining", reset: "X-RateLimit-Reset" },
): Record<string, string> {
  return {
    [names.limit]: String(usage.limit),
    [names.remaining]: String(usage.remaining),
    [names.reset]: String(Math.ceil(usage.resetMs / 1000)),
  };
}
