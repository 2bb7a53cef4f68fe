import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { defineRoute } from "./route.ts";
import { apiRoutes } from "./routes/index.ts";
import { type Harness, startHarness } from "./test-harness.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const PROBLEM = "application/problem+json; charset=utf-8";

function expectProblem(
  response: { statusCode: number; headers: Record<string, unknown>; json(): unknown },
  status: number,
  code: string,
) {
  expect(response.statusCode).toBe(status);
  expect(response.headers["content-type"]).toBe(PROBLEM);
  const body = response.json() as Record<string, unknown>;
  expect(body).toMatchObject({ type: `urn:switchyard:problem:${code}`, status, code });
  expect(body.title).toEqual(expect.any(String));
  expect(body.detail).toEqual(expect.any(String));
  return body;
}

describe("input discipline", () => {
  it("400 with field-level errors for bad bodies, queries and params together", async () => {
    h = await startHarness();
    const response = await h.app.inject({
      method: "PATCH",
      url: "/v1/connections/x?unexpected=1",
      headers: { authorization: `Bearer ${h.keys.dev}` },
      payload: { status: "deleted", tags: "not-a-list" },
    });
    const body = expectProblem(response, 400, "request_invalid");
    expect(body.errors).toEqual(
      expect.arrayContaining([
        { location: "body", path: "status", message: expect.any(String) },
        { location: "body", path: "tags", message: expect.any(String) },
      ]),
    );
    const query = await h.app.inject({
      url: "/v1/runs?limit=0&status=done&bogus=1",
      headers: { authorization: `Bearer ${h.keys.dev}` },
    });
    expect(
      (expectProblem(query, 400, "request_invalid").errors as { path: string }[]).map((e) => e.path).sort(),
    ).toEqual(["bogus", "limit", "status"]);
  });

  it("400 for malformed JSON and for an empty JSON body; 415 for other media types", async () => {
    h = await startHarness();
    const headers = { authorization: `Bearer ${h.keys.dev}`, "content-type": "application/json" };
    expectProblem(
      await h.app.inject({ method: "POST", url: "/v1/api-keys", headers, payload: '{"name": ' }),
      400,
      "body_malformed",
    );
    expectProblem(
      await h.app.inject({ method: "POST", url: "/v1/api-keys", headers, payload: "" }),
      400,
      "body_malformed",
    );
    expectProblem(
      await h.app.inject({
        method: "POST",
        url: "/v1/api-keys",
        headers: { ...headers, "content-type": "text/plain" },
        payload: "name=x",
      }),
      415,
      "unsupported_media_type",
    );
  });

  it("413 for bodies over the limit", async () => {
    h = await startHarness({ bodyLimit: 1_024 });
    const response = await h.app.inject({
      method: "POST",
      url: "/v1/api-keys",
      headers: { authorization: `Bearer ${h.keys.dev}`, "content-type": "application/json" },
      payload: JSON.stringify({ name: "x".repeat(2_000) }),
    });
    expectProblem(response, 413, "payload_too_large");
  });

  it("404 for unknown paths and 405 with Allow for known paths with another method", async () => {
    h = await startHarness();
    expectProblem(await h.app.inject({ url: "/v1/nothing-here" }), 404, "not_found");
    expectProblem(await h.app.inject({ url: "/nothing" }), 404, "not_found");
    const wrong = await h.app.inject({ method: "PUT", url: "/v1/connections/conn_1" });
    expectProblem(wrong, 405, "method_not_allowed");
    expect(wrong.headers.allow).toBe("DELETE, GET, HEAD, PATCH");
    const health = await h.app.inject({ method: "POST", url: "/health" });
    expectProblem(health, 405, "method_not_allowed");
    expect(health.headers.allow).toBe("GET, HEAD");
  });

  it("401 without a key, with a malformed header, an unknown key or a revoked key", async () => {
    h = await startHarness();
    const anonymous = await h.app.inject({ url: "/v1/connections" });
    expectProblem(anonymous, 401, "unauthenticated");
    expect(anonymous.headers["www-authenticate"]).toMatch(/^Bearer/);
    expectProblem(
      await h.app.inject({ url: "/v1/connections", headers: { authorization: `Basic ${h.keys.dev}` } }),
      401,
      "unauthenticated",
    );
    expectProblem(
      await h.app.inject({ url: "/v1/connections", headers: { authorization: "Bearer sy_dev_guessed" } }),
      401,
      "unauthenticated",
    );
    const created = await h.dev.post("/v1/api-keys", { body: { name: "short-lived" } });
    h.secret(created.secret);
    const revoker = h.client(created.secret);
    expect((await revoker.get("/v1/connections")).data).toEqual([]);
    await h.dev.delete("/v1/api-keys/:id", { params: { id: created.id } });
    const revoked = await revoker.request("GET", "/v1/connections");
    expect(revoked.ok ? 0 : [revoked.status, revoked.problem.code]).toEqual([401, "unauthenticated"]);
    // The detail never echoes the presented key.
    expect(JSON.stringify(revoked)).not.toContain(created.secret);
    expect(await h.leakedSecrets()).toEqual([]);
  });

  it("429 with Retry-After once a key spends its budget; other keys and public routes are unaffected", async () => {
    h = await startHarness({ rateLimit: { max: 3, windowMs: 60_000 } });
    const headers = { authorization: `Bearer ${h.keys.dev}` };
    for (let i = 0; i < 3; i++)
      expect((await h.app.inject({ url: "/v1/events", headers })).statusCode).toBe(200);
    const limited = await h.app.inject({ url: "/v1/connections", headers });
    const body = expectProblem(limited, 429, "rate_limited");
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    expect(body.hint).toMatch(/Retry-After/);
    expect(
      (await h.app.inject({ url: "/v1/events", headers: { authorization: `Bearer ${h.keys.prod}` } }))
        .statusCode,
    ).toBe(200);
    expect((await h.app.inject({ url: "/health" })).statusCode).toBe(200);
  });

  it("a handler that throws or replies off-contract gives a 500 problem that reveals nothing, and the server keeps serving", async () => {
    const throwing = defineRoute({
      method: "GET",
      url: "/v1/boom",
      name: "boom",
      summary: "throws",
      tags: ["Test"],
      auth: "public",
      response: { 200: z.object({ ok: z.boolean() }) },
      errors: [],
    }).handle(async () => {
      throw new Error("database password is hunter2");
    });
    const offContract = defineRoute({
      method: "GET",
      url: "/v1/off",
      name: "off",
      summary: "bad reply",
      tags: ["Test"],
      auth: "public",
      response: { 200: z.object({ ok: z.boolean() }) },
      errors: [],
    }).handle(async () => ({ status: 200, body: { ok: "yes" as unknown as boolean } }));
    h = await startHarness({ routes: [...apiRoutes, throwing, offContract] });
    const boom = await h.app.inject({ url: "/v1/boom" });
    const body = expectProblem(boom, 500, "internal");
    expect(JSON.stringify(body)).not.toContain("hunter2");
    expectProblem(await h.app.inject({ url: "/v1/off" }), 500, "internal");
    expect(h.logs.join("\n")).toContain("does not match its contract");
    expect((await h.app.inject({ url: "/health" })).statusCode).toBe(200);
  });

  it("strips fields a handler returns that its contract does not name", async () => {
    const leaky = defineRoute({
      method: "GET",
      url: "/v1/leaky",
      name: "leaky",
      summary: "returns too much",
      tags: ["Test"],
      auth: "public",
      response: { 200: z.object({ id: z.string() }) },
      errors: [],
    }).handle(async () => {
      const row = { id: "conn_1", credentials: "v1.sealed" };
      return { status: 200, body: row };
    });
    h = await startHarness({ routes: [leaky] });
    expect((await h.app.inject({ url: "/v1/leaky" })).json()).toEqual({ id: "conn_1" });
  });
});
