/**
 * The plain proxy over real sockets: a loopback "provider" records what reaches it, so each refusal is shown
 * to send nothing, and each relayed request to carry the connection's credentials and nothing of the caller's.
 */
import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ProviderDefinition } from "../../core/index.ts";
import { sendJson, startTestServer, type TestServer } from "../../http/test-server.ts";
import { type Harness, startHarness } from "../test-harness.ts";

const TOKEN = "tok-proxy-5b1e77c0d2a9";

const echo: ProviderDefinition = {
  name: "echo",
  displayName: "Echo",
  baseUrl: "http://127.0.0.1:9",
  auth: { type: "bearer" },
  streams: [],
  async checkCredentials() {},
};

let h: Harness;
let provider: TestServer;
/** Another host on loopback, which nothing may ever reach. */
let elsewhere: TestServer;
let origin: string;
let connectionId: string;

/** One raw request to the API (the path is sent byte for byte, unnormalised). */
function send(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string | Buffer,
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  bytes: Buffer;
}> {
  const url = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: { authorization: `Bearer ${h.keys.dev}`, "connection-id": connectionId, ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const bytes = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: bytes.toString(), bytes });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** Sends a request the proxy must refuse; returns the problem, after checking nothing reached any provider. */
async function refused(method: string, path: string, headers: Record<string, string> = {}) {
  const answer = await send(method, path, headers);
  expect(answer.status, answer.text).toBe(400);
  expect(provider.requests).toEqual([]);
  expect(elsewhere.requests).toEqual([]);
  return JSON.parse(answer.text) as { code: string; detail: string; hint?: string };
}

beforeAll(async () => {
  elsewhere = await startTestServer((_request, res) => sendJson(res, 200, { reached: "elsewhere" }));
  provider = await startTestServer((request, res) => {
    const path = request.url.split("?")[0];
    if (path === "/base/redirect/same") {
      res.writeHead(302, { location: "/base/echo?via=redirect" }).end();
      return;
    }
    if (path === "/base/redirect/off") {
      res.writeHead(302, { location: `${elsewhere.url.replace("127.0.0.1", "localhost")}/x` }).end();
      return;
    }
    if (path === "/base/redirect/outside") {
      res.writeHead(307, { location: "/admin" }).end();
      return;
    }
    if (path === "/base/missing") return sendJson(res, 404, { message: "no such thing" });
    if (path === "/base/leak") {
      return sendJson(res, 401, { message: `bad token ${TOKEN}` }, { "x-echo": TOKEN, "set-cookie": "s=1" });
    }
    if (path === "/base/text") {
      res.writeHead(200, { "content-type": "text/csv" }).end("a,b\n1,2\n");
      return;
    }
    sendJson(
      res,
      200,
      { method: request.method, url: request.url, headers: request.headers, body: request.body },
      { "x-ratelimit-remaining": "99", "set-cookie": "session=provider" },
    );
  });
  h = await startHarness({ providers: { echo }, rateLimit: false });
  origin = await h.app.listen({ port: 0, host: "127.0.0.1" });
  const created = await h.dev.post("/v1/connections", {
    body: {
      provider: "echo",
      credentials: { type: "bearer", token: h.secret(TOKEN) },
      end_user: { id: "customer-1" },
      config: { base_url: `${provider.url}/base` },
    },
  });
  connectionId = created.id;
});

beforeEach(() => {
  provider.requests.length = 0;
  elsewhere.requests.length = 0;
});

afterAll(async () => {
  expect(await h.leakedSecrets()).toEqual([]);
  await h.close();
  await provider.close();
  await elsewhere.close();
});

