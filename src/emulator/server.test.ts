/**
 * The kit's server with the generic error style: refusals from the guard, unknown routes, unreadable
 * bodies and handler errors all leave in the style's shape; counts and faults apply to API routes only.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { coreControls, coreState, createEmulatorCore, resetCore } from "./core.ts";
import { EmulatorError } from "./errors.ts";
import { buildEmulatorApp, listen } from "./server.ts";
import { call } from "./testing.ts";

const core = createEmulatorCore({
  seed: 1,
  tokens: ["t1"],
  rateLimit: {
    config: { perMinute: 1000 },
    policy: (c) => ({ windows: [{ name: "minute", limit: c.perMinute, windowMs: 60_000 }] }),
    schema: z.object({ perMinute: z.number().int().min(1) }).partial(),
  },
});
const controls = { ...coreControls(core), state: () => coreState(core), reset: () => resetCore(core) };
let server: Awaited<ReturnType<typeof listen>>;
const emulator = () => ({ url: server.url, tokens: ["t1"] });

beforeAll(async () => {
  const app = buildEmulatorApp(core, {
    controls,
    api: (api) => {
      api.get("/things/:id", async (request) => {
        const { id } = request.params as { id: string };
        if (id !== "1") throw new EmulatorError(404, "thing_not_found", `No thing ${id}.`, { id });
        return { id: 1, name: "one" };
      });
      api.post("/things", async () => ({ ok: true }));
    },
  });
  server = await listen(app);
});
afterAll(() => server.close());

describe("the kit's server", () => {
  it("refuses missing, unknown and expired credentials in the style's shape", async () => {
    expect((await call(emulator(), "GET", "/things/1", { token: null })).json).toEqual({
      error: { code: "unauthorized", message: "Credentials are missing." },
    });
    expect((await call(emulator(), "GET", "/things/1", { token: "nope" })).status).toBe(401);
    controls.expireToken("t1");
    expect((await call(emulator(), "GET", "/things/1")).json).toMatchObject({
      error: { code: "token_expired" },
    });
    controls.reset();
    expect((await call(emulator(), "GET", "/things/1")).json).toEqual({ id: 1, name: "one" });
  });

  it("renders handler errors with their details, unknown routes as 404 and unreadable bodies as 400", async () => {
    expect((await call(emulator(), "GET", "/things/2")).json).toEqual({
      error: { code: "thing_not_found", message: "No thing 2.", id: "2" },
    });
    const unknown = await call(emulator(), "GET", "/nowhere");
    expect(unknown).toMatchObject({ status: 404, json: { error: { code: "not_found" } } });
    const broken = await fetch(`${server.url}/things`, {
      method: "POST",
      headers: { authorization: "Bearer t1", "content-type": "application/json" },
      body: "{not json",
    });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ error: { code: "invalid_request" } });
  });

  it("counts API requests per route and cuts successful bodies in half under the malformed fault", async () => {
    controls.reset();
    await call(emulator(), "GET", "/things/1");
    await call(emulator(), "GET", "/things/2");
    expect(controls.state().requests).toEqual({ "GET /things/:id": 2 });
    controls.setFaults({ malformedRate: 1 });
    const cut = await call(emulator(), "GET", "/things/1");
    expect(cut.status).toBe(200);
    const whole = JSON.stringify({ id: 1, name: "one" });
    expect(cut.text).toBe(whole.slice(0, Math.floor(whole.length / 2)));
    // Errors are never cut: a client must be able to read them.
    expect((await call(emulator(), "GET", "/things/2")).json).toMatchObject({
      error: { code: "thing_not_found" },
    });
    controls.setFaults({ malformedRate: 0 });
  });
});
