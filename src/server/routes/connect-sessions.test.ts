/**
 * Connect sessions through the API and the page API they open: creation (token shown once, stored hashed),
 * expiry, single use, environment isolation, and the API-key path — credentials checked live before saving.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { setEnvironmentPrivateNetwork } from "../../store/index.ts";
import { GOOD_TOKEN, harnessPerTest } from "../test-harness.ts";

const h = harnessPerTest();

const END_USER = { id: "customer-7", email: "it@globex.example", organization: "Globex" };

async function openSession(body: Record<string, unknown> = {}, client = h.dev) {
  const session = await client.post("/v1/connect-sessions", {
    body: { end_user: END_USER, ...body } as never,
  });
  h.secret(session.token);
  return session;
}

/** Calls the page API with a session token. */
async function page(method: "GET" | "POST", path: string, token: string | undefined, body?: unknown) {
  const response = await h.app.inject({
    method,
    url: path,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    ...(body !== undefined ? { payload: body as object } : {}),
  });
  return {
    status: response.statusCode,
    body: response.json() as Record<string, unknown> & { code?: string },
  };
}

function submit(token: string, fields: Record<string, string>, provider = "loopback") {
  return page("POST", "/connect/api/credentials", token, { provider, fields });
}

describe("connect sessions API", () => {
  it("opens a session with a short-lived token shown once and stored only as its hash", async () => {
    const before = Date.now();
    const session = await openSession();
    expect(session).toMatchObject({
      status: "pending",
      end_user: END_USER,
      allowed_providers: ["loopback", "keyed"],
      connection_id: null,
      used_at: null,
    });
    expect(session.id).toMatch(/^cs_/);
    expect(session.token).toMatch(/^cst_[A-Za-z0-9_-]{43}$/);
    expect(session.connect_url).toBe(`http://switchyard.test/connect?token=${session.token}`);
    const lifetime = Date.parse(session.expires_at) - before;
    expect(lifetime).toBeGreaterThan(1_795_000);
    expect(lifetime).toBeLessThanOrEqual(1_800_000 + 1_000);
    const stored = await h.store.db.selectFrom("connect_sessions").selectAll().executeTakeFirstOrThrow();
    expect(stored.token_hash).toBe(createHash("sha256").update(session.token).digest("hex"));
    const fetched = await h.dev.get("/v1/connect-sessions/:id", { params: { id: session.id } });
    expect(fetched).not.toHaveProperty("token");
    expect(fetched).toEqual({
      ...session,
      token: undefined,
      connect_url: undefined,
    } as never);
  });

  it("takes allowed providers and a lifetime of 60 s to 24 h, and refuses unknown providers", async () => {
    const short = await openSession({ allowed_providers: ["keyed", "keyed"], expires_in: 60 });
    expect(short.allowed_providers).toEqual(["keyed"]);
    expect(Date.parse(short.expires_at) - Date.parse(short.created_at)).toBeLessThanOrEqual(60_500);
    for (const expires_in of [59, 86_401, 1.5]) {
      const refused = await h.dev.request("POST", "/v1/connect-sessions", {
        body: { end_user: END_USER, expires_in },
      });
      expect(refused.ok ? 200 : refused.problem.errors?.[0]?.path).toBe("expires_in");
    }
    const unknown = await h.dev.request("POST", "/v1/connect-sessions", {
      body: { end_user: END_USER, allowed_providers: ["nope"] },
    });
    expect(unknown.ok ? 201 : unknown.problem.code).toBe("unknown_provider");
  });

  it("keeps sessions within their environment", async () => {
    const session = await openSession();
    const fromProd = await h.prod.request("GET", "/v1/connect-sessions/:id", { params: { id: session.id } });
    expect(fromProd.status).toBe(404);
    expect(
      (await h.prod.request("DELETE", "/v1/connect-sessions/:id", { params: { id: session.id } })).status,
    ).toBe(404);
    const connection = await h.dev.post("/v1/connections", {
      body: { provider: "loopback", credentials: { type: "bearer", token: GOOD_TOKEN }, end_user: END_USER },
    });
    const reconnectFromProd = await h.prod.request("POST", "/v1/connect-sessions", {
      body: { end_user: END_USER, connection_id: connection.id },
    });
    expect(reconnectFromProd.status).toBe(404);
    // The page of a dev session works, and what it creates lands in dev.
    expect((await submit(session.token, { token: GOOD_TOKEN })).status).toBe(201);
    expect((await h.prod.get("/v1/connections")).data).toEqual([]);
  });
});

