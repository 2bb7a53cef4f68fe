/** The client's relay mode (the proxy's): every final answer is returned, never thrown, secrets redacted. */
import { afterEach, describe, expect, it } from "vitest";
import { ProviderUnavailableError } from "../core/index.ts";
import { createRelayingHttpClient, type HttpClientOptions, type RelayingHttpClient } from "./client.ts";
import type { AccessTokenSource } from "./oauth2/token-manager.ts";
import { sendJson, startTestServer, type TestHandler, type TestServer } from "./test-server.ts";

const TOKEN = "tok_RELAY_SECRET_42";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(handler: TestHandler): Promise<TestServer> {
  const s = await startTestServer(handler);
  cleanups.push(() => s.close());
  return s;
}

function client(baseUrl: string, overrides: Partial<HttpClientOptions> = {}): RelayingHttpClient {
  const http = createRelayingHttpClient({
    provider: "acme",
    baseUrl,
    auth: { type: "bearer" },
    credentials: { type: "bearer", token: TOKEN },
    retryDelay: { baseMs: 1, maxMs: 5 },
    maxAttempts: 3,
    allowPrivateAddresses: true,
    ...overrides,
  });
  cleanups.push(() => http.close());
  return http;
}

describe("relay", () => {
  it("returns a 4xx with its body and headers instead of throwing, and retries nothing", async () => {
    const s = await server((_req, res) =>
      sendJson(res, 422, { message: "bad email" }, { "x-request-id": "r1" }),
    );
    const answer = await client(s.url).relay({ path: "/contacts" });
    expect(answer.status).toBe(422);
    expect(answer.body.toString()).toBe('{"message":"bad email"}');
    expect(answer.headers["x-request-id"]).toBe("r1");
    expect(s.requests).toHaveLength(1);
  });

  it("sends the body as it is, typed only by the caller's headers", async () => {
    const s = await server((_req, res) => sendJson(res, 200, {}));
    await client(s.url).relay({
      method: "POST",
      path: "/x",
      body: "<a>1</a>",
      headers: { "Content-Type": "application/xml" },
    });
    expect(s.requests[0]).toMatchObject({ method: "POST", body: "<a>1</a>" });
    expect(s.requests[0]!.headers["content-type"]).toBe("application/xml");
    expect(s.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it("returns a non-JSON 2xx as it is, and a redirect without following it", async () => {
    const s = await server((req, res) => {
      if (req.url === "/moved") res.writeHead(302, { location: "/elsewhere" }).end();
      else res.writeHead(200, { "content-type": "text/csv" }).end("a,b\n");
    });
    const http = client(s.url);
    const report = await http.relay({ path: "/report" });
    expect([report.status, report.body.toString()]).toEqual([200, "a,b\n"]);
    const moved = await http.relay({ path: "/moved" });
    expect(moved.status).toBe(302);
    expect(moved.headers.location).toBe("/elsewhere");
    expect(s.requests.map((r) => r.url)).toEqual(["/report", "/moved"]);
  });

  it("redacts the credentials wherever the provider echoes them", async () => {
    const s = await server((_req, res) =>
      sendJson(res, 401, { message: `token ${TOKEN} is invalid` }, { "x-echo": `Bearer ${TOKEN}` }),
    );
    const answer = await client(s.url).relay({ path: "/me" });
    expect(answer.status).toBe(401);
    expect(answer.body.toString()).not.toContain(TOKEN);
    expect(answer.body.toString()).toContain("[REDACTED]");
    expect(answer.headers["x-echo"]).toBe("Bearer [REDACTED]");
  });

  it("sends and returns bytes as they are, and redacts only textual bodies", async () => {
    // Every byte value, and the token's own bytes: redacted in text, left alone in a file.
    const bytes = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from(TOKEN)]);
    const s = await server((req, res) => {
      const type = req.url === "/text" ? "text/plain" : req.url === "/untyped" ? undefined : "image/png";
      res.writeHead(200, type ? { "content-type": type } : {}).end(bytes);
    });
    const raw = await server((_req, res) => {
      res.writeHead(204).end();
    });
    const http = client(s.url);
    expect((await http.relay({ path: "/png" })).body.equals(bytes)).toBe(true);
    // Not UTF-8 and untyped: bytes too.
    expect((await http.relay({ path: "/untyped" })).body.equals(bytes)).toBe(true);
    const text = (await http.relay({ path: "/text" })).body.toString();
    expect(text).not.toContain(TOKEN);
    expect(text).toContain("[REDACTED]");
    await client(raw.url).relay({
      method: "PUT",
      path: "/upload",
      body: bytes,
      headers: { "content-type": "application/octet-stream" },
    });
    expect(Number(raw.requests[0]!.headers["content-length"])).toBe(bytes.length);
  });

  it("retries a 503 as requests do, and gives up as they do", async () => {
    const flaky = await server((_req, res, n) =>
      n === 0 ? sendJson(res, 503, { message: "busy" }) : sendJson(res, 200, { ok: true }),
    );
    expect((await client(flaky.url).relay({ path: "/x" })).status).toBe(200);
    expect(flaky.requests).toHaveLength(2);
    const down = await server((_req, res) => sendJson(res, 503, { message: "down" }));
    await expect(client(down.url).relay({ path: "/x" })).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(down.requests).toHaveLength(3);
  });

  it("renews an OAuth2 token once after a 401 and sends the request again", async () => {
    const s = await server((req, res) =>
      req.headers.authorization === "Bearer fresh-token"
        ? sendJson(res, 200, { ok: true })
        : sendJson(res, 401, { message: "expired" }),
    );
    let current = "stale-token";
    const renewed: string[] = [];
    const tokens: AccessTokenSource = {
      current: async () => current,
      renew: async (rejected) => {
        renewed.push(rejected);
        current = "fresh-token";
        return current;
      },
      secrets: () => ["stale-token", "fresh-token"],
    };
    const http = client(s.url, {
      credentials: { type: "oauth2", accessToken: "stale-token" },
      tokens,
    });
    expect((await http.relay({ path: "/me" })).status).toBe(200);
    expect(renewed).toEqual(["stale-token"]);
    expect(s.requests.map((r) => r.headers.authorization)).toEqual([
      "Bearer stale-token",
      "Bearer fresh-token",
    ]);
  });
});
