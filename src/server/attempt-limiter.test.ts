import { describe, expect, it } from "vitest";
import { SwitchyardError } from "../core/index.ts";
import { AttemptLimiter } from "./attempt-limiter.ts";

describe("AttemptLimiter", () => {
  it("allows max attempts per key per window, says how long to wait, and forgets at the window's end", () => {
    let now = 1_000_000;
    const limiter = new AttemptLimiter({ max: 3, windowMs: 10_000 }, () => now);
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfterSeconds("a")).toBe(0);
      limiter.record("a");
    }
    expect(limiter.retryAfterSeconds("a")).toBe(10);
    expect(limiter.retryAfterSeconds("b")).toBe(0);
    now += 7_500;
    expect(limiter.retryAfterSeconds("a")).toBe(3);
    let thrown: unknown;
    try {
      limiter.assertAllowed("a", "Too many.", "Slow down.");
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SwitchyardError);
    expect((thrown as SwitchyardError).code).toBe("rate_limited");
    expect((thrown as SwitchyardError).details).toEqual({ retryAfterSeconds: 3 });
    now += 2_500;
    expect(limiter.retryAfterSeconds("a")).toBe(0);
    expect(() => limiter.assertAllowed("a", "Too many.", "")).not.toThrow();
  });
});