describe("relaying", () => {
  it("sends the path under the base URL with the connection's token, not the caller's key", async () => {
    const answer = await send("GET", "/v1/proxy/echo/items?limit=2&q=a%20b", {
      "switchyard-proxy-x-trace": "t-1",
      accept: "application/json",
      "x-not-forwarded": "1",
    });
    expect(answer.status).toBe(200);
    expect(provider.requests).toHaveLength(1);
    const received = provider.requests[0]!;
    expect(received.url).toBe("/base/echo/items?limit=2&q=a%20b");
    expect(received.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(received.headers["x-trace"]).toBe("t-1");
    expect(received.headers["x-not-forwarded"]).toBeUndefined();
    expect(received.headers["connection-id"]).toBeUndefined();
    expect(JSON.stringify(received.headers)).not.toContain(h.keys.dev);
    // The provider's headers come back, its cookies do not.
    expect(answer.headers["x-ratelimit-remaining"]).toBe("99");
    expect(answer.headers["set-cookie"]).toBeUndefined();
  });

  it("forwards a body as it is, with its media type", async () => {
    const body = JSON.stringify({ properties: { email: "a@b.example" } });
    const answer = await send(
      "POST",
      "/v1/proxy/echo/contacts",
      { "content-type": "application/json" },
      body,
    );
    expect(answer.status).toBe(200);
    expect(provider.requests[0]).toMatchObject({ method: "POST", body });
    expect(provider.requests[0]!.headers["content-type"]).toBe("application/json");
  });

  it("answers with the provider's own status and body, and a non-JSON body as it is", async () => {
    const missing = await send("GET", "/v1/proxy/missing");
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text)).toEqual({ message: "no such thing" });
    const text = await send("GET", "/v1/proxy/text");
    expect(text.status).toBe(200);
    expect(text.headers["content-type"]).toBe("text/csv");
    expect(text.text).toBe("a,b\n1,2\n");
  });

  it("never hands the connection's credentials back, even when the provider echoes them", async () => {
    const answer = await send("GET", "/v1/proxy/leak");
    expect(answer.status).toBe(401);
    expect(answer.text).not.toContain(TOKEN);
    expect(answer.text).toContain("[REDACTED]");
    expect(answer.headers["x-echo"]).toBe("[REDACTED]");
    expect(answer.headers["set-cookie"]).toBeUndefined();
  });

  it("relays binary bodies byte for byte both ways (an upload echoed back, a gzip download)", async () => {
    // A provider that answers an upload with its exact bytes, and a download gzip-encoded.
    const received: Buffer[] = [];
    const files = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        if (req.url === "/files/report.json") {
          res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
          res.end(gzipSync(JSON.stringify({ rows: 3 })));
          return;
        }
        received.push(Buffer.concat(chunks));
        res.writeHead(201, { "content-type": req.headers["content-type"] ?? "application/octet-stream" });
        res.end(Buffer.concat(chunks));
      });
    });
    await new Promise<void>((resolve) => files.listen(0, "127.0.0.1", resolve));
    try {
      const created = await h.dev.post("/v1/connections", {
        body: {
          provider: "echo",
          credentials: { type: "bearer", token: TOKEN },
          end_user: { id: "customer-files" },
          config: { base_url: `http://127.0.0.1:${(files.address() as AddressInfo).port}/files` },
        },
      });
      // Every byte value, invalid UTF-8 sequences and the token's own bytes (a file is never rewritten).
      const image = Buffer.concat([
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
        Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7) % 256)),
        Buffer.from([0xc3, 0x28, 0xff, 0xfe]),
        Buffer.from(TOKEN),
      ]);
      const upload = await send(
        "PUT",
        "/v1/proxy/logo.png",
        { "connection-id": created.id, "content-type": "image/png" },
        image,
      );
      expect(upload.status).toBe(201);
      expect(received[0]!.equals(image)).toBe(true);
      expect(upload.headers["content-type"]).toBe("image/png");
      expect(upload.bytes.equals(image)).toBe(true);

      const download = await send("GET", "/v1/proxy/report.json", { "connection-id": created.id });
      expect(download.status).toBe(200);
      expect(download.headers["content-encoding"]).toBe("gzip");
      expect(JSON.parse(gunzipSync(download.bytes).toString())).toEqual({ rows: 3 });
    } finally {
      await new Promise<void>((resolve) => {
        files.closeAllConnections();
        files.close(() => resolve());
      });
    }
  });

  it("follows a redirect within the base URL", async () => {
    const answer = await send("GET", "/v1/proxy/redirect/same");
    expect(answer.status).toBe(200);
    expect(provider.requests.map((r) => r.url)).toEqual(["/base/redirect/same", "/base/echo?via=redirect"]);
    expect(provider.requests[1]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it("retries what the connection's client retries (a 503)", async () => {
    const flaky = await startTestServer((_request, res, n) =>
      n === 0
        ? sendJson(res, 503, { message: "busy" }, { "retry-after": "0" })
        : sendJson(res, 200, { ok: 1 }),
    );
    const checkHttp = h.deps.checkHttp;
    try {
      const created = await h.dev.post("/v1/connections", {
        body: {
          provider: "echo",
          credentials: { type: "bearer", token: TOKEN },
          end_user: { id: "customer-flaky" },
          config: { base_url: flaky.url },
        },
      });
      h.deps.checkHttp = { maxAttempts: 3, timeoutMs: 5_000 };
      const answer = await send("GET", "/v1/proxy/x", { "connection-id": created.id });
      expect(answer.status).toBe(200);
      expect(flaky.requests).toHaveLength(2);
    } finally {
      h.deps.checkHttp = checkHttp;
      await flaky.close();
    }
  });
});

describe("refusals (nothing is sent)", () => {
  it("refuses //host, which names another host", async () => {
    const problem = await refused("GET", `/v1/proxy//${new URL(elsewhere.url).host}/x`);
    expect(problem).toMatchObject({ code: "request_invalid" });
    expect(problem.detail).toContain("another host");
  });

  it.each([
    "/v1/proxy/../admin",
    "/v1/proxy/a/../../admin",
    "/v1/proxy/a/%2e%2e/%2e%2e/admin",
    "/v1/proxy/a/%252e%252e/admin",
    "/v1/proxy/a/..%2f..%2fadmin",
  ])("refuses the traversal %s", async (path) => {
    const problem = await refused("GET", path);
    expect(problem.detail).toContain("..");
  });

  it("refuses backslashes", async () => {
    const problem = await refused("GET", "/v1/proxy/a\\..\\admin");
    expect(problem.detail).toContain("backslash");
    await refused("GET", "/v1/proxy/a/%5c..%5cadmin");
  });

  it.each([
    ["switchyard-proxy-authorization", "Bearer other"],
    ["switchyard-proxy-cookie", "session=x"],
    ["switchyard-proxy-host", "evil.example"],
    ["switchyard-proxy-transfer-encoding", "chunked"],
  ])("refuses the forwarded header %s", async (name, value) => {
    const problem = await refused("GET", "/v1/proxy/echo", { [name]: value });
    expect(problem.detail).toContain(name.slice("switchyard-proxy-".length));
  });

  it("refuses a base URL override to another host", async () => {
    const problem = await refused("GET", "/v1/proxy/x", { "base-url-override": elsewhere.url });
    expect(problem.detail).toContain(new URL(elsewhere.url).host);
  });

  it("refuses a redirect to another host, without following it", async () => {
    const answer = await send("GET", "/v1/proxy/redirect/off");
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text).detail).toContain("localhost");
    expect(provider.requests).toHaveLength(1);
    expect(elsewhere.requests).toEqual([]);
  });

  it("refuses a redirect out of the base path on the same host", async () => {
    const answer = await send("GET", "/v1/proxy/redirect/outside");
    expect(answer.status).toBe(400);
    expect(provider.requests.map((r) => r.url)).toEqual(["/base/redirect/outside"]);
  });
});