describe("Connect page API", () => {
  it("describes the session: end user and, per provider, its form fields", async () => {
    const session = await openSession();
    const view = await page("GET", "/connect/api/session", session.token);
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({
      id: session.id,
      end_user: { email: END_USER.email, organization: END_USER.organization },
      providers: [
        {
          name: "loopback",
          display_name: "Loopback",
          oauth2: false,
          fields: [{ name: "token", label: "Access token", type: "secret" }],
        },
        { name: "keyed", fields: [{ name: "key", label: "API key", type: "secret" }] },
      ],
    });
  });

  it("refuses missing, unknown and expired tokens, each with its own code", async () => {
    expect((await page("GET", "/connect/api/session", undefined)).body.code).toBe("unauthenticated");
    const wrong = await page("GET", "/connect/api/session", "cst_nope");
    expect([wrong.status, wrong.body.code]).toEqual([401, "unauthenticated"]);
    const session = await openSession();
    await h.store.db
      .updateTable("connect_sessions")
      .set({ expires_at: new Date(Date.now() - 1).toISOString() })
      .execute();
    const expired = await page("GET", "/connect/api/session", session.token);
    expect([expired.status, expired.body.code]).toEqual([410, "connect_session_expired"]);
    expect((await submit(session.token, { token: GOOD_TOKEN })).status).toBe(410);
    expect((await h.dev.get("/v1/connect-sessions/:id", { params: { id: session.id } })).status).toBe(
      "expired",
    );
  });

  it("ends a session on DELETE: its token stops working at once", async () => {
    const session = await openSession();
    const ended = await h.dev.delete("/v1/connect-sessions/:id", { params: { id: session.id } });
    expect(ended.status).toBe("expired");
    expect((await page("GET", "/connect/api/session", session.token)).status).toBe(410);
  });

  it("checks credentials live: the provider's refusal is shown and nothing is saved; good ones connect once", async () => {
    const session = await openSession();
    const wrong = h.secret("tok-wrong-8c1d2e3f");
    const refused = await submit(session.token, { token: wrong });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: "credentials_rejected" });
    expect(refused.body.detail).toBe("Loopback rejected the credentials (HTTP 401: invalid token).");
    expect((await h.dev.get("/v1/connections")).data).toEqual([]);
    expect(h.provider.requests.at(-1)?.headers.authorization).toBe(`Bearer ${wrong}`);

    const checking = new Date().toISOString();
    const connected = await submit(session.token, { token: GOOD_TOKEN });
    expect(connected.status).toBe(201);
    const connectionId = (connected.body.connection as { id: string }).id;
    const connection = await h.dev.get("/v1/connections/:id", { params: { id: connectionId } });
    expect(connection).toMatchObject({ provider: "loopback", status: "active", end_user: END_USER });
    // It was checked live: that is when.
    expect(connection.last_checked_at! >= checking).toBe(true);
    const events = await h.dev.get("/v1/events", { query: { type: "connection.created" } });
    expect(events.data[0]).toMatchObject({
      connection_id: connectionId,
      data: {
        connection_id: connectionId,
        provider: "loopback",
        connect_session_id: session.id,
        end_user: END_USER,
      },
    });
    expect(await h.dev.get("/v1/connect-sessions/:id", { params: { id: session.id } })).toMatchObject({
      status: "connected",
      connection_id: connectionId,
      used_at: expect.any(String),
    });
    // Used: the token opens nothing any more.
    const reused = await submit(session.token, { token: GOOD_TOKEN });
    expect([reused.status, reused.body.code]).toEqual([409, "connect_session_used"]);
    expect((await page("GET", "/connect/api/session", session.token)).body.code).toBe("connect_session_used");
    expect((await h.dev.get("/v1/connections")).data).toHaveLength(1);
  });

  it("does not check credentials at a private address unless the environment allows it", async () => {
    await setEnvironmentPrivateNetwork(h.store.db, h.environments.dev.id, false);
    const session = await openSession();
    const refused = await submit(session.token, { token: GOOD_TOKEN });
    expect([refused.status, refused.body.code]).toEqual([500, "config_invalid"]);
    expect(refused.body.detail).toMatch(/127\.0\.0\.1, a loopback address/);
    expect(h.provider.requests).toHaveLength(0);
    expect((await h.dev.get("/v1/connections")).data).toEqual([]);
  });

  it("of two simultaneous submissions, exactly one connects", async () => {
    const session = await openSession();
    const results = await Promise.all([1, 2, 3].map(() => submit(session.token, { token: GOOD_TOKEN })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    expect((await h.dev.get("/v1/connections")).data).toHaveLength(1);
  });

  it("names each wrong field, and refuses providers the session does not allow", async () => {
    const session = await openSession({ allowed_providers: ["loopback"] });
    const empty = await submit(session.token, { token: "  ", extra: "x" });
    expect(empty.status).toBe(400);
    expect(empty.body.errors).toEqual([
      { location: "body", path: "fields.extra", message: "Unknown field for this provider." },
      { location: "body", path: "fields.token", message: "Enter the Access token." },
    ]);
    const other = await submit(session.token, { key: "k" }, "keyed");
    expect([other.status, other.body.code]).toEqual([404, "not_found"]);
    const noOAuth = await page("POST", "/connect/api/oauth/start", session.token, { provider: "loopback" });
    expect([noOAuth.status, noOAuth.body.code]).toEqual([400, "argument_invalid"]);
  });

  it("re-authorises a given connection instead of creating one", async () => {
    const connection = await h.dev.post("/v1/connections", {
      body: {
        provider: "loopback",
        credentials: { type: "bearer", token: "tok-old-0a9b" },
        end_user: END_USER,
      },
    });
    h.secret("tok-old-0a9b");
    await h.dev.request("POST", "/v1/connections/:id/test", { params: { id: connection.id } });
    expect((await h.dev.get("/v1/connections/:id", { params: { id: connection.id } })).status).toBe(
      "needs_reauth",
    );
    const wrongUser = await h.dev.request("POST", "/v1/connect-sessions", {
      body: { end_user: { id: "someone-else" }, connection_id: connection.id },
    });
    expect(wrongUser.ok ? 201 : wrongUser.problem.errors?.[0]?.path).toBe("end_user.id");
    const session = await openSession({ connection_id: connection.id });
    expect(session).toMatchObject({ allowed_providers: ["loopback"], connection_id: connection.id });
    const checking = new Date().toISOString();
    expect((await submit(session.token, { token: GOOD_TOKEN })).status).toBe(201);
    const reconnected = await h.dev.get("/v1/connections/:id", { params: { id: connection.id } });
    expect(reconnected).toMatchObject({ status: "active", last_error: null });
    expect(reconnected.last_checked_at! >= checking).toBe(true);
    expect((await h.dev.get("/v1/connections")).data).toHaveLength(1);
    const updated = await h.dev.get("/v1/events", { query: { type: "connection.updated" } });
    expect(updated.data[0]?.data).toMatchObject({ changed: ["credentials"], status: "active" });
  });

  it("serves the page with a strict policy and no external URLs", async () => {
    const html = await h.app.inject({ url: "/connect?token=cst_x" });
    expect(html.statusCode).toBe(200);
    expect(html.headers["content-security-policy"]).toContain("default-src 'none'");
    expect(html.headers["referrer-policy"]).toBe("no-referrer");
    expect(html.body).not.toMatch(/https?:\/\//);
    for (const asset of ["/connect/connect.css", "/connect/connect.js"]) {
      const response = await h.app.inject({ url: asset });
      expect(response.statusCode, asset).toBe(200);
      expect(response.body).not.toMatch(/https?:\/\//);
    }
  });
});
