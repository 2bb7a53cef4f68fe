import { afterEach, describe, expect, it } from "vitest";
import type { HttpEvent } from "../core/index.ts";
import {
  ConfigError,
  CredentialsRejectedError,
  ProviderRequestError,
  ProviderResponseError,
  ProviderUnavailableError,
} from "../core/index.ts";
import { type ClosableHttpClient, createHttpClient, type HttpClientOptions } from "./client.ts";
import { InMemoryRateLimitBudget } from "./rate-limit-budget.ts";
import { sendJson, startTestServer, type TestHandler, type TestServer } from "./test-server.ts";

const TOKEN = "tok_SECRET_123";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(handler: TestHandler): Promise<TestServer> {
  const s = await startTestServer(handler);
  cleanups.push(() => s.close());
  return s;
}

function client(
  baseUrl: string,
  overrides: Partial<HttpClientOptions> = {},
): { http: ClosableHttpClient; events: HttpEvent[] } {
  const events: HttpEvent[] = [];
  const http = createHttpClient({
    provider: "acme",
    baseUrl,
    auth: { type: "bearer" },
    credentials: { type: "bearer", token: TOKEN },
    onEvent: (event) => events.push(event),
    retryDelay: { baseMs: 1, maxMs: 5 },
    maxAttempts: 3,
    // The test server is on loopback.
    allowPrivateAddresses: true,
    ...overrides,
  });
  cleanups.push(() => http.close());
  return { http, events };
}

const ok: TestHandler = (_req, res) => sendJson(res, 200, { ok: true });

