import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, type HttpResponse, ProviderResponseError } from "../../core/index.ts";
import { parseResponse } from "./response.ts";
import { parseSavedState } from "./state.ts";

const page = z.object({ results: z.array(z.object({ id: z.string() })), total: z.number() });
const response = (body: unknown): HttpResponse => ({
  status: 200,
  headers: {},
  body,
  bytes: 0,
  url: "https://api.acme.example/v1/search",
});

describe("parseResponse", () => {
  it("returns the parsed body", () => {
    expect(parseResponse(page, response({ results: [{ id: "1" }], total: 1 }), "A search page")).toEqual({
      results: [{ id: "1" }],
      total: 1,
    });
  });

  it("refuses a body of the wrong shape, naming the request, the provider and the problems", () => {
    const bad = () => parseResponse(page, response({ results: {} }), "A search page", "acme");
    expect(bad).toThrow(ProviderResponseError);
    expect(bad).toThrow(
      /^acme sent a response we cannot use: A search page did not have the expected shape \(results: /,
    );
    expect(() => parseResponse(page, response([]), "A search page")).toThrow(/^api\.acme\.example sent/);
  });
});

describe("parseSavedState", () => {
  const schema = z.strictObject({ since: z.string(), after: z.string().optional() });

  it("reads a checkpoint of the stream's own schema, and none as none", () => {
    expect(parseSavedState(schema, "acme.notes", { since: "2025-01-01" })).toEqual({ since: "2025-01-01" });
    expect(parseSavedState(schema, "acme.notes", undefined)).toBeUndefined();
  });

  it("refuses another's checkpoint with a ConfigError naming the stream and the way out", () => {
    const error = (() => {
      try {
        parseSavedState(schema, "acme.notes", { cursor: 5 });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(
      /^The saved state of stream acme\.notes is not a checkpoint this stream wrote \(/,
    );
    expect((error as ConfigError).hint).toContain("full refresh");
  });
});
