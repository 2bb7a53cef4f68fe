import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { GOOD_TOKEN, type Harness, startHarness } from "../server/test-harness.ts";
import { ApiError, createClient, type SwitchyardClient } from "./index.ts";

let h: Harness;
let client: SwitchyardClient;
let baseUrl: string;

beforeAll(async () => {
  h = await startHarness();
  // Over a real loopback socket with the global fetch, as the CLI and products use it.
  await h.app.listen({ host: "127.0.0.1", port: 0 });
  const { port } = h.app.server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;
  client = createClient({ baseUrl, apiKey: h.keys.dev });
});
afterAll(async () => {
  await h.close();
});

describe("typed client", () => {
  it("calls routes over HTTP with typed inputs and outputs", async () => {
    const created = await client.post("/v1/connections", {
      body: {
        provider: "loopback",
        credentials: { type: "bearer", token: GOOD_TOKEN },
        end_user: { id: "c-1", email: "a@example.com" },
        tags: ["x"],
      },
    });
    expectTypeOf(created.end_user.email).toEqualTypeOf<string | null>();
    expectTypeOf(created.status).toEqualTypeOf<"active" | "needs_reauth" | "paused" | "error">();
    const fetched = await client.get("/v1/connections/:id", { params: { id: created.id } });
    expect(fetched.id).toBe(created.id);
    const page = await client.get("/v1/connections", { query: { tags: ["x"], limit: 10 } });
    expectTypeOf(page.next_cursor).toEqualTypeOf<string | null>();
    expect(page.data.map((c) => c.id)).toEqual([created.id]);
    const health = await createClient({ baseUrl }).get("/health");
    expect(health.status).toBe("ok");
  });

  it("throws ApiError with the problem for error replies; request() returns it instead", async () => {
    const error = await client.get("/v1/runs/:id", { params: { id: "run_nope" } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(404);
    expect((error as ApiError).problem.code).toBe("not_found");
    const result = await client.request("GET", "/v1/runs/:id", { params: { id: "run_nope" } });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expectTypeOf(result.problem.code).toEqualTypeOf<
        | "not_found"
        | "request_invalid"
        | "body_malformed"
        | "payload_too_large"
        | "unsupported_media_type"
        | "unauthenticated"
        | "rate_limited"
        | "internal"
      >();
      expect(result.problem.code).toBe("not_found");
    }
    const anonymous = await createClient({ baseUrl }).request("GET", "/v1/runs");
    expect(anonymous.ok ? 0 : anonymous.status).toBe(401);
  });

  it("rejects wrong paths and inputs at compile time", () => {
    // These lines are type checks only; tsc fails if any of them stops being an error.
    const typeChecks = () => {
      // @ts-expect-error no such route
      void client.get("/v1/nope");
      // @ts-expect-error GET /v1/connections/:id needs params
      void client.get("/v1/connections/:id");
      // @ts-expect-error status is not a valid filter value
      void client.get("/v1/connections", { query: { status: "gone" } });
      const noEndUser = { provider: "x", credentials: { type: "bearer" as const, token: "t" } };
      // @ts-expect-error the body needs end_user
      void client.post("/v1/connections", { body: noEndUser });
      const wrongCredentials = {
        ...noEndUser,
        end_user: { id: "u" },
        credentials: { type: "bearer" as const },
      };
      // @ts-expect-error bearer credentials need a token
      void client.post("/v1/connections", { body: wrongCredentials });
      // @ts-expect-error PUT is not a method of /v1/connections
      void client.put("/v1/connections");
    };
    expect(typeof typeChecks).toBe("function");
  });
});
