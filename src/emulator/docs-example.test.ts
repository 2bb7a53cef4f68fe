/**
 * The tiny emulator of docs/emulator-kit.md works as the doc says: the kit's guard (credentials, rate limits,
 * faults), a provider's own error body and headers, the paging helpers, changes over time, the control API,
 * an RFC-style OAuth server with rotating refresh tokens and Basic client auth, and the command.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startAcmeEmulator } from "../../docs/examples/tiny-emulator.ts";
import { approveInEmulator, call, postTokenForm } from "./testing.ts";

const APP = {
  clientId: "acme-client",
  clientSecret: "acme-secret",
  name: "Sync app",
  redirectUris: ["http://127.0.0.1:9/callback"],
  scopes: ["contacts:read", "deals:read"],
};

let acme: Awaited<ReturnType<typeof startAcmeEmulator>>;
beforeAll(async () => {
  acme = await startAcmeEmulator({ people: 25, oauthApps: [APP] });
});
afterAll(() => acme.close());
afterEach(() => acme.reset());

interface Page {
  data: { id: number; name: string; update_time: string }[];
  additional_data: {
    pagination?: { more_items_in_collection: boolean; next_start?: number };
    next_cursor?: string;
  };
}

describe("the tiny emulator", () => {
  it("pages v1 by offset and v2 by cursor, with the same people", async () => {
    const v1: number[] = [];
    for (let start: number | undefined = 0; start !== undefined; ) {
      const page: { json: Page } = await call<Page>(acme, "GET", `/v1/persons?start=${start}&limit=10`);
      v1.push(...page.json.data.map((person) => person.id));
      start = page.json.additional_data.pagination?.next_start;
    }
    const v2: number[] = [];
    let cursor: string | undefined = "";
    while (cursor !== undefined) {
      const page: { json: Page } = await call<Page>(acme, "GET", `/v2/persons?limit=7&cursor=${cursor}`);
      v2.push(...page.json.data.map((person) => person.id));
      cursor = page.json.additional_data.next_cursor ?? undefined;
    }
    expect(v1).toHaveLength(25);
    expect(v2).toEqual(v1);
  });

  it("accepts the API token in the query, and answers refusals in Acme's shape", async () => {
    const viaQuery = await call(acme, "GET", "/v1/persons/1?api_token=acme-token-1", { token: null });
    expect(viaQuery.status).toBe(200);
    const missing = await call(acme, "GET", "/v1/persons/1", { token: null });
    expect(missing).toMatchObject({ status: 401, json: { success: false, error_code: "unauthorized" } });
    expect(missing.headers.get("x-acme-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const unknown = await call(acme, "GET", "/v1/persons/999");
    expect(unknown.json).toEqual({ success: false, error: "Person 999 not found.", error_code: "not_found" });
    const badLimit = await call(acme, "GET", "/v1/persons?limit=501");
    expect(badLimit).toMatchObject({ status: 400, json: { error_code: "invalid_request" } });
    expect((badLimit.json as { error: string }).error).toContain(
      "limit must be an integer between 1 and 500",
    );
  });

  it("sends its rate-limit headers and 429s past the window", async () => {
    await call(acme, "POST", "/_emulator/rate-limit", { token: null, body: { perTwoSeconds: 2 } });
    try {
      const first = await call(acme, "GET", "/v1/persons/1");
      expect(first.headers.get("x-ratelimit-limit")).toBe("2");
      expect(first.headers.get("x-ratelimit-remaining")).toBe("1");
      await call(acme, "GET", "/v1/persons/1");
      const over = await call(acme, "GET", "/v1/persons/1");
      expect(over).toMatchObject({ status: 429, json: { error_code: "rate_limited" } });
    } finally {
      acme.setRateLimit({ perTwoSeconds: 80 });
    }
  });

  it("changes people over time, and v2 reads only what changed since", async () => {
    const before = (await call<{ clock: string }>(acme, "GET", "/_emulator/state", { token: null })).json
      .clock;
    const changed = await call<{ updated: number[]; created: number[]; archived: number[] }>(
      acme,
      "POST",
      "/_emulator/change",
      { token: null, body: { updates: 3, creates: 2, archives: 1 } },
    );
    const { updated, created, archived } = changed.json;
    const since = await call<Page>(
      acme,
      "GET",
      `/v2/persons?updated_since=${new Date(Date.parse(before) + 1).toISOString()}`,
    );
    expect(since.json.data.map((person) => person.id).sort((a, b) => a - b)).toEqual(
      [...updated, ...created].sort((a, b) => a - b),
    );
    expect((await call(acme, "GET", `/v1/persons/${archived[0]}`)).status).toBe(404);
    const refused = await call(acme, "POST", "/_emulator/change", { token: null, body: { updates: -1 } });
    expect(refused).toMatchObject({ status: 400, json: { success: false } });
  });

  it("applies the fault knobs to the API, never to the controls", async () => {
    acme.setFaults({ htmlRate: 1 });
    const html = await call(acme, "GET", "/v1/persons/1");
    expect(html.status).toBe(200);
    expect(html.text).toContain("<title>Acme is down</title>");
    expect((await call(acme, "GET", "/_emulator/state", { token: null })).status).toBe(200);
    acme.setFaults({ htmlRate: 0, rate5xx: 1 });
    const failed = await call(acme, "GET", "/v1/persons/1");
    expect([500, 502, 503]).toContain(failed.status);
    acme.setFaults({ rate5xx: 0 });
  });
});

describe("the tiny emulator's OAuth server", () => {
  it("exchanges a code with Basic client auth, returns the API domain, and rotates refresh tokens", async () => {
    const authorize = new URL("/oauth/authorize", acme.url);
    authorize.search = new URLSearchParams({
      client_id: APP.clientId,
      redirect_uri: APP.redirectUris[0]!,
    }).toString();
    const redirect = await approveInEmulator(authorize.href);
    const basic = {
      authorization: `Basic ${Buffer.from(`${APP.clientId}:${APP.clientSecret}`).toString("base64")}`,
    };
    const tokenUrl = `${acme.url}/oauth/token`;
    const code = redirect.searchParams.get("code")!;
    const exchanged = await postTokenForm(
      tokenUrl,
      { grant_type: "authorization_code", code, redirect_uri: APP.redirectUris[0]! },
      basic,
    );
    expect(exchanged).toMatchObject({ status: 200, body: { token_type: "bearer", api_domain: acme.url } });
    const people = await call(acme, "GET", "/v1/persons/1", { token: exchanged.body.access_token as string });
    expect(people.status).toBe(200);

    const first = exchanged.body.refresh_token as string;
    const refreshed = await postTokenForm(
      tokenUrl,
      { grant_type: "refresh_token", refresh_token: first },
      basic,
    );
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(first);
    const reused = await postTokenForm(
      tokenUrl,
      { grant_type: "refresh_token", refresh_token: first },
      basic,
    );
    expect(reused).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    const wrongSecret = await postTokenForm(tokenUrl, {
      grant_type: "refresh_token",
      refresh_token: refreshed.body.refresh_token as string,
      client_id: APP.clientId,
      client_secret: "nope",
    });
    expect(wrongSecret).toMatchObject({ status: 401, body: { error: "invalid_client" } });
  });
});

describe("the tiny emulator's command", () => {
  it("starts on a free port, says where, and applies fault flags", async () => {
    const main = fileURLToPath(new URL("../../docs/examples/tiny-emulator-main.ts", import.meta.url));
    const child = spawn(
      process.execPath,
      ["--import", "tsx", main, "--port", "0", "--people", "5", "--rate-429", "1"],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    try {
      const line = await new Promise<string>((resolve) =>
        createInterface({ input: child.stdout }).once("line", resolve),
      );
      const listening = JSON.parse(line) as { event: string; url: string; tokens: string[] };
      expect(listening).toMatchObject({ event: "listening", tokens: ["acme-token-1"] });
      const limited = await call({ url: listening.url, tokens: listening.tokens }, "GET", "/v1/persons");
      expect(limited).toMatchObject({ status: 429, json: { error_code: "rate_limited" } });
    } finally {
      child.kill("SIGTERM");
    }
  }, 30_000);
});
