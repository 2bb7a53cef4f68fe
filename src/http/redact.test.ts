import { describe, expect, it } from "vitest";
import { createRedactor, redact, redactQueryParams } from "./redact.ts";

describe("redact", () => {
  it("replaces every occurrence of every secret", () => {
    expect(redact("a tok-1 b tok-1 c key-2", ["tok-1", "key-2"])).toBe(
      "a [REDACTED] b [REDACTED] c [REDACTED]",
    );
  });

  it("ignores empty secrets and leaves clean text alone", () => {
    expect(redact("nothing here", ["", "zzz"])).toBe("nothing here");
  });

  it("replaces the values of named query parameters, whatever they hold", () => {
    expect(redactQueryParams("https://x.io/a?api_key=abc&q=1&api_key=def#f", ["api_key"])).toBe(
      "https://x.io/a?api_key=[REDACTED]&q=1&api_key=[REDACTED]#f",
    );
    expect(redactQueryParams("https://x.io/a?my_api_key=abc", ["api_key"])).toBe(
      "https://x.io/a?my_api_key=abc",
    );
  });
});

describe("createRedactor", () => {
  it("also catches URL- and form-encoded spellings of a secret", () => {
    const clean = createRedactor(["a/b+c d"]);
    expect(clean("raw a/b+c d, url a%2Fb%2Bc%20d, form a%2Fb%2Bc+d")).toBe(
      "raw [REDACTED], url [REDACTED], form [REDACTED]",
    );
  });

  it("replaces a longer secret whole even when a shorter one is part of it", () => {
    const clean = createRedactor(["abc", "xxabcxx"]);
    expect(clean("xxabcxx abc")).toBe("[REDACTED] [REDACTED]");
  });

  it("combines secrets and sensitive query parameters", () => {
    const clean = createRedactor(["s3cret"], ["key"]);
    expect(clean("GET /a?key=other&x=s3cret")).toBe("GET /a?key=[REDACTED]&x=[REDACTED]");
  });
});