describe("requests", () => {
  it("injects bearer auth, encodes the query, parses JSON and keeps connections alive", async () => {
    const s = await server((_req, res) => sendJson(res, 200, { hello: "world" }, { "X-Custom": "Yes" }));
    const { http, events } = client(`${s.url}/v3/`);
    const response = await http.request<{ hello: string }>({
      path: "/items",
      query: { properties: ["a", "b c"], limit: 10, archived: false, skip: undefined },
    });
    await http.request({ path: "items" });
    for (let i = 0; i < 5; i++) await http.request({ path: "/again" });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ hello: "world" });
    expect(response.headers["x-custom"]).toBe("Yes");
    expect(response.bytes).toBe(JSON.stringify({ hello: "world" }).length);
    expect(s.requests[0]!.url).toBe("/v3/items?properties=a&properties=b%20c&limit=10&archived=false");
    expect(s.requests[1]!.url).toBe("/v3/items");
    expect(s.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    // Keep-alive: seven sequential requests, not seven connections (undici may open a second one while the
    // first is being released).
    expect(s.connections).toBeLessThanOrEqual(2);
    expect(events.slice(0, 2)).toEqual([
      expect.objectContaining({
        type: "request",
        method: "GET",
        status: 200,
        attempt: 1,
        bytes: response.bytes,
      }),
      expect.objectContaining({ type: "request", url: `${s.url}/v3/items`, status: 200 }),
    ]);
  });

  it("sends JSON bodies and resolves an empty body as undefined", async () => {
    const s = await server((_req, res) => {
      res.writeHead(204);
      res.end();
    });
    const { http } = client(s.url);
    const response = await http.request({
      method: "POST",
      path: "/things",
      body: { name: "x" },
      headers: { "X-Trace": "t1", Accept: "application/vnd.acme+json" },
    });
    expect(response.status).toBe(204);
    expect(response.body).toBeUndefined();
    expect(s.requests[0]!.method).toBe("POST");
    expect(s.requests[0]!.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(s.requests[0]!.body)).toEqual({ name: "x" });
    expect(s.requests[0]!.headers["x-trace"]).toBe("t1");
    // The caller's header replaces the default rather than being sent twice.
    expect(s.requests[0]!.headers.accept).toBe("application/vnd.acme+json");
  });

  it("puts an api key in the named header", async () => {
    const s = await server(ok);
    const { http } = client(s.url, {
      auth: { type: "api_key", in: "header", name: "X-Api-Key" },
      credentials: { type: "api_key", key: "k-123" },
    });
    await http.request({ path: "/a" });
    expect(s.requests[0]!.headers["x-api-key"]).toBe("k-123");
    expect(s.requests[0]!.headers.authorization).toBeUndefined();
  });

  it("sends basic auth", async () => {
    const s = await server(ok);
    const { http } = client(s.url, {
      auth: { type: "basic" },
      credentials: { type: "basic", username: "user", password: "pa:ss" },
    });
    await http.request({ path: "/a" });
    expect(s.requests[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from("user:pa:ss").toString("base64")}`,
    );
  });

  it("adds an api key query param on its own origin only, and redacts it from URLs and events", async () => {
    const other = await server(ok);
    const s = await server(ok);
    const { http, events } = client(s.url, {
      auth: { type: "api_key", in: "query", name: "api_key" },
      credentials: { type: "api_key", key: "key/with+chars" },
    });
    const first = await http.request({ path: "/a", query: { q: "1" } });
    // An absolute next link on the same origin that echoes some key: ours replaces it.
    await http.request({ path: `${s.url}/b?page=2&api_key=stale` });
    await http.request({ path: `${other.url}/c?page=3` });

    expect(s.requests[0]!.url).toBe("/a?q=1&api_key=key%2Fwith%2Bchars");
    expect(s.requests[1]!.url).toBe("/b?page=2&api_key=key%2Fwith%2Bchars");
    expect(other.requests[0]!.url).toBe("/c?page=3");
    expect(other.requests[0]!.headers.authorization).toBeUndefined();
    expect(first.url).toBe(`${s.url}/a?q=1&api_key=[REDACTED]`);
    const logged = JSON.stringify(events);
    expect(logged).not.toContain("key%2Fwith%2Bchars");
    expect(logged).not.toContain("key/with+chars");
    expect(logged).toContain("api_key=[REDACTED]");
  });

  it("does not send bearer credentials to another origin", async () => {
    const other = await server(ok);
    const s = await server(ok);
    const { http } = client(s.url);
    await http.request({ path: `${other.url}/next` });
    expect(other.requests[0]!.headers.authorization).toBeUndefined();
  });

  it("rejects credentials that do not fit the auth scheme", () => {
    expect(() => client("http://127.0.0.1:1", { auth: { type: "basic" } })).toThrow(ConfigError);
  });
});

describe("retries and error mapping", () => {
  it("retries 5xx and succeeds, emitting a retry event", async () => {
    const s = await server((_req, res, n) =>
      n === 0 ? sendJson(res, 503, { message: "busy" }) : sendJson(res, 200, { ok: 1 }),
    );
    const { http, events } = client(s.url);
    const response = await http.request({ path: "/x" });
    expect(response.body).toEqual({ ok: 1 });
    expect(s.requests).toHaveLength(2);
    const retry = events.find((e) => e.type === "retry");
    expect(retry).toMatchObject({ type: "retry", attempt: 1, reason: "HTTP 503: busy" });
    expect(
      events.filter((e) => e.type === "request").map((e) => (e.type === "request" ? e.status : 0)),
    ).toEqual([503, 200]);
  });

  it("honours Retry-After seconds on a 429", async () => {
    const s = await server((_req, res, n) =>
      n === 0 ? sendJson(res, 429, { message: "slow down" }, { "retry-after": "1" }) : sendJson(res, 200, {}),
    );
    const { http, events } = client(s.url);
    const started = Date.now();
    await http.request({ path: "/x" });
    expect(events.find((e) => e.type === "retry")).toMatchObject({
      delayMs: 1000,
      reason: "HTTP 429: slow down",
    });
    // The wait really happened (the backoff alone would be under 5 ms).
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
  });

  it("honours the provider's reset header on a 429 without Retry-After", async () => {
    const s = await server((_req, res, n) =>
      n === 0 ? sendJson(res, 429, {}, { "x-ratelimit-reset": "0.2" }) : sendJson(res, 200, {}),
    );
    const { http, events } = client(s.url, {
      rateLimit: { reset: { header: "x-ratelimit-reset", format: "seconds" } },
    });
    await http.request({ path: "/x" });
    const retry = events.find((e) => e.type === "retry");
    expect(retry?.type === "retry" && retry.delayMs).toBeGreaterThanOrEqual(190);
  });

  it("gives up at once when the provider asks to wait longer than maxRetryAfterMs", async () => {
    const s = await server((_req, res) => sendJson(res, 429, {}, { "retry-after": "3600" }));
    const { http } = client(s.url, { maxRetryAfterMs: 1000 });
    const error = await http.request({ path: "/x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect((error as Error).message).toContain("asked to wait 3600s");
    expect(s.requests).toHaveLength(1);
  });

  it("maps 400 to ProviderRequestError with the provider's message, without retrying", async () => {
    const s = await server((_req, res) =>
      sendJson(res, 400, { status: "error", message: "Property 'x' unknown" }),
    );
    const { http } = client(s.url);
    const error = await http.request({ path: "/x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderRequestError);
    expect((error as Error).message).toBe("acme rejected the request (HTTP 400): Property 'x' unknown");
    expect(s.requests).toHaveLength(1);
  });

  it("never echoes a body that is not a JSON error message: text, HTML titles, JSON without a message", async () => {
    const bodies: [string, string][] = [
      ["text/plain", `internal admin: db password is swordfish\n${"x".repeat(500)}`],
      ["text/html", "<html><title>Jenkins swordfish console</title></html>"],
      ["application/json", '{"rows":[{"user":"root","password":"swordfish"}]}'],
    ];
    const s = await server((_req, res, n) => {
      const [type, body] = bodies[n]!;
      res.writeHead(404, { "content-type": type });
      res.end(body);
    });
    const { http } = client(s.url);
    for (const [type] of bodies) {
      const error = (await http.request({ path: "/x" }).catch((e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(ProviderRequestError);
      expect(error.message).not.toContain("swordfish");
      expect(error.message).toMatch(/^acme rejected the request \(HTTP 404\): /);
      expect(error.message).toContain(type);
    }
  });

  it("never echoes a 2xx body that is not JSON, nor the text of broken JSON", async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"secret":"swordfish", broken');
    });
    const { http } = client(s.url, { maxAttempts: 1 });
    const error = (await http.request({ path: "/x" }).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(ProviderResponseError);
    expect(error.message).toMatch(/invalid JSON in a 29-byte body/);
    expect(error.message).not.toContain("swordfish");
  });

  it("maps 401 to CredentialsRejectedError without retrying", async () => {
    const s = await server((_req, res) => sendJson(res, 401, { message: "expired" }));
    const { http } = client(s.url);
    const error = await http.request({ path: "/x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialsRejectedError);
    expect((error as Error).message).toContain("HTTP 401: expired");
    expect(s.requests).toHaveLength(1);
  });

  it("retries a dropped connection", async () => {
    const s = await server((req, res, n) => {
      if (n === 0) res.socket?.destroy();
      else sendJson(res, 200, { path: req.url });
    });
    const { http, events } = client(s.url);
    const response = await http.request({ path: "/x" });
    expect(response.body).toEqual({ path: "/x" });
    expect(s.requests).toHaveLength(2);
    expect(events[0]).toMatchObject({ type: "request", status: 0, attempt: 1 });
    expect(events[1]).toMatchObject({ type: "retry", attempt: 1 });
    expect((events[1] as { reason: string }).reason).toMatch(/^connection failed/);
  });

  it("retries a 2xx body cut off mid-way", async () => {
    const s = await server((_req, res, n) => {
      if (n === 0) {
        res.writeHead(200, { "content-type": "application/json", "content-length": "100" });
        res.write('{"results": [1, 2');
        setTimeout(() => res.socket?.destroy(), 10);
      } else sendJson(res, 200, { results: [1, 2, 3] });
    });
    const { http, events } = client(s.url);
    const response = await http.request({ path: "/x" });
    expect(response.body).toEqual({ results: [1, 2, 3] });
    expect((events.find((e) => e.type === "retry") as { reason: string }).reason).toMatch(/cut off/);
  });

  it("retries HTML with 200 and then throws ProviderResponseError", async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end("<html><title>Maintenance</title></html>");
    });
    const { http, events } = client(s.url);
    const error = await http.request({ path: "/x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderResponseError);
    expect((error as Error).message).toContain("expected JSON but got text/html");
    expect(s.requests).toHaveLength(3);
    expect(events.filter((e) => e.type === "retry")).toHaveLength(2);
  });

  it("throws ProviderResponseError for invalid JSON after retries", async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"results": [');
    });
    const { http } = client(s.url, { maxAttempts: 2 });
    const error = await http.request({ path: "/x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderResponseError);
    expect((error as Error).message).toContain("invalid JSON");
    expect(s.requests).toHaveLength(2);
  });

  it("throws ProviderUnavailableError with the last problem when retries run out", async () => {
    const s = await server((_req, res) => sendJson(res, 502, { message: "bad gateway" }));
    const { http } = client(s.url);
    const error = await http.request({ path: "/x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect((error as Error).message).toBe(
      "acme kept failing after 3 attempts (last: HTTP 502: bad gateway).",
    );
    expect(s.requests).toHaveLength(3);
  });

  it("times out a slow attempt and retries it", async () => {
    const s = await server((_req, res, n) => {
      if (n === 0) setTimeout(() => sendJson(res, 200, { slow: true }), 3_000).unref();
      else sendJson(res, 200, { slow: false });
    });
    const { http, events } = client(s.url, { timeoutMs: 250 });
    const response = await http.request({ path: "/x" });
    expect(response.body).toEqual({ slow: false });
    expect((events.find((e) => e.type === "retry") as { reason: string }).reason).toContain("within 250 ms");
  });

  it("stops waiting at once when aborted during a backoff", async () => {
    const s = await server((_req, res) => sendJson(res, 503, {}, { "retry-after": "60" }));
    const controller = new AbortController();
    const { http } = client(s.url, {
      onEvent: (event) => {
        // Abort once the 60 s wait has begun.
        if (event.type === "retry") setTimeout(() => controller.abort(new Error("run cancelled")), 20);
      },
    });
    const started = Date.now();
    const error = await http.request({ path: "/x" }, { signal: controller.signal }).catch((e: unknown) => e);
    expect((error as Error).message).toBe("run cancelled");
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(s.requests).toHaveLength(1);
  }, 10_000);

  it("aborts an attempt in flight", async () => {
    const controller = new AbortController();
    const s = await server((_req, res) => {
      // The request has arrived and waits for an answer: now the caller gives up.
      controller.abort(new Error("stop"));
      setTimeout(() => sendJson(res, 200, {}), 2_000).unref();
    });
    const { http } = client(s.url);
    const error = await http.request({ path: "/x" }, { signal: controller.signal }).catch((e: unknown) => e);
    expect((error as Error).message).toBe("stop");
    expect(s.requests).toHaveLength(1);
  }, 4_000);

  it("makes other clients on the same account wait after a 429", async () => {
    const s = await server((req, res) =>
      req.url === "/limited" ? sendJson(res, 429, {}, { "retry-after": "1" }) : sendJson(res, 200, {}),
    );
    const budget = new InMemoryRateLimitBudget("acme:account-1");
    const first = client(s.url, { budget, maxAttempts: 1 });
    const second = client(s.url, { budget });
    await expect(first.http.request({ path: "/limited" })).rejects.toBeInstanceOf(ProviderUnavailableError);
    await second.http.request({ path: "/other" });
    const wait = second.events.find((e) => e.type === "rate_limit_wait");
    expect(wait).toMatchObject({ type: "rate_limit_wait", account: "acme:account-1" });
    expect(wait?.type === "rate_limit_wait" && wait.delayMs).toBeGreaterThan(900);
  });
});

describe("redaction", () => {
  it("never lets the token appear in events or error messages, even when the provider echoes it", async () => {
    const s = await server((req, res, n) => {
      const echoed = `token ${req.headers.authorization} is invalid`;
      if (n === 0) sendJson(res, 500, { message: echoed });
      else sendJson(res, 422, { message: echoed });
    });
    const { http, events } = client(s.url);
    const error = (await http
      .request({ path: "/x", query: { echo: TOKEN } })
      .catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(ProviderRequestError);
    const everything = JSON.stringify({ events, message: error.message, error });
    expect(everything).not.toContain(TOKEN);
    expect(error.message).toContain("[REDACTED]");
    expect(events.some((e) => e.type === "retry" && e.reason.includes("Bearer [REDACTED]"))).toBe(true);
  });

  it("redacts basic credentials from error messages", async () => {
    const s = await server((req, res) =>
      sendJson(res, 403, { message: `bad header ${req.headers.authorization}` }),
    );
    const { http } = client(s.url, {
      auth: { type: "basic" },
      credentials: { type: "basic", username: "u", password: "hunter2-long" },
    });
    const error = (await http.request({ path: "/x" }).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(CredentialsRejectedError);
    expect(error.message).toBe("acme rejected the credentials (HTTP 403: bad header Basic [REDACTED]).");
  });
});
