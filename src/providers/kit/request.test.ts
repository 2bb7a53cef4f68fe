import { describe, expect, it } from "vitest";
import { buildRequest, requestSpecSchema } from "./request.ts";

const parse = (spec: unknown) => requestSpecSchema.parse(spec);

describe("buildRequest", () => {
  it("adds parameters to the query, after the fixed ones", () => {
    const request = buildRequest(parse({ path: "/v1/deals", query: { limit: 50 } }), { since: "2025-01-01" });
    expect(request).toEqual({ method: "GET", path: "/v1/deals", query: { limit: 50, since: "2025-01-01" } });
  });

  it("adds parameters to a POST body, after the fixed ones", () => {
    const spec = parse({ path: "/search", method: "POST", body: { filter: { stage: "won" } } });
    expect(buildRequest(spec, { after: 3 }, "body").body).toEqual({ filter: { stage: "won" }, after: 3 });
  });

  it("gives a GET no body when there is nothing to put in it", () => {
    expect(buildRequest(parse({ path: "/v1/deals" }), {}, "body")).not.toHaveProperty("body");
  });
});
