/** Every error under /api answers as Merge's do: a JSON `{detail}` naming what was wrong and what to do. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../test-harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ rateLimit: false });
});
afterAll(async () => {
  await h.close();
});

async function call(method: "GET" | "POST", url: string, headers: Record<string, string> = {}) {
  const response = await h.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${h.keys.dev}`, ...headers },
  });
  return {
    status: response.statusCode,
    type: response.headers["content-type"],
    body: response.json(),
    allow: response.headers.allow,
  };
}

describe("errors of the unified CRM API", () => {
  it("answers an unknown endpoint 404 {detail}", async () => {
    const answer = await call("GET", "/api/crm/v1/leads");
    expect(answer).toMatchObject({
      status: 404,
      body: { detail: expect.stringContaining("/api/crm/v1/leads") },
    });
    expect(answer.type).toMatch(/^application\/json/);
    expect(Object.keys(answer.body)).toEqual(["detail"]);
  });

  it("answers a method the endpoint does not take 405 {detail} with Allow", async () => {
    // Users are read-only (contacts, accounts and opportunities take POST).
    const answer = await call("POST", "/api/crm/v1/users");
    expect(answer).toMatchObject({ status: 405, allow: "GET, HEAD" });
    expect(answer.body).toEqual({ detail: expect.stringContaining("POST is not allowed") });
  });

  it("answers a bad query 400 {detail} naming the parameter, before looking at the account token", async () => {
    const answer = await call("GET", "/api/crm/v1/linked-accounts?page_size=0");
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ detail: expect.stringContaining("page_size") });
  });

  it("answers a missing API key 401 {detail}", async () => {
    const response = await h.app.inject({ url: "/api/crm/v1/contacts" });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({ detail: expect.stringContaining("API key") });
  });
});
