import { describe, expect, it } from "vitest";
import { SwitchyardError } from "../core/index.ts";
import { AttemptLimiter } from "./attempt-limiter.ts";

describe("AttemptLimiter", () => {
  it("allows max attempts per key per window, says how long to wait, and forgets at the window's end", async () => {
    let now = 1_000_000;
    const limiter = new AttemptLimiter({ max: 3, windowMs: 10_000 }, { now: () => now });
    for (let i = 0; i < 3; i++) {
      expect(await limiter.retryAfterSeconds("a")).toBe(0);
      await limiter.record("a");
    }
    expect(await limiter.retryAfterSeconds("a")).toBe(10);
    expect(await limiter.retryAfterSeconds("b")).toBe(0);
    now += 7_500;
    expect(await limiter.retryAfterSeconds("a")).toBe(3);
    let thrown: unknown;
    try {
      await limiter.assertAllowed("a", "Too many.", "Slow down.");
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SwitchyardError);
    expect((thrown as SwitchyardError).code).toBe("rate_limited");
    expect((thrown as SwitchyardError).details).toEqual({ retryAfterSeconds: 3 });
    now += 2_500;
    expect(await limiter.retryAfterSeconds("a")).toBe(0);
    await expect(limiter.assertAllowed("a", "Too many.", "")).resolves.toBeUndefined();
  });

  it("admits and counts in one step, refusing once the window is full", async () => {
    const limiter = new AttemptLimiter({ max: 2, windowMs: 60_000 }, { now: () => 5_000 });
    await limiter.admit("s", "Too many.", "");
    await limiter.admit("s", "Too many.", "");
    await expect(limiter.admit("s", "Too many.", "")).rejects.toMatchObject({
      code: "rate_limited",
      details: { retryAfterSeconds: 60 },
    });
    await limiter.admit("t", "Too many.", "");
  });
});
