/**
 * A provider that reports used and allowed requests together in one header (Salesforce's
 * `Sforce-Limit-Info: api-usage=18/15000`) declares `usage` with a pattern naming `used` and `limit`.
 */
import { describe, expect, it } from "vitest";
import { readRateLimit } from "./rate-limit-headers.ts";

const spec = {
  usage: { header: "sforce-limit-info", pattern: "api-usage=(?<used>\\d+)/(?<limit>\\d+)" },
  windowMs: 86_400_000,
};

describe("a combined usage header", () => {
  it("reads the limit and what remains of it", () => {
    const reading = readRateLimit({ "sforce-limit-info": "api-usage=18/15000" }, 200, spec, 0);
    expect(reading).toEqual({ limit: 15_000, remaining: 14_982, windowMs: 86_400_000 });
  });

  it("never reports less than nothing remaining, and ignores a header that does not match", () => {
    expect(readRateLimit({ "sforce-limit-info": "api-usage=15007/15000" }, 200, spec, 0).remaining).toBe(0);
    const odd = readRateLimit(
      { "sforce-limit-info": "per-app-api-usage=1/2" },
      200,
      { ...spec, usage: { ...spec.usage, pattern: "^api-usage=(?<used>\\d+)/(?<limit>\\d+)" } },
      0,
    );
    expect(odd.remaining).toBeUndefined();
    expect(readRateLimit({}, 200, spec, 0).remaining).toBeUndefined();
  });
});
