/**
 * The kit's rate limiter: windows per caller, checked in order, only some kinds counted by some windows,
 * refused requests not counted, windows starting again after their length, and the provider's headers.
 */
import { describe, expect, it } from "vitest";
import { rateLimitSchemaOf } from "./core.ts";
import { limitRemainingResetHeaders, RateLimiter, type RateLimitPolicy } from "./rate-limit.ts";

interface Limits {
  perSecond: number;
  perMinute: number;
  searches: number;
}

const policy = (c: Limits): RateLimitPolicy => ({
  windows: [
    { name: "MINUTE", limit: c.perMinute, windowMs: 60_000 },
    { name: "SECOND", limit: c.perSecond, windowMs: 1000 },
    { name: "SEARCH", limit: c.searches, windowMs: 1000, kinds: ["search"] },
  ],
  faultWindow: "SECOND",
  headers: (usage) => limitRemainingResetHeaders(usage.SECOND!),
});

function limiter(limits: Partial<Limits> = {}) {
  let now = 1_000_000;
  const rateLimiter = new RateLimiter(
    { perSecond: 3, perMinute: 100, searches: 1, ...limits },
    policy,
    () => now,
  );
  return { rateLimiter, advance: (ms: number) => (now += ms) };
}

describe("RateLimiter", () => {
  it("keeps each caller's windows with what they accepted and refused, for measuring a client's use", () => {
    const { rateLimiter, advance } = limiter();
    for (let i = 0; i < 5; i++) rateLimiter.take("a");
    advance(1000);
    rateLimiter.take("a");
    const seconds = rateLimiter.history().filter((w) => w.caller === "a" && w.window === "SECOND");
    expect(seconds.map((w) => [w.start, w.accepted, w.refused, w.limit])).toEqual([
      [1_000_000, 3, 2, 3],
      [1_001_000, 1, 0, 3],
    ]);
    // The minute counted all 4 accepted; a refused request is the window's that refused it only.
    const minute = rateLimiter.history().find((w) => w.caller === "a" && w.window === "MINUTE");
    expect([minute?.accepted, minute?.refused]).toEqual([4, 0]);
    rateLimiter.reset();
    expect(rateLimiter.history()).toEqual([]);
  });

  it("refuses the request past a window's limit, with that window's name, and counts callers apart", () => {
    const { rateLimiter } = limiter();
    for (let i = 0; i < 3; i++) expect(rateLimiter.take("a").exceeded).toBeUndefined();
    expect(rateLimiter.take("a").exceeded).toBe("SECOND");
    expect(rateLimiter.take("b").exceeded).toBeUndefined();
  });

  it("checks windows in order and does not count refused requests", () => {
    const { rateLimiter, advance } = limiter({ perMinute: 4 });
    for (let i = 0; i < 3; i++) rateLimiter.take("a");
    expect(rateLimiter.take("a").exceeded).toBe("SECOND");
    advance(1000);
    // The refused request did not count: one more fits the minute.
    expect(rateLimiter.take("a").exceeded).toBeUndefined();
    expect(rateLimiter.take("a").exceeded).toBe("MINUTE");
  });

  it("counts a kind-specific window only for that kind", () => {
    const { rateLimiter } = limiter();
    rateLimiter.take("a");
    expect(rateLimiter.take("a", "search").exceeded).toBeUndefined();
    expect(rateLimiter.take("a", "search").exceeded).toBe("SEARCH");
  });

  it("reports the window in headers, starts it again after its length, and applies new limits at once", () => {
    const { rateLimiter, advance } = limiter();
    rateLimiter.take("a");
    advance(400);
    expect(rateLimiter.take("a").headers).toEqual({
      "X-RateLimit-Limit": "3",
      "X-RateLimit-Remaining": "1",
      "X-RateLimit-Reset": "1",
    });
    advance(600);
    expect(rateLimiter.take("a").headers["X-RateLimit-Remaining"]).toBe("2");
    rateLimiter.configure({ perSecond: 1 });
    expect(rateLimiter.settings.perSecond).toBe(1);
    expect(rateLimiter.take("a").exceeded).toBe("SECOND");
    rateLimiter.reset();
    expect(rateLimiter.take("a").exceeded).toBeUndefined();
    expect(rateLimiter.faultPolicy).toBe("SECOND");
  });
});

describe("rateLimitSchemaOf (the default schema of runtime rate-limit changes)", () => {
  const schema = rateLimitSchemaOf({ perSecond: 10, windowMs: 1000, sendHeaders: false });

  it("takes any of the config's keys: numbers as whole numbers of at least 1, booleans as booleans", () => {
    expect(schema.parse({ perSecond: 3 })).toEqual({ perSecond: 3 });
    expect(schema.parse({ windowMs: 500, sendHeaders: true })).toEqual({ windowMs: 500, sendHeaders: true });
    expect(schema.parse({})).toEqual({});
  });

  it("refuses a value of the wrong kind and a key the config does not have", () => {
    for (const bad of [{ perSecond: 0 }, { perSecond: 1.5 }, { sendHeaders: "yes" }, { perMinute: 5 }]) {
      expect(schema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
