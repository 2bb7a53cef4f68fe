import { describe, expect, it } from "vitest";
import {
  assertUnderBase,
  checkBaseUrlOverride,
  checkForwardedHeaders,
  checkForwardedQuery,
  checkProxyPath,
  checkRedirect,
  type ProxyRefusalKind,
  ProxyRefusedError,
  relayableHeaders,
} from "./guard.ts";

/** The kind of the ProxyRefusedError `run` throws (fails when it throws nothing or something else). */
function refusal(run: () => unknown): ProxyRefusalKind {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ProxyRefusedError);
    expect((error as ProxyRefusedError).code).toBe("request_invalid");
    return (error as ProxyRefusedError).kind;
  }
  throw new Error("expected a refusal");
}

describe("checkProxyPath", () => {
  it("takes relative paths, query strings and ordinary percent-encoding", () => {
    expect(checkProxyPath("/crm/v3/objects/contacts?limit=1")).toBe("/crm/v3/objects/contacts?limit=1");
    expect(checkProxyPath("v1/persons")).toBe("/v1/persons");
    expect(checkProxyPath("/search/a%20b/c%2Fd")).toBe("/search/a%20b/c%2Fd");
    expect(checkProxyPath("/files/..hidden/x.y")).toBe("/files/..hidden/x.y");
  });

  it.each([
    "https://evil.example/x",
    "http://127.0.0.1/x",
    "HTTPS://evil.example",
    "javascript:alert(1)",
    "//evil.example/x",
    "/%2fevil.example/x",
  ])("refuses the absolute URL %s", (path) => {
    expect(refusal(() => checkProxyPath(path))).toBe("absolute_url");
  });

  it.each([
    "/../admin",
    "/a/../../b",
    "/a/./b",
    "..",
    "/a/%2e%2e/b",
    "/a/%2E%2e/b",
    "/a/.%2e/b",
    "/a/%252e%252e/b",
    "/a/..%2fb",
    "/a/%2e%2e%2f%2e%2e%2fetc",
  ])("refuses the traversal %s", (path) => {
    expect(refusal(() => checkProxyPath(path))).toBe("path_traversal");
  });

  it.each([
    "/a\\..\\b",
    "\\\\evil.example\\x",
    "/a/%5c..%5cb",
    "/a b",
    "/a\r\nHost: evil",
    "/a#fragment",
    "/a/%e0%a4%a",
    "/a/%250a",
  ])("refuses backslashes, controls, fragments and bad encodings in %j", (path) => {
    expect(["path_invalid", "absolute_url"]).toContain(refusal(() => checkProxyPath(path)));
  });
});

describe("assertUnderBase", () => {
  it("lets through URLs on the base's host and under its path", () => {
    assertUnderBase("https://api.example.com/v1", "https://api.example.com/v1/persons");
    assertUnderBase("https://api.example.com", "/anything");
  });

  it("refuses another host, and a path outside the base path", () => {
    expect(refusal(() => assertUnderBase("https://api.example.com", "https://evil.example/x"))).toBe(
      "other_host",
    );
    expect(refusal(() => assertUnderBase("https://api.example.com", "https://api.example.com:8443/"))).toBe(
      "other_host",
    );
    expect(refusal(() => assertUnderBase("https://api.example.com/v1", "https://api.example.com/v2"))).toBe(
      "path_traversal",
    );
    expect(refusal(() => assertUnderBase("https://api.example.com/v1", "/v1/../v2"))).toBe("path_traversal");
  });

  it("names redirects off the base as such", () => {
    expect(
      refusal(() =>
        assertUnderBase("https://api.example.com/v1", "https://evil.example/", "redirect_off_base"),
      ),
    ).toBe("redirect_off_base");
    expect(refusal(() => assertUnderBase("https://api.example.com/v1", "/v2/x", "redirect_off_base"))).toBe(
      "redirect_off_base",
    );
  });
});

