import { describe, expect, it } from "vitest";
import type { BudgetStore } from "./budget-store/budget-store.ts";
import { MemoryBudgetStore } from "./budget-store/memory-store.ts";
import { getSharedBudget, InMemoryRateLimitBudget, StoredRateLimitBudget } from "./rate-limit-budget.ts";
import { readRateLimit } from "./rate-limit-headers.ts";

/**
 * A budget on a fake clock: a sleep moves the clock to its wake-up time (never backwards) after a tick,
 * so concurrent sleepers share the same time line.
 */
function fakeBudget() {
  const clock = { now: 1_000_000 };
  const waits: { ms: number; reason: string }[] = [];
  const budget = new InMemoryRateLimitBudget("acme:1", {
    now: () => clock.now,
    sleep: async (ms) => {
      const wakeAt = clock.now + ms;
      await Promise.resolve();
      clock.now = Math.max(clock.now, wakeAt);
    },
  });
  const acquire = () => budget.acquire(undefined, (ms, reason) => waits.push({ ms, reason }));
  return { budget, clock, waits, acquire };
}

describe("InMemoryRateLimitBudget pacing", () => {
  it("does not slow down before any rate-limit headers were seen", async () => {
    const { acquire, waits } = fakeBudget();
    for (let i = 0; i < 50; i++) expect(await acquire()).toBe(0);
    expect(waits).toEqual([]);
  });

  it("lets requests through while more than half the limit remains", async () => {
    const { budget, clock, acquire } = fakeBudget();
    budget.observe({ limit: 100, remaining: 80, resetAt: clock.now + 10_000 }, 200);
    for (let i = 0; i < 30; i++) expect(await acquire()).toBe(0);
    // 50 left of 100: from here on the 50 are spread over the 10 s left, 200 ms apart.
    expect(await acquire()).toBe(200);
  });

  it("spreads the remaining budget over the time left until the reset", async () => {
    const { budget, clock, acquire, waits } = fakeBudget();
    const start = clock.now;
    budget.observe({ limit: 10, remaining: 4, resetAt: start + 1000 }, 200);
    const waited = [await acquire(), await acquire(), await acquire(), await acquire()];
    // 4 requests over 1000 ms: the first at once, the rest spaced so the last lands at the reset.
    expect(waited[0]).toBe(0);
    expect(waited[1]).toBeCloseTo(333.3, 0);
    expect(waited[2]).toBeCloseTo(333.5, 0);
    expect(waited[3]).toBeCloseTo(333.5, 0);
    expect(clock.now - start).toBeCloseTo(1000, 5);
    expect(waits[0]!.reason).toContain("requests left");
    // The window has reset: the stale reading no longer slows anyone down.
    expect(await acquire()).toBe(0);
  });

  it("counts natural request latency towards the spacing", async () => {
    const { budget, clock, acquire } = fakeBudget();
    budget.observe({ limit: 10, remaining: 2, resetAt: clock.now + 1000 }, 200);
    expect(await acquire()).toBe(0);
    clock.now += 600; // the request itself took 600 ms; the next slot (500 ms later) has passed
    budget.observe({ limit: 10, remaining: 1, resetAt: clock.now + 400 }, 200);
    expect(await acquire()).toBe(0);
  });

  it("waits for the window to reset when the budget is used up", async () => {
    const { budget, clock, acquire, waits } = fakeBudget();
    budget.observe({ limit: 10, remaining: 0, resetAt: clock.now + 700 }, 200);
    expect(await acquire()).toBe(700);
    expect(waits[0]!.reason).toContain("used up");
  });

  it("counts requests granted since the last reading", async () => {
    const { budget, clock, acquire } = fakeBudget();
    budget.observe({ limit: 10, remaining: 1, resetAt: clock.now + 5000 }, 200);
    expect(await acquire()).toBe(0);
    // No new reading yet: the one remaining request is spent, so the next waits for the reset.
    expect(await acquire()).toBe(5000);
  });

  it("uses the window length from the last response when no reset time is given", async () => {
    const { budget, clock, acquire } = fakeBudget();
    budget.observe({ limit: 100, remaining: 0, windowMs: 10_000 }, 200);
    clock.now += 2_000;
    expect(await acquire()).toBe(8_000);
  });

  it("keeps the last reading when a response carries no rate-limit headers", async () => {
    const { budget, clock, acquire } = fakeBudget();
    budget.observe({ limit: 10, remaining: 0, resetAt: clock.now + 300 }, 200);
    budget.observe({}, 200);
    expect(await acquire()).toBe(300);
  });

  it("blocks every caller for Retry-After after a 429", async () => {
    const { budget, clock, acquire, waits } = fakeBudget();
    budget.observe({ retryAfterMs: 2_000 }, 429);
    const start = clock.now;
    expect(await Promise.all([acquire(), acquire()])).toEqual([2_000, 2_000]);
    expect(clock.now - start).toBe(2_000);
    expect(waits[0]!.reason).toContain("429");
  });

  it("ignores Retry-After on responses that are not 429 (the client handles those itself)", async () => {
    const { budget, acquire } = fakeBudget();
    budget.observe({ retryAfterMs: 2_000 }, 503);
    expect(await acquire()).toBe(0);
  });

  it("counts requests in flight against what remains, until their answers come back", async () => {
    const { budget, clock, acquire } = fakeBudget();
    budget.observe({ limit: 4, remaining: 3, resetAt: clock.now + 5_000 }, 200);
    expect(await acquire()).toBe(0);
    // Answered (without headers): no longer in flight, so 3 still remain, above half the limit.
    budget.observe({}, 200);
    expect(await acquire()).toBe(0);
    // Not answered: 3 - 1 in flight = 2 left, no more than half: paced over the 5 s left.
    expect(await acquire()).toBe(2_500);
  });

  it("spaces callers waiting at once so the last of them lands at the reset, not beyond it", async () => {
    const { budget, clock, acquire } = fakeBudget();
    budget.observe({ limit: 10, remaining: 4, resetAt: clock.now + 1_000 }, 200);
    const waited = await Promise.all([acquire(), acquire(), acquire(), acquire()]);
    expect(waited.map(Math.round)).toEqual([0, 333, 667, 1_000]);
  });

  it("ignores a late answer that reports more remaining than one already seen in the window", async () => {
    const { budget, clock, acquire, waits } = fakeBudget();
    const resetAt = clock.now + 1_000;
    budget.observe({ limit: 10, remaining: 0, resetAt }, 200);
    // Sent earlier by another client, answered later: stale.
    budget.observe({ limit: 10, remaining: 7, resetAt }, 200);
    expect(await acquire()).toBe(1_000);
    expect(waits[0]!.reason).toContain("used up");
  });

  it("takes a higher count once the provider names a later reset (a new window)", async () => {
    const { budget, clock, acquire } = fakeBudget();
    budget.observe({ limit: 10, remaining: 0, resetAt: clock.now + 1_000 }, 200);
    budget.observe({ limit: 10, remaining: 9, resetAt: clock.now + 2_000 }, 200);
    expect(await acquire()).toBe(0);
  });

  it("without a reset time, takes a count half the limit higher in the window's second half as a reset", async () => {
    const { budget, clock, acquire } = fakeBudget();
    budget.observe({ limit: 10, remaining: 2, windowMs: 10_000 }, 200);
    // Early in the window: a late answer from its first burst, not a reset.
    clock.now += 1_000;
    budget.observe({ limit: 10, remaining: 9, windowMs: 10_000 }, 200);
    expect(await acquire()).toBe(0);
    expect(await acquire()).toBeGreaterThan(1_000);
    budget.observe({}, 200);
    budget.observe({}, 200);
    // Past half of the window: the provider's window started before our first reading, so it reset.
    clock.now += 5_000;
    budget.observe({ limit: 10, remaining: 9, windowMs: 10_000 }, 200);
    expect(await acquire()).toBe(0);
    expect(await acquire()).toBe(0);
  });

  it("rejects at once when aborted during a wait", async () => {
    const budget = new InMemoryRateLimitBudget("acme:abort");
    budget.observe({ retryAfterMs: 60_000 }, 429);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("cancelled")), 10);
    await expect(budget.acquire(controller.signal)).rejects.toThrow("cancelled");
  }, 5_000);
});

