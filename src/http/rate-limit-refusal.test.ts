/**
 * Providers that refuse over-limit requests with something other than a 429 (Salesforce: HTTP 403 with
 * errorCode REQUEST_LIMIT_EXCEEDED) declare it as `rateLimit.refusal`; the client then retries it like a
 * 429 instead of taking it for rejected credentials. Other 403s stay credentials_rejected.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createHttpClient } from "./client.ts";
import { startTestServer, type TestServer } from "./test-server.ts";

let server: TestServer | undefined;
afterEach(() => server?.close());

const LIMITED = JSON.stringify([
  { message: "ConcurrentPerOrgLongTxn Limit exceeded.", errorCode: "REQUEST_LIMIT_EXCEEDED" },
]);
const refusal = { status: 403, bodyIncludes: "REQUEST_LIMIT_EXCEEDED" };

function client(url: string, declared = true) {
  return createHttpClient({
    provider: "Salesforce",
    baseUrl: url,
    auth: { type: "bearer" },
    credentials: { type: "bearer", token: "00Dsession!secret" },
    allowPrivateAddresses: true,
    maxAttempts: 3,
    retryDelay: { baseMs: 1, maxMs: 5 },
    ...(declared ? { rateLimit: { refusal } } : {}),
  });
}

describe("a declared rate-limit refusal", () => {
  it("is retried like a 429, and the request succeeds once the provider lets it through", async () => {
    server = await startTestServer((_request, res, n) => {
      res.writeHead(n === 0 ? 403 : 200, { "content-type": "application/json" });
      res.end(n === 0 ? LIMITED : JSON.stringify({ ok: true }));
    });
    const http = client(server.url);
    const response = await http.request({ path: "/limits" });
    expect(response.body).toEqual({ ok: true });
    expect(server.requests).toHaveLength(2);
    await http.close();
  });

  it("that never lifts ends as provider_unavailable after the attempts, naming the provider's message", async () => {
    server = await startTestServer((_request, res) => {
      res.writeHead(403, { "content-type": "application/json" });
      res.end(LIMITED);
    });
    const http = client(server.url);
    await expect(http.request({ path: "/limits" })).rejects.toMatchObject({
      code: "provider_unavailable",
      message: expect.stringContaining("ConcurrentPerOrgLongTxn Limit exceeded."),
    });
    expect(server.requests).toHaveLength(3);
    await http.close();
  });

  it("leaves every other 403, and an undeclared provider's, as rejected credentials", async () => {
    server = await startTestServer((_request, res) => {
      res.writeHead(403, { "content-type": "application/json" });
      res.end(JSON.stringify([{ message: "Insufficient privileges", errorCode: "INSUFFICIENT_ACCESS" }]));
    });
    const http = client(server.url);
    await expect(http.request({ path: "/x" })).rejects.toMatchObject({ code: "credentials_rejected" });
    await http.close();
    const other = await startTestServer((_request, res) => {
      res.writeHead(403, { "content-type": "application/json" });
      res.end(LIMITED);
    });
    const undeclared = client(other.url, false);
    await expect(undeclared.request({ path: "/x" })).rejects.toMatchObject({ code: "credentials_rejected" });
    await undeclared.close();
    await other.close();
  });
});
