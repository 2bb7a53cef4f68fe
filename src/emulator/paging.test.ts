/** The paging helpers: each style's page, its "more" signal, and refusals of bad parameters. */
import { describe, expect, it } from "vitest";
import {
  afterIdParam,
  decodeCursor,
  encodeCursor,
  limitParam,
  linkHeader,
  numberedPage,
  offsetPage,
  offsetParam,
  pageLink,
  requestPageLink,
  takePage,
} from "./paging.ts";
import { ParamError } from "./params.ts";

const letters = [..."abcdefg"];

describe("paging helpers", () => {
  it("reads limits and offsets, refusing values out of range with the parameter's name", () => {
    expect(limitParam(undefined, { fallback: 10, max: 100 })).toBe(10);
    expect(limitParam("100", { fallback: 10, max: 100 })).toBe(100);
    expect(() => limitParam("101", { fallback: 10, max: 100 })).toThrow(ParamError);
    expect(() => limitParam("2.5", { fallback: 10, max: 100, name: "per_page" })).toThrow(
      "per_page must be an integer between 1 and 100, but was 2.5.",
    );
    expect(offsetParam("3")).toBe(3);
    expect(() => offsetParam("-1")).toThrow("start must be a non-negative integer");
  });

  it("takes a cursor page and the item after it, reading no further", () => {
    let read = 0;
    function* counted() {
      for (const letter of letters) {
        read++;
        yield letter;
      }
    }
    expect(takePage(counted(), 3)).toEqual({ items: ["a", "b", "c"], next: "d" });
    expect(read).toBe(4);
    expect(takePage(letters.slice(5), 3)).toEqual({ items: ["f", "g"], next: undefined });
  });

  it("round-trips opaque cursors and refuses foreign ones", () => {
    const cursor = encodeCursor({ id: 42, ts: 1_700_000_000_000 });
    expect(decodeCursor(cursor)).toEqual({ id: 42, ts: 1_700_000_000_000 });
    expect(() => decodeCursor("not-a-cursor", "after")).toThrow(
      'after must be a cursor returned by a previous page, but was "not-a-cursor".',
    );
  });

  it("pages by offset and by page number", () => {
    expect(offsetPage(letters, 0, 3)).toEqual({
      items: ["a", "b", "c"],
      start: 0,
      limit: 3,
      moreItems: true,
      nextStart: 3,
    });
    expect(offsetPage(letters, 6, 3)).toMatchObject({ items: ["g"], moreItems: false, nextStart: undefined });
    expect(numberedPage(letters, 3, 3)).toEqual({
      items: ["g"],
      page: 3,
      perPage: 3,
      totalItems: 7,
      totalPages: 3,
    });
    expect(numberedPage(letters, 4, 3).items).toEqual([]);
  });

  it("builds next links and Link headers", () => {
    const next = pageLink("http://127.0.0.1:9", "/v1/persons?limit=2&start=0&sort=id", {
      start: 2,
      sort: undefined,
    });
    expect(next).toBe("http://127.0.0.1:9/v1/persons?limit=2&start=2");
    expect(linkHeader({ next, prev: undefined })).toBe(`<${next}>; rel="next"`);
  });

  it("reads an id keyset cursor, refusing one that is not an id", () => {
    expect(afterIdParam(undefined)).toBeUndefined();
    expect(afterIdParam("")).toBeUndefined();
    expect(afterIdParam("9000000101")).toBe(9_000_000_101);
    for (const bad of ["abc", "0", "-3", "1.5"]) {
      expect(() => afterIdParam(bad)).toThrow(ParamError);
    }
    expect(() => afterIdParam("abc")).toThrow(
      'after must be a paging cursor returned by a previous page, but was "abc".',
    );
  });

  it("links another page of the request being answered, on the host it was sent to", () => {
    const request = { headers: { host: "127.0.0.1:4010" }, url: "/crm/v3/owners?limit=2" };
    expect(requestPageLink(request, { after: "41000003" })).toBe(
      "http://127.0.0.1:4010/crm/v3/owners?limit=2&after=41000003",
    );
  });
});
