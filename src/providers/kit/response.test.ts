import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  ConfigError,
  type HttpResponse,
  ProviderResponseError,
  RecordInvalidError,
} from "../../core/index.ts";
import { parseRecord, parseResponse } from "./response.ts";
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

describe("parseRecord", () => {
  const person = z.object({ id: z.string(), name: z.string() });

  it("returns the parsed record", () => {
    expect(parseRecord(person, "persons", { id: "7", name: "Ada" }, 0)).toEqual({ id: "7", name: "Ada" });
  });

  it("names a record without an id by its index on the page", () => {
    const bad = () => parseRecord(person, "persons", { name: "Ada" }, 3);
    expect(bad).toThrow(RecordInvalidError);
    expect(bad).toThrow(/result #3 of the page has no id/);
  });

  it("names any other wrong record by its id and says what is wrong", () => {
    const error = (() => {
      try {
        parseRecord(person, "persons", { id: 7, name: 1 }, 0);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(RecordInvalidError);
    expect((error as Error).message).toMatch(/record 7 does not have the expected shape \(.*id.*\)/);
    expect((error as RecordInvalidError).details).toMatchObject({ id: "7", index: 0 });
  });
});