describe("methods and documentation", () => {
  it("relays HEAD without a body", async () => {
    const answer = await send("HEAD", "/v1/proxy/echo/items");
    expect(answer.status).toBe(200);
    expect(answer.text).toBe("");
    expect(provider.requests.map((r) => r.method)).toEqual(["HEAD"]);
  });

  it("is in the OpenAPI document, with its headers", async () => {
    const doc = (await h.app.inject({ url: "/openapi.json" })).json() as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
    };
    const entry = doc.paths["/v1/proxy/{path}"];
    expect(Object.keys(entry ?? {}).sort()).toEqual(["delete", "get", "patch", "post", "put"]);
    expect(entry?.get?.parameters?.map((p) => `${p.in}:${p.name}`)).toEqual(
      expect.arrayContaining(["path:path", "header:connection-id"]),
    );
  });
});

describe("connection", () => {
  it("needs Connection-Id", async () => {
    const answer = await send("GET", "/v1/proxy/echo", { "connection-id": "" });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text).errors[0]).toMatchObject({ location: "headers", path: "connection-id" });
    expect(provider.requests).toEqual([]);
  });

  it("does not find a connection of another environment", async () => {
    const answer = await send("GET", "/v1/proxy/echo", { authorization: `Bearer ${h.keys.prod}` });
    expect(answer.status).toBe(404);
    expect(provider.requests).toEqual([]);
  });

  it("needs an API key", async () => {
    const answer = await send("GET", "/v1/proxy/echo", { authorization: "" });
    expect(answer.status).toBe(401);
    expect(provider.requests).toEqual([]);
  });
});
