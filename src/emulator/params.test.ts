/** Query parameters read the way providers take them. */
import { describe, expect, it } from "vitest";
import { booleanParam, listParam, ParamError, singleParam } from "./params.ts";

describe("query parameters", () => {
  it("takes the last of a repeated parameter and flattens repeated or comma-separated lists", () => {
    expect(singleParam(["1", "2"])).toBe("2");
    expect(singleParam(undefined)).toBeUndefined();
    expect(listParam(["a,b", " c ", ""])).toEqual(["a", "b", "c"]);
    expect(listParam(undefined)).toEqual([]);
  });

  it("reads booleans, refusing anything but true or false by name", () => {
    expect(booleanParam(undefined, "archived")).toBe(false);
    expect(booleanParam("", "archived", true)).toBe(true);
    expect(booleanParam(["false", "true"], "archived")).toBe(true);
    expect(() => booleanParam("yes", "archived")).toThrow(ParamError);
    expect(() => booleanParam("yes", "archived")).toThrow('archived must be true or false, but was "yes".');
  });
});