describe("StoredRateLimitBudget", () => {
  it("treats stored state of another shape as empty instead of failing", async () => {
    const store = new MemoryBudgetStore();
    await store.update("budget:acme:odd", 60_000, () => ({ state: { granted: "lots" }, result: undefined }));
    const budget = new StoredRateLimitBudget("acme:odd", store);
    expect(await budget.acquire()).toBe(0);
    budget.observe({ limit: 10, remaining: 0, resetAt: Date.now() + 60_000 }, 200);
    const wait = await store.update(
      "budget:acme:odd",
      60_000,
      (state: { windowEnd: number } | undefined) => ({
        result: state?.windowEnd,
      }),
    );
    expect(wait).toBeGreaterThan(Date.now());
  });
});

/** A shared (not in-memory) store, as another process's budget sees it, that counts its changes. */
function sharedStore() {
  const memory = new MemoryBudgetStore();
  const counter = { changes: 0 };
  const store: BudgetStore = {
    kind: "redis",
    update: (key, ttlMs, step) => {
      counter.changes += 1;
      return memory.update(key, ttlMs, step);
    },
    withLock: (key, ttlMs, task) => memory.withLock(key, ttlMs, task),
    close: () => memory.close(),
  };
  return { store, counter };
}

describe("StoredRateLimitBudget on a shared store", () => {
  it("writes each answer with the next booking: one change per request", async () => {
    const { store, counter } = sharedStore();
    const budget = new StoredRateLimitBudget("acme:2", store);
    for (let n = 0; n < 20; n++) {
      await budget.acquire();
      budget.observe({ limit: 1000, remaining: 999 - n, windowMs: 10_000 }, 200);
    }
    expect(counter.changes).toBe(20);
    // The last answer, with no booking after it, is written on its own shortly after.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(counter.changes).toBe(21);
    const stored = await store.update(
      "budget:acme:2",
      60_000,
      (state: { reading: { remaining: number }; inFlight: number[] } | undefined) => ({
        result: state,
      }),
    );
    expect(stored?.reading.remaining).toBe(980);
    expect(stored?.inFlight).toEqual([]);
  });

  it("writes a 429 at once, so another process waits for its Retry-After", async () => {
    const { store } = sharedStore();
    const first = new StoredRateLimitBudget("acme:3", store);
    const waits: number[] = [];
    // The second process's first wait is all this test needs to see; it stops there.
    const second = new StoredRateLimitBudget("acme:3", store, {
      sleep: async (ms) => {
        waits.push(ms);
        throw new Error("seen");
      },
    });
    await first.acquire();
    first.observe({ retryAfterMs: 5_000 }, 429);
    await expect(second.acquire()).rejects.toThrow("seen");
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(4_900);
  });
});