describe("checkRedirect", () => {
  const base = "https://api.example.com/v1";
  const from = "https://api.example.com/v1/items";

  it("resolves a redirect within the base URL", () => {
    expect(checkRedirect(base, from, "/v1/items?page=2").href).toBe(
      "https://api.example.com/v1/items?page=2",
    );
    expect(checkRedirect(base, from, "other").href).toBe("https://api.example.com/v1/other");
  });

  it.each([
    "https://evil.example/v1/items",
    "//evil.example/x",
    "http://api.example.com/v1/items",
    "/v2/items",
    "/v1/../admin",
  ])("refuses the redirect to %s, naming where it pointed", (location) => {
    expect(refusal(() => checkRedirect(base, from, location))).toBe("redirect_off_base");
  });

  it("says where a refused redirect pointed", () => {
    expect(() => checkRedirect(base, from, "https://evil.example/steal")).toThrow(/evil\.example\/steal/);
  });
});

describe("checkBaseUrlOverride", () => {
  it("takes another base path on the connection's own host", () => {
    expect(checkBaseUrlOverride("https://api.example.com", "https://api.example.com/v2/")).toBe(
      "https://api.example.com/v2",
    );
  });

  it.each(["https://evil.example", "http://api.example.com", "https://user:pw@api.example.com", "not a url"])(
    "refuses %s",
    (override) => {
      expect(refusal(() => checkBaseUrlOverride("https://api.example.com", override))).toBe("other_host");
    },
  );

  it("refuses a traversal in the override's path", () => {
    expect(
      refusal(() => checkBaseUrlOverride("https://api.example.com", "https://api.example.com/a/%2e%2e")),
    ).toBe("path_traversal");
  });
});

describe("checkForwardedHeaders", () => {
  it("lower-cases and keeps ordinary headers", () => {
    expect(checkForwardedHeaders({ "Content-Type": "application/json", "X-Trace": "1" }, undefined)).toEqual({
      "content-type": "application/json",
      "x-trace": "1",
    });
  });

  it.each([
    "Authorization",
    "authorization",
    "Proxy-Authorization",
    "Cookie",
    "X-Account-Token",
    "x-api-token",
  ])("refuses the credential header %s", (name) => {
    expect(refusal(() => checkForwardedHeaders({ [name]: "Bearer stolen" }, "X-Api-Token"))).toBe(
      "forbidden_header",
    );
  });

  it.each([
    "Host",
    "Connection",
    "Keep-Alive",
    "Transfer-Encoding",
    "Content-Length",
    "TE",
    "Upgrade",
    "Proxy-Foo",
  ])("refuses the hop-by-hop header %s", (name) => {
    expect(refusal(() => checkForwardedHeaders({ [name]: "x" }, undefined))).toBe("forbidden_header");
  });

  it("refuses line breaks in values and invalid names", () => {
    expect(refusal(() => checkForwardedHeaders({ "x-a": "1\r\nAuthorization: x" }, undefined))).toBe(
      "forbidden_header",
    );
    expect(refusal(() => checkForwardedHeaders({ "x a": "1" }, undefined))).toBe("forbidden_header");
  });
});

describe("checkForwardedQuery", () => {
  it("refuses the parameter the provider's key travels in, in any case", () => {
    expect(refusal(() => checkForwardedQuery({ API_TOKEN: "x" }, "api_token"))).toBe("forbidden_query");
    checkForwardedQuery({ limit: 1 }, "api_token");
    checkForwardedQuery({ api_token: "x" }, undefined);
  });
});

describe("relayableHeaders", () => {
  it("drops cookies, auth challenges, hop-by-hop and framing headers, and keeps the body's encoding", () => {
    expect(
      relayableHeaders({
        "content-type": "application/json",
        "x-ratelimit-remaining": "9",
        "set-cookie": "session=1",
        "www-authenticate": "Bearer",
        connection: "keep-alive",
        "content-length": "10",
        "content-encoding": "gzip",
        location: "https://evil.example",
      }),
    ).toEqual({
      "content-type": "application/json",
      "x-ratelimit-remaining": "9",
      "content-encoding": "gzip",
    });
  });
});
