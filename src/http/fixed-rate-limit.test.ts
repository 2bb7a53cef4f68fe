import { describe, expect, it } from "vitest";
import { FixedRateLimits } from "./fixed-rate-limit.ts";

/** A clock that only moves when the limiter sleeps, so waits are exact. */
function fakeTime() {
  let now = 1_000;
  const waits: number[] = [];
  return {
    options: {
      now: () => now,
      sleep: async (ms: number) => {
        waits.push(ms);
        now += ms;
      },
    },
    waits,
  };
}

const SEARCH = { method: "POST" as const, pathPattern: "/search$", limit: 5, windowMs: 1_000 };

describe("FixedRateLimits", () => {
  it("lets a burst of limit go at once, then keeps every window of windowMs to limit requests", async () => {
    const time = fakeTime();
    const limits = new FixedRateLimits(`acct-${Math.random()}`, [SEARCH], time.options);
    const sentAt: number[] = [];
    for (let i = 0; i < 11; i++) {
      await limits.acquire("POST", "/crm/v3/objects/deals/search");
      sentAt.push(time.options.now());
    }
    for (let i = 0; i + 5 < sentAt.length; i++)
      expect(sentAt[i + 5]! - sentAt[i]!).toBeGreaterThanOrEqual(1_000);
    expect(sentAt.slice(0, 5)).toEqual([1_000, 1_000, 1_000, 1_000, 1_000]);
    // The window plus its margin for arrival jitter (20%).
    expect(time.waits).toEqual([1_200, 1_200]);
  });

  it("lets other requests through at once", async () => {
    const time = fakeTime();
    const limits = new FixedRateLimits(`acct-${Math.random()}`, [SEARCH], time.options);
    for (let i = 0; i < 10; i++) {
      expect(await limits.acquire("GET", "/crm/v3/objects/deals")).toBe(0);
      expect(await limits.acquire("GET", "/crm/v3/objects/deals/search")).toBe(0);
    }
    expect(time.waits).toEqual([]);
  });

  it("shares the spacing between clients of the same account, not across accounts", async () => {
    const time = fakeTime();
    const account = `acct-${Math.random()}`;
    const first = new FixedRateLimits(account, [SEARCH], time.options);
    const second = new FixedRateLimits(account, [SEARCH], time.options);
    const other = new FixedRateLimits(`${account}-other`, [SEARCH], time.options);
    for (let i = 0; i < 5; i++) expect(await first.acquire("POST", "/x/search")).toBe(0);
    expect(await second.acquire("POST", "/x/search")).toBe(1_200);
    expect(await other.acquire("POST", "/x/search")).toBe(0);
  });
});
