/** Where credentials are read from, and when the registry refuses them. */
import { describe, expect, it } from "vitest";
import { anyCredential, bearerToken, headerCredential, queryCredential, TokenRegistry } from "./tokens.ts";

const request = (headers: Record<string, string>, query: Record<string, string> = {}) => ({ headers, query });

describe("credential sources", () => {
  it("reads a bearer token, a header and a query parameter, the first that is present", () => {
    expect(bearerToken(request({ authorization: "Bearer abc" }))).toBe("abc");
    expect(bearerToken(request({ authorization: "Basic abc" }))).toBeUndefined();
    const queryThenHeader = anyCredential(queryCredential("api_token"), headerCredential("x-api-token"));
    expect(queryThenHeader(request({ "x-api-token": "h" }, { api_token: "q" }))).toBe("q");
    expect(queryThenHeader(request({ "x-api-token": "h" }))).toBe("h");
    expect(queryThenHeader(request({}))).toBeUndefined();
  });
});

describe("TokenRegistry", () => {
  it("refuses missing, unknown, expired-on-demand, used-up and lapsed tokens", () => {
    const registry = new TokenRegistry(["one", "two"]);
    expect(registry.authenticate(undefined, undefined)).toEqual({ refused: "missing" });
    expect(registry.authenticate("nope", undefined)).toEqual({ refused: "invalid" });
    expect(registry.authenticate("one", 1)).toEqual({ token: "one" });
    expect(registry.authenticate("one", 1)).toEqual({ refused: "expired" });
    registry.expire("two");
    expect(registry.authenticate("two", undefined)).toEqual({ refused: "expired" });
    registry.reset();
    expect(registry.authenticate("two", undefined)).toEqual({ token: "two" });
    registry.grant("oauth", Date.now() - 1, 7);
    expect(registry.authenticate("oauth", undefined)).toEqual({ refused: "expired" });
    expect(registry.appIds.get("oauth")).toBe(7);
    expect(registry.appIds.get("two")).toBe(1_000_001);
  });
});
