/**
 * Guessing at speed: wrong API keys and forged Connect tokens are throttled per client address, a Connect
 * session is throttled on its own, and a session that saw 5 rejected credentials is locked — so a Connect
 * link is no credential-guessing proxy to the provider.
 */
import { describe, expect, it } from "vitest";
import { GOOD_TOKEN, harnessPerTest, startHarness } from "../test-harness.ts";

const h = harnessPerTest();

async function call(
  method: "GET" | "POST",
  url: string,
  options: { token?: string | undefined; body?: unknown; from?: string } = {},
) {
  const response = await h.app.inject({
    method,
    url,
    remoteAddress: options.from ?? "192.0.2.10",
    headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
    ...(options.body !== undefined ? { payload: options.body as object } : {}),
  });
  return {
    status: response.statusCode,
    retryAfter: response.headers["retry-after"],
    type: String(response.headers["content-type"]),
    body: response.json() as { code?: string; detail?: string; hint?: string; status?: string },
  };
}

async function openSession() {
  const session = await h.dev.post("/v1/connect-sessions", { body: { end_user: { id: "customer-9" } } });
  h.secret(session.token);
  return session;
}

describe("failed API-key authentication", () => {
  it("is throttled per client address: 429 with Retry-After, for right and wrong keys alike", async () => {
    for (let i = 0; i < 20; i++) {
      expect((await call("GET", "/v1/connections", { token: `sy_dev_wrong${i}` })).status).toBe(401);
    }
    const throttled = await call("GET", "/v1/connections", { token: "sy_dev_wrong" });
    expect(throttled.status).toBe(429);
    expect(throttled.type).toContain("application/problem+json");
    expect(throttled.body.code).toBe("rate_limited");
    expect(Number(throttled.retryAfter)).toBeGreaterThan(0);
    // Even the right key is refused from that address until the window ends: nothing can be confirmed.
    expect((await call("GET", "/v1/connections", { token: h.keys.dev })).status).toBe(429);
    // Other addresses are not affected.
    expect((await call("GET", "/v1/connections", { token: h.keys.dev, from: "192.0.2.11" })).status).toBe(
      200,
    );
  });
});

describe("behind a reverse proxy", () => {
  it("counts failures by the forwarded client address when told to trust the proxy", async () => {
    const proxied = await startHarness({ trustProxy: "127.0.0.1" });
    try {
      const attempt = (client: string, key: string) =>
        proxied.app.inject({
          method: "GET",
          url: "/v1/connections",
          remoteAddress: "127.0.0.1",
          headers: { authorization: `Bearer ${key}`, "x-forwarded-for": client },
        });
      for (let i = 0; i < 21; i++) await attempt("198.51.100.7", "sy_dev_wrong");
      expect((await attempt("198.51.100.7", "sy_dev_wrong")).statusCode).toBe(429);
      expect((await attempt("198.51.100.8", proxied.keys.dev)).statusCode).toBe(200);
    } finally {
      await proxied.close();
    }
  });
});

describe("the Connect page API", () => {
  it("throttles forged session tokens per client address", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) {
      statuses.push((await call("GET", "/connect/api/session", { token: `cst_forged${i}` })).status);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual(Array(5).fill(429));
    const session = await openSession();
    const blocked = await call("GET", "/connect/api/session", { token: session.token });
    expect([blocked.status, blocked.body.code]).toEqual([429, "rate_limited"]);
    expect(Number(blocked.retryAfter)).toBeGreaterThan(0);
    expect(
      (await call("GET", "/connect/api/session", { token: session.token, from: "192.0.2.12" })).status,
    ).toBe(200);
  });

  it("throttles OAuth callbacks with unknown states per client address, answering a page", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const reply = await h.app.inject({
        method: "GET",
        url: `/connect/oauth/callback?state=guess${i}&code=c`,
        remoteAddress: "192.0.2.60",
      });
      statuses.push(reply.statusCode);
      if (reply.statusCode === 429) {
        expect(reply.headers["content-type"]).toContain("text/html");
        expect(reply.body).toContain("Too many attempts");
        expect(Number(reply.headers["retry-after"])).toBeGreaterThan(0);
      }
    }
    expect(statuses).toEqual([...Array(10).fill(400), 429, 429]);
  });

  it("throttles one session's requests, from any address", async () => {
    const session = await openSession();
    for (let i = 0; i < 30; i++) {
      const from = `192.0.2.${100 + i}`;
      expect((await call("GET", "/connect/api/session", { token: session.token, from })).status).toBe(200);
    }
    const over = await call("GET", "/connect/api/session", { token: session.token, from: "192.0.2.200" });
    expect([over.status, over.body.code]).toEqual([429, "rate_limited"]);
  });

  it("locks a session after 5 rejected credentials: the provider sees no more guesses", async () => {
    const session = await openSession();
    const before = h.provider.requests.length;
    const answers: { status: number; code?: string | undefined }[] = [];
    for (let i = 0; i < 7; i++) {
      const reply = await call("POST", "/connect/api/credentials", {
        token: session.token,
        body: { provider: "loopback", fields: { token: `tok-guess-${i}` } },
      });
      answers.push({ status: reply.status, code: reply.body.code });
    }
    expect(answers.slice(0, 4)).toEqual(Array(4).fill({ status: 422, code: "credentials_rejected" }));
    expect(answers.slice(4)).toEqual(Array(3).fill({ status: 410, code: "connect_session_locked" }));
    expect(h.provider.requests.length - before).toBe(5);

    // Locked for good, even with the right token, and the API says so.
    const right = await call("POST", "/connect/api/credentials", {
      token: session.token,
      body: { provider: "loopback", fields: { token: GOOD_TOKEN } },
    });
    expect(right.status).toBe(410);
    expect(right.body.detail).toContain("locked");
    expect(right.body.hint).toContain("new Connect link");
    expect(h.provider.requests.length - before).toBe(5);
    const view = await h.dev.get("/v1/connect-sessions/:id", { params: { id: session.id } });
    expect(view.status).toBe("locked");
  });
});