describe("getSharedBudget", () => {
  it("returns one instance per account key", () => {
    expect(getSharedBudget("hubspot:portal-1")).toBe(getSharedBudget("hubspot:portal-1"));
    expect(getSharedBudget("hubspot:portal-1")).not.toBe(getSharedBudget("hubspot:portal-2"));
    expect(getSharedBudget("hubspot:portal-2").account).toBe("hubspot:portal-2");
  });
});

describe("readRateLimit", () => {
  const now = 1_700_000_000_000;

  it("reads limit, remaining, window and a reset in seconds", () => {
    const reading = readRateLimit(
      { "x-limit": "100", "x-remaining": "42", "x-window": "10000", "x-reset": "3" },
      200,
      {
        limit: "x-limit",
        remaining: "x-remaining",
        windowMsHeader: "x-window",
        reset: { header: "x-reset", format: "seconds" },
      },
      now,
    );
    expect(reading).toEqual({ limit: 100, remaining: 42, windowMs: 10_000, resetAt: now + 3000 });
  });

  it("reads a reset as a unix timestamp and falls back to the spec's window", () => {
    const reading = readRateLimit(
      { "x-reset": "1700000005" },
      200,
      { reset: { header: "x-reset", format: "unix_seconds" }, windowMs: 60_000 },
      now,
    );
    expect(reading).toEqual({ resetAt: 1_700_000_005_000, windowMs: 60_000 });
  });

  it("takes Retry-After (seconds or HTTP date) and, on a 429 without it, the time until reset", () => {
    expect(readRateLimit({ "retry-after": "7" }, 429, undefined, now).retryAfterMs).toBe(7000);
    const date = new Date(now + 5000).toUTCString();
    expect(readRateLimit({ "retry-after": date }, 503, undefined, now).retryAfterMs).toBe(5000);
    const spec = { reset: { header: "x-reset", format: "seconds" as const } };
    expect(readRateLimit({ "x-reset": "2" }, 429, spec, now).retryAfterMs).toBe(2000);
    expect(readRateLimit({ "x-reset": "2" }, 200, spec, now).retryAfterMs).toBeUndefined();
  });

  it("ignores unreadable values", () => {
    expect(
      readRateLimit({ "x-remaining": "lots", "retry-after": "soon" }, 429, { remaining: "x-remaining" }, now),
    ).toEqual({});
  });
});
