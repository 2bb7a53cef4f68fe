/**
 * The SSRF guard, tested only with loopback targets (spelled in every way a URL allows): each must be refused
 * before a connection is made, and reached only when private addresses are allowed.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError } from "../core/index.ts";
import { AddressRefusedError, assertBaseUrlAllowed, refusalOf } from "./address-guard.ts";
import { createHttpClient, type HttpClientOptions } from "./client.ts";
import { sendJson, startTestServer, type TestServer } from "./test-server.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function loopbackServer(): Promise<TestServer> {
  const server = await startTestServer((_req, res) => sendJson(res, 200, { ok: true }));
  cleanups.push(() => server.close());
  return server;
}

function client(baseUrl: string, overrides: Partial<HttpClientOptions> = {}) {
  const http = createHttpClient({
    provider: "acme",
    baseUrl,
    auth: { type: "bearer" },
    credentials: { type: "bearer", token: "tok" },
    maxAttempts: 3,
    retryDelay: { baseMs: 1, maxMs: 2 },
    ...overrides,
  });
  cleanups.push(() => http.close());
  return http;
}

/** The same loopback server, spelled as an IP, a short IP, a decimal integer and a name. */
const spellings = (port: string) => [
  `http://127.0.0.1:${port}`,
  `http://127.1:${port}`,
  `http://2130706433:${port}`,
  `http://0x7f.0.0.1:${port}`,
  `http://localhost:${port}`,
];

describe("the address guard of the HTTP client", () => {
  it("refuses every spelling of a loopback base URL without connecting, and does not retry", async () => {
    const server = await loopbackServer();
    const port = new URL(server.url).port;
    for (const baseUrl of spellings(port)) {
      const error = await client(baseUrl)
        .request({ path: "/me" })
        .catch((e: unknown) => e);
      expect(error, baseUrl).toBeInstanceOf(AddressRefusedError);
      expect((error as AddressRefusedError).code).toBe("config_invalid");
      expect((error as Error).message).toMatch(/a loopback address/);
    }
    expect(server.connections).toBe(0);
    expect(server.requests).toHaveLength(0);
  });

  it("refuses [::1]", async () => {
    // A server on ::1 that counts connections, when this machine has IPv6 loopback.
    let connections = 0;
    const server = createServer((_req, res) => res.end("{}"));
    server.on("connection", () => connections++);
    const listening = await new Promise<boolean>((resolve) => {
      server.once("error", () => resolve(false));
      server.listen(0, "::1", () => resolve(true));
    });
    const port = listening ? (server.address() as AddressInfo).port : 9;
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
    const error = await client(`http://[::1]:${port}`)
      .request({ path: "/me" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AddressRefusedError);
    expect((error as Error).message).toContain("::1, a loopback address");
    expect(connections).toBe(0);
  });

  it("refuses a next-page link to a loopback address, whatever the base URL", async () => {
    const server = await loopbackServer();
    const http = client("http://provider.invalid");
    const error = await http.request({ path: `${server.url}/page/2` }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AddressRefusedError);
    expect(server.connections).toBe(0);
  });

  it("names the host and the address it resolved to", async () => {
    const server = await loopbackServer();
    const error = await client(server.url.replace("127.0.0.1", "localhost"))
      .request({ path: "/me" })
      .catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /^Switchyard does not send requests to localhost: it resolves to a loopback address\.$/,
    );
    // Which address a name resolves to is not said: refusals must not read out the internal DNS.
    expect((error as Error).message).not.toMatch(/127\.0\.0\.1|::1/);
  });

  it("reaches every spelling when private addresses are allowed", async () => {
    const server = await loopbackServer();
    const port = new URL(server.url).port;
    for (const baseUrl of spellings(port)) {
      const response = await client(baseUrl, { allowPrivateAddresses: true }).request({ path: "/me" });
      expect(response.body, baseUrl).toEqual({ ok: true });
    }
    expect(server.requests.length).toBe(spellings(port).length);
  });

  it("refuses a base URL carrying a user name and password, without echoing them", () => {
    const error = (() => {
      try {
        client("https://user:hunter2@api.example.com", { allowPrivateAddresses: true });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/cannot carry a user name or password/);
    expect((error as Error).message).not.toContain("hunter2");
  });
});

describe("assertBaseUrlAllowed", () => {
  it.each([
    "http://127.0.0.1:8080",
    "http://127.1",
    "http://2130706433/v3",
    "http://[::1]:3000",
    "http://localhost:4010",
  ])("refuses %s unless private addresses are allowed", async (url) => {
    await expect(assertBaseUrlAllowed(url, {})).rejects.toBeInstanceOf(AddressRefusedError);
    await expect(assertBaseUrlAllowed(url, { allowPrivateAddresses: true })).resolves.toBeUndefined();
  });

  it.each(["http://169.254.169.254/latest", "http://10.0.0.5", "http://[fd00::1]"])(
    "refuses the literal %s (classified, never contacted)",
    async (url) => {
      await expect(assertBaseUrlAllowed(url, {})).rejects.toBeInstanceOf(AddressRefusedError);
    },
  );

  it("refuses cloud metadata addresses even where private addresses are allowed", async () => {
    for (const url of [
      "http://169.254.169.254/latest/meta-data",
      "http://[::ffff:a9fe:a9fe]",
      "http://[fd00:ec2::254]",
    ]) {
      await expect(assertBaseUrlAllowed(url, { allowPrivateAddresses: true }), url).rejects.toThrow(
        /a metadata address/,
      );
    }
    // The connection-time check is the same function (never given a connection to make here).
    expect(refusalOf("metadata.internal", "169.254.169.254", { allowPrivateAddresses: true })?.message).toBe(
      "Switchyard does not send requests to metadata.internal: it resolves to a metadata address.",
    );
    expect(refusalOf("metadata.internal", "169.254.169.254", {})?.hint).toMatch(/never reached/);
    expect(refusalOf("localhost", "127.0.0.1", { allowPrivateAddresses: true })).toBeUndefined();
    expect(refusalOf("api.example.com", "93.184.215.14", {})).toBeUndefined();
  });

  it("refuses userinfo even where private addresses are allowed", async () => {
    await expect(
      assertBaseUrlAllowed("http://admin:secret@127.0.0.1", { allowPrivateAddresses: true }),
    ).rejects.toThrow(/cannot carry a user name or password/);
  });
});
