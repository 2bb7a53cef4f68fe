import { describe, expect, it } from "vitest";
import { ConfigError } from "../core/index.ts";
import { buildTarget, encodeQuery, parseBaseUrl } from "./url.ts";

describe("encodeQuery", () => {
  it("repeats array values, skips undefined and encodes names and values", () => {
    expect(encodeQuery({ properties: ["a", "b"], "a b": "x&y", n: 1, t: true, u: undefined })).toBe(
      "properties=a&properties=b&a%20b=x%26y&n=1&t=true",
    );
    expect(encodeQuery(undefined)).toBe("");
  });
});

describe("buildTarget", () => {
  const base = parseBaseUrl("acme", "https://api.acme.test/v3/");
  const key = { name: "key", value: "k" };

  it("prefixes relative paths with the base path", () => {
    expect(buildTarget(base, "/items", { a: 1 }, undefined)).toEqual({
      origin: "https://api.acme.test",
      path: "/v3/items?a=1",
      sameOrigin: true,
    });
    expect(buildTarget(base, "items?x=1", { a: 1 }, key).path).toBe("/v3/items?x=1&a=1&key=k");
  });

  it("uses absolute URLs as they are and adds the key only on the base origin", () => {
    expect(buildTarget(base, "https://api.acme.test/v3/items?after=5&key=old", undefined, key)).toEqual({
      origin: "https://api.acme.test",
      path: "/v3/items?after=5&key=k",
      sameOrigin: true,
    });
    expect(buildTarget(base, "https://cdn.other.test/f?x=1", undefined, key)).toEqual({
      origin: "https://cdn.other.test",
      path: "/f?x=1",
      sameOrigin: false,
    });
  });

  it("rejects a base URL that is not http(s)", () => {
    expect(() => parseBaseUrl("acme", "not a url")).toThrow(ConfigError);
    expect(() => parseBaseUrl("acme", "ftp://x.test")).toThrow(ConfigError);
  });
});
