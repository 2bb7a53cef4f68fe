/**
 * Malformed requests each get a clear 4xx problem document: deep JSON, `__proto__` keys, control
 * characters in ids, floods of unknown keys, bad URLs, over-long path segments and oversized headers —
 * the last three over a real socket, where Fastify and Node answer before any route runs.
 */
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServer } from "./app.ts";
import { type Harness, startHarness } from "./test-harness.ts";

let h: Harness;
let port: number;
beforeAll(async () => {
  h = await startHarness();
  await h.app.listen({ port: 0, host: "127.0.0.1" });
  port = (h.app.server.address() as { port: number }).port;
});
afterAll(async () => {
  expect(await h.leakedSecrets()).toEqual([]);
  await h.close();
});

async function post(url: string, payload: string) {
  const response = await h.app.inject({
    method: "POST",
    url,
    headers: { authorization: `Bearer ${h.keys.dev}`, "content-type": "application/json" },
    payload,
  });
  return {
    status: response.statusCode,
    type: String(response.headers["content-type"]),
    size: response.rawPayload.length,
    body: response.json() as {
      code: string;
      detail: string;
      hint?: string;
      errors?: { path: string; message: string }[];
    },
  };
}

/** Sends raw bytes and returns the status line, headers and body of the answer. */
function rawRequest(request: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(request));
    let data = "";
    socket.on("data", (chunk) => {
      data += chunk;
    });
    socket.on("error", () => {}); // the server may reset after answering
    socket.on("close", () => {
      const [head = "", body = ""] = data.split("\r\n\r\n");
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
      const type = /content-type: ([^\r\n]+)/i.exec(head)?.[1] ?? "";
      if (!status) reject(new Error(`no answer: ${JSON.stringify(data.slice(0, 200))}`));
      else resolve({ status, type, body });
    });
  });
}

describe("malformed request bodies", () => {
  it("refuses JSON nested deeper than 64 levels with 400, not a 500", async () => {
    const deep = `${'{"a":'.repeat(2_000)}1${"}".repeat(2_000)}`;
    const reply = await post(
      "/v1/connections",
      `{"provider":"loopback","end_user":{"id":"x"},"credentials":{"type":"bearer","token":"t"},"metadata":{"m":${deep}}}`,
    );
    expect([reply.status, reply.body.code]).toEqual([400, "body_malformed"]);
    expect(reply.body.detail).toContain("nested more than 64 levels");
  });

  it("names a __proto__ key as the reason, not invalid JSON", async () => {
    const reply = await post("/v1/connect-sessions", '{"end_user":{"id":"a"},"__proto__":{"admin":true}}');
    expect([reply.status, reply.body.code]).toEqual([400, "body_malformed"]);
    expect(reply.body.detail).toContain("`__proto__`");
    // Really broken JSON still says so.
    expect((await post("/v1/connect-sessions", '{"end_user":')).body.detail).toContain("not valid JSON");
  });

  it("refuses control characters in end_user.id and organization", async () => {
    for (const id of ["a\u0000b", "a\r\nX-Injected: 1", "tab\there"]) {
      const reply = await post("/v1/connect-sessions", JSON.stringify({ end_user: { id } }));
      expect(reply.status).toBe(400);
      expect(reply.body.errors?.[0]).toMatchObject({
        path: "end_user.id",
        message: expect.stringContaining("control characters"),
      });
    }
    const org = await post(
      "/v1/connect-sessions",
      JSON.stringify({ end_user: { id: "ok", organization: "Acme\u0007" } }),
    );
    expect(org.body.errors?.[0]?.path).toBe("end_user.organization");
    const tag = await post("/v1/connections", JSON.stringify({ provider: "loopback", tags: ["vip\u0000"] }));
    expect(tag.body.errors?.find((issue) => issue.path === "tags.0")?.message).toContain(
      "control characters",
    );
  });

  it("lists at most 10 field issues and counts the rest, so 20,000 unknown keys make a small answer", async () => {
    const extra = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`unknown_${i}`, 1]));
    const reply = await post("/v1/connect-sessions", JSON.stringify({ end_user: { id: "a" }, ...extra }));
    expect(reply.status).toBe(400);
    expect(reply.body.errors).toHaveLength(10);
    expect(reply.body.detail).toBe("The request has 20000 invalid fields.");
    expect(reply.body.hint).toContain("Only the first 10 of 20000 issues are listed.");
    expect(reply.size).toBeLessThan(5_000);
    const longKey = "k".repeat(50_000);
    const long = await post("/v1/connect-sessions", JSON.stringify({ end_user: { id: "a" }, [longKey]: 1 }));
    expect(long.size).toBeLessThan(2_000);
  });
});

describe("requests refused before routing", () => {
  it("answers a malformed URL escape with a 400 problem document", async () => {
    const reply = await rawRequest(
      "GET /v1/connections/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    expect(reply.status).toBe(400);
    expect(reply.type).toContain("application/problem+json");
    expect(JSON.parse(reply.body)).toMatchObject({ code: "request_invalid", status: 400 });
  });

  it("answers an over-long path segment with a 414 problem that does not echo the path", async () => {
    const segment = "a".repeat(5_000);
    const reply = await rawRequest(
      `GET /v1/connections/${segment} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${h.keys.dev}\r\nConnection: close\r\n\r\n`,
    );
    expect(reply.status).toBe(414);
    expect(reply.type).toContain("application/problem+json");
    expect(JSON.parse(reply.body)).toMatchObject({ code: "uri_too_long", status: 414 });
    expect(reply.body.length).toBeLessThan(1_000);
  });

  it("answers oversized headers with a 431 problem document", async () => {
    const reply = await rawRequest(
      `GET /v1/connections HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\nConnection: close\r\n\r\n`,
    );
    expect(reply.status).toBe(431);
    expect(reply.type).toContain("application/problem+json");
    expect(JSON.parse(reply.body)).toMatchObject({ code: "headers_too_large", status: 431 });
  });

  it("clips an unknown long path in the 404 it answers", async () => {
    const reply = await rawRequest(
      `GET /v1/${"b".repeat(10_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    );
    expect(reply.status).toBe(404);
    expect(reply.body.length).toBeLessThan(1_500);
  });
});

describe("server logging", () => {
  it("logs through pino at info by default (npm start passes no log option)", async () => {
    const logged = buildServer(h.deps);
    expect(logged.log.level).toBe(process.env.SWITCHYARD_LOG_LEVEL ?? "info");
    await logged.close();
  });
});
