/** Bodies are refused in the provider's shape, naming each problem by its path. */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseBody } from "./body.ts";
import { DEFAULT_ERROR_STYLE, EmulatorError } from "./errors.ts";

const schema = z.object({ name: z.string(), tags: z.array(z.string()) });

describe("parseBody", () => {
  it("returns the parsed body, or the provider's 400 listing every problem by path after the prefix", () => {
    expect(parseBody(DEFAULT_ERROR_STYLE, schema, { name: "a", tags: [] })).toEqual({ name: "a", tags: [] });
    let refused: unknown;
    try {
      parseBody(DEFAULT_ERROR_STYLE, schema, { tags: [1] }, "Invalid body: ");
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(EmulatorError);
    expect(refused).toMatchObject({ statusCode: 400, code: "invalid_request" });
    expect((refused as Error).message).toMatch(/^Invalid body: name: .+; tags\.0: .+$/);
    expect(() => parseBody(DEFAULT_ERROR_STYLE, schema, undefined)).toThrow(/^body: /);
  });
});
