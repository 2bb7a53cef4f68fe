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
  });
});

describe("providerMessage", () => {
  it("prefers the message field of a JSON body, including common nested shapes", () => {
    expect(providerMessage('{"message":"bad property"}', "application/json")).toBe("bad property");
    expect(providerMessage('{"error":{"message":"nested"}}', "application/json")).toBe("nested");
    expect(providerMessage('{"errors":[{"message":"first"}]}', "application/json")).toBe("first");
  });

  it("falls back to an HTML title or a short single-line excerpt", () => {
    expect(providerMessage("<html><title> Bad Gateway </title></html>", "text/html")).toBe(
      'HTML page "Bad Gateway"',
    );
    expect(providerMessage(`line one\nline two ${"z".repeat(400)}`, "text/plain")).toMatch(
      /^line one line two z+…$/,
    );
    expect(providerMessage(`line ${"z".repeat(400)}`, undefined).length).toBe(201);
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
