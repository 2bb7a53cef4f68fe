/**
 * Each fault knob does what it says, only on API routes, and a seeded fault sequence replays exactly.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { call } from "../../../emulator/testing.ts";
import { type HubSpotEmulator, startHubSpotEmulator } from "./index.ts";

const LIST = "/crm/v3/objects/contacts?limit=5";
let emulator: HubSpotEmulator;

beforeAll(async () => {
  emulator = await startHubSpotEmulator({
    seed: 21,
    counts: { contacts: 30, companies: 3, deals: 3 },
    rateLimit: { maxPerInterval: 1_000_000, searchPerSecond: 1_000_000 },
  });
});
afterAll(() => emulator.close());
afterEach(() => {
  emulator.setFaults({ rate429: 0, rate5xx: 0, latencyMs: 0, dropRate: 0, malformedRate: 0, htmlRate: 0 });
  emulator.reset();
});

describe("fault knobs", () => {
  it("adds latency", async () => {
    emulator.setFaults({ latencyMs: 120 });
    const started = performance.now();
    const response = await call(emulator, "GET", LIST);
    expect(response.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(115);
  });

  it("drops connections without a response", async () => {
    emulator.setFaults({ dropRate: 1 });
    await expect(call(emulator, "GET", LIST)).rejects.toThrow();
    // Control routes are never faulted.
    expect((await call(emulator, "GET", "/_emulator/state", { token: null })).status).toBe(200);
  });

  it("answers 429 with the rate-limit body", async () => {
    emulator.setFaults({ rate429: 1 });
    const response = await call(emulator, "GET", LIST);
    expect(response.status).toBe(429);
    expect(response.json).toMatchObject({ errorType: "RATE_LIMIT", policyName: "TEN_SECONDLY_ROLLING" });
  });

  it("answers 500 (JSON), 502 or 503 (HTML)", async () => {
    emulator.setFaults({ rate5xx: 1 });
    const statuses = new Set<number>();
    for (let i = 0; i < 30; i++) {
      const response = await call(emulator, "GET", LIST);
      statuses.add(response.status);
      if (response.status === 500) expect(response.json).toMatchObject({ status: "error" });
      else expect(response.headers.get("content-type")).toContain("text/html");
    }
    expect([...statuses].sort()).toEqual([500, 502, 503]);
  });

  it("truncates successful JSON bodies", async () => {
    emulator.setFaults({ malformedRate: 1 });
    const response = await call(emulator, "GET", LIST);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(response.text.length).toBeGreaterThan(10);
    expect(() => JSON.parse(response.text)).toThrow();
  });

  it("sends an HTML error page with status 200", async () => {
    emulator.setFaults({ htmlRate: 1 });
    const response = await call(emulator, "GET", LIST);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/html");
    expect(response.text).toContain("<html>");
  });

  it("expires tokens after a number of requests, or on demand", async () => {
    emulator.setFaults({ tokenExpiresAfter: 2 });
    expect((await call(emulator, "GET", LIST)).status).toBe(200);
    expect((await call(emulator, "GET", LIST)).status).toBe(200);
    const expired = await call(emulator, "GET", LIST);
    expect(expired.status).toBe(401);
    expect(expired.json).toMatchObject({ category: "EXPIRED_AUTHENTICATION" });
    emulator.setFaults({ tokenExpiresAfter: undefined });
    emulator.reset();
    expect((await call(emulator, "GET", LIST)).status).toBe(200);
    await call(emulator, "POST", "/_emulator/expire-token", {
      token: null,
      body: { token: emulator.tokens[0] },
    });
    expect((await call(emulator, "GET", LIST)).status).toBe(401);
  });

  it("replays the same fault sequence for the same seed", async () => {
    const sequence = async () => {
      const statuses: string[] = [];
      for (let i = 0; i < 40; i++) {
        const response = await call(emulator, "GET", LIST).then(
          (r) => `${r.status}:${r.headers.get("content-type")?.split(";")[0]}:${r.text.length}`,
          () => "dropped",
        );
        statuses.push(response);
      }
      return statuses;
    };
    await call(emulator, "POST", "/_emulator/faults", {
      token: null,
      body: {
        seed: 5,
        rate429: 0.15,
        rate5xx: 0.15,
        dropRate: 0.1,
        malformedRate: 0.1,
        htmlRate: 0.1,
        restart: true,
      },
    });
    const first = await sequence();
    emulator.setFaults({ restart: true });
    const second = await sequence();
    expect(second).toEqual(first);
    expect(new Set(first.map((entry) => entry.split(":")[0])).size).toBeGreaterThanOrEqual(4);
    emulator.setFaults({ seed: 6, restart: true });
    expect(await sequence()).not.toEqual(first);
  });
});
