import { describe, expect, it } from "vitest";
import { normalizeHeaders, parseJsonBody, providerMessage } from "./response.ts";

describe("parseJsonBody", () => {
  it("parses JSON, and treats an empty body as undefined", () => {
    expect(parseJsonBody('{"a":1}', "application/json", 7)).toEqual({ ok: true, value: { a: 1 } });
    expect(parseJsonBody("", undefined, 0)).toEqual({ ok: true, value: undefined });
  });

  it("names HTML and broken JSON", () => {
    expect(parseJsonBody("<html></html>", "text/html; charset=utf-8", 13)).toEqual({
      ok: false,
      problem: "expected JSON but got text/html",
    });
    const broken = parseJsonBody('{"a":', "application/json", 5);
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.problem).toMatch(/^invalid JSON in a 5-byte body/);
    const quoted = parseJsonBody('{"password":"swordfish" x', "application/json", 25);
    expect(!quoted.ok && quoted.problem).not.toContain("swordfish");
  });
});

describe("providerMessage", () => {
  it("prefers the message field of a JSON body, including common nested shapes", () => {
    expect(providerMessage('{"message":"bad property"}', "application/json")).toBe("bad property");
    expect(providerMessage('{"error":{"message":"nested"}}', "application/json")).toBe("nested");
    expect(providerMessage('{"errors":[{"message":"first"}]}', "application/json")).toBe("first");
  });

  it("describes, never quotes, a body without a JSON error message", () => {
    expect(providerMessage("<html><title> Bad Gateway </title></html>", "text/html")).toBe(
      "a 41-byte text/html body (not shown)",
    );
    expect(providerMessage(`line one\nline two ${"z".repeat(400)}`, "text/plain")).toBe(
      "a 418-byte text/plain body (not shown)",
    );
    expect(providerMessage("<p>oops</p>", undefined)).toBe("a 11-byte untyped body (not shown)");
    expect(providerMessage('{"rows":[1]}', "application/json")).toBe(
      "a 12-byte application/json body without an error message",
    );
  });
});

describe("normalizeHeaders", () => {
  it("lower-cases names and joins repeated values", () => {
    expect(
      normalizeHeaders({ Link: ["<a>; rel=next", "<b>; rel=last"], "X-A": "1", gone: undefined }),
    ).toEqual({
      link: "<a>; rel=next, <b>; rel=last",
      "x-a": "1",
    });
  });
});
