import { describe, expect, it } from "vitest";
import {
  createBackoff,
  isRetryableNetworkError,
  isRetryableStatus,
  parseRetryAfter,
  sleep,
} from "./retry.ts";

describe("retry decisions", () => {
  it("retries throttling and transient server errors only", () => {
    for (const status of [429, 500, 502, 503, 504]) expect(isRetryableStatus(status)).toBe(true);
    for (const status of [200, 400, 401, 403, 404, 409, 422, 501])
      expect(isRetryableStatus(status)).toBe(false);
  });

  it("recognises dropped connections, also when wrapped as a cause", () => {
    const reset = Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
    expect(isRetryableNetworkError(reset)).toBe(true);
    expect(isRetryableNetworkError(new Error("fetch failed", { cause: reset }))).toBe(true);
    expect(
      isRetryableNetworkError(Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" })),
    ).toBe(true);
    expect(isRetryableNetworkError(Object.assign(new Error("not found"), { code: "ENOTFOUND" }))).toBe(false);
    expect(isRetryableNetworkError(new Error("plain"))).toBe(false);
  });

  it("parses Retry-After as seconds or an HTTP date", () => {
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter("0", now)).toBe(0);
    expect(parseRetryAfter("Wed, 01 Jan 2025 00:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Tue, 31 Dec 2024 23:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it("backs off exponentially with full jitter, capped at maxMs", () => {
    for (let run = 0; run < 50; run++) {
      const next = createBackoff({ baseMs: 100, maxMs: 1000 });
      const delays = Array.from({ length: 8 }, () => next());
      delays.forEach((delay, attempt) => {
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(Math.min(1000, 100 * 2 ** attempt));
      });
    }
  });

  it("jitters: delays of the same attempt differ between requests", () => {
    const thirdDelays = new Set(
      Array.from({ length: 20 }, () => {
        const next = createBackoff({ baseMs: 1000, maxMs: 60_000 });
        next();
        next();
        return next();
      }),
    );
    expect(thirdDelays.size).toBeGreaterThan(1);
  });

  it("sleep rejects with the abort reason as soon as the signal aborts", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("stop")), 5);
    await expect(sleep(60_000, controller.signal)).rejects.toThrow("stop");
    await expect(sleep(1, controller.signal)).rejects.toThrow("stop");
    await expect(sleep(1)).resolves.toBeUndefined();
  }, 5_000);
});
