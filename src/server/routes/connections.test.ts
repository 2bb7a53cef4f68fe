import { describe, expect, it } from "vitest";
import { ApiError } from "../../client/index.ts";
import { startTestServer } from "../../http/test-server.ts";
import {
  appendRunLogs,
  countRecords,
  createRun,
  loadStreamState,
  patchConnection,
  saveStreamState,
  setEnvironmentPrivateNetwork,
  writeRecords,
} from "../../store/index.ts";
import { GOOD_TOKEN, harnessPerTest } from "../test-harness.ts";

const h = harnessPerTest();

function newConnection(overrides: Record<string, unknown> = {}) {
  return h.dev.post("/v1/connections", {
    body: {
      provider: "loopback",
      credentials: { type: "bearer", token: GOOD_TOKEN },
      end_user: { id: "customer-1", email: "ops@acme.example", organization: "Acme" },
      tags: ["trial", "eu"],
      metadata: { plan: "pro", seats: 12 },
      config: { base_url: h.provider.url },
      ...overrides,
    } as never,
  });
}

describe("connections API", () => {
  it("creates a connection and returns it without credentials", async () => {
    const created = await newConnection();
    expect(created).toMatchObject({
      provider: "loopback",
      status: "active",
      end_user: { id: "customer-1", email: "ops@acme.example", organization: "Acme" },
      tags: ["eu", "trial"],
      metadata: { plan: "pro", seats: 12 },
      config: { base_url: h.provider.url },
      last_error: null,
    });
    expect(JSON.stringify(created)).not.toContain(GOOD_TOKEN);
    expect(created.id).toMatch(/^conn_/);
    // The account token is shown once, on creation; the connection's view never carries it again.
    const { account_token: accountToken, ...view } = created;
    expect(accountToken).toMatch(/^sy_acct_[A-Za-z0-9_-]{43}$/);
    const fetched = await h.dev.get("/v1/connections/:id", { params: { id: created.id } });
    expect(fetched).toEqual(view);
    const events = await h.dev.get("/v1/events", { query: { type: "connection.created" } });
    expect(events.data.map((event) => event.connection_id)).toEqual([created.id]);
  });

  it("refuses credentials of another auth scheme, unknown providers and bad fields, naming each field", async () => {
    const wrongScheme = await h.dev.request("POST", "/v1/connections", {
      body: { provider: "keyed", credentials: { type: "bearer", token: "x" }, end_user: { id: "u" } },
    });
    expect(wrongScheme.ok).toBe(false);
    if (wrongScheme.ok) return;
    expect(wrongScheme.status).toBe(400);
    expect(wrongScheme.problem.errors).toEqual([
      { location: "body", path: "credentials.type", message: expect.stringContaining('"api_key"') },
    ]);

    const unknown = await h.dev.request("POST", "/v1/connections", {
      body: { provider: "nope", credentials: { type: "bearer", token: "x" }, end_user: { id: "u" } },
    });
    expect(unknown.ok ? 0 : unknown.problem.code).toBe("unknown_provider");

    const invalid = await h.dev.request("POST", "/v1/connections", {
      body: {
        provider: "loopback",
        credentials: { type: "bearer", token: "" },
        end_user: { id: "u", email: "not-an-email" },
        tags: ["has space"],
        surprise: true,
      } as never,
    });
    expect(invalid.ok).toBe(false);
    if (invalid.ok) return;
    expect(invalid.problem.errors?.map((issue) => issue.path).sort()).toEqual([
      "credentials.token",
      "end_user.email",
      "surprise",
      "tags.0",
    ]);
  });

  it("lists with filters on provider, end user, status and tags, page by page", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const created = await newConnection({
        end_user: { id: `customer-${i % 2}` },
        tags: i % 2 === 0 ? ["even", "all"] : ["odd", "all"],
      });
      ids.push(created.id);
    }
    await h.dev.patch("/v1/connections/:id", { params: { id: ids[0]! }, body: { status: "paused" } });

    const firstPage = await h.dev.get("/v1/connections", { query: { limit: 2 } });
    expect(firstPage.data).toHaveLength(2);
    expect(firstPage.next_cursor).toEqual(expect.any(String));
    const all = [];
    for await (const connection of h.dev.list("/v1/connections", { query: { limit: 2 } }))
      all.push(connection.id);
    expect(all.sort()).toEqual([...ids].sort());

    const even = await h.dev.get("/v1/connections", { query: { tags: ["even", "all"] } });
    expect(even.data.map((c) => c.id).sort()).toEqual([ids[0], ids[2], ids[4]].sort());
    const evenComma = await h.dev.get("/v1/connections", { query: { tags: "all,even" } });
    expect(evenComma.data).toHaveLength(3);
    const byUser = await h.dev.get("/v1/connections", { query: { end_user_id: "customer-1" } });
    expect(byUser.data.map((c) => c.id).sort()).toEqual([ids[1], ids[3]].sort());
    const paused = await h.dev.get("/v1/connections", { query: { status: "paused" } });
    expect(paused.data.map((c) => c.id)).toEqual([ids[0]]);
    const other = await h.dev.get("/v1/connections", { query: { provider: "keyed" } });
    expect(other.data).toEqual([]);
    const badCursor = await h.dev.request("GET", "/v1/connections", { query: { cursor: "garbage" } });
    expect(badCursor.ok ? 0 : badCursor.status).toBe(400);
  });

  it("updates tags, metadata, end user, status and credentials", async () => {
    const created = await newConnection();
    const updated = await h.dev.patch("/v1/connections/:id", {
      params: { id: created.id },
      body: {
        tags: ["customer"],
        metadata: { plan: "enterprise" },
        end_user: { email: "new@acme.example" },
        status: "paused",
      },
    });
    expect(updated).toMatchObject({
      tags: ["customer"],
      metadata: { plan: "enterprise" },
      end_user: { id: "customer-1", email: "new@acme.example", organization: "Acme" },
      status: "paused",
    });
    const rotated = await h.dev.patch("/v1/connections/:id", {
      params: { id: created.id },
      body: { credentials: { type: "bearer", token: GOOD_TOKEN }, status: "active" },
    });
    expect(rotated.status).toBe("active");
    const empty = await h.dev.request("PATCH", "/v1/connections/:id", {
      params: { id: created.id },
      body: {},
    });
    expect(empty.ok ? 0 : empty.status).toBe(400);
    const events = await h.dev.get("/v1/events", { query: { connection_id: created.id } });
    expect(events.data.map((event) => event.type)).toEqual([
      "connection.updated",
      "connection.updated",
      "connection.created",
    ]);
    expect(events.data[0]?.data).toMatchObject({ changed: ["credentials", "status"], status: "active" });
    expect(events.data[1]?.data).toMatchObject({ changed: ["status", "tags", "metadata", "end_user"] });
  });

  it("tests credentials live: good ones keep it active, rejected ones make it needs_reauth with a clear error", async () => {
    const created = await newConnection();
    const ok = await h.dev.post("/v1/connections/:id/test", { params: { id: created.id } });
    expect(ok.connection.status).toBe("active");
    expect(ok.connection.last_checked_at).toEqual(expect.any(String));
    expect(h.provider.requests.at(-1)?.url).toBe("/me");

    // The provider revokes the token: the loopback provider accepts only GOOD_TOKEN, so store another directly.
    const badToken = h.secret("tok-revoked-99aa88bb");
    await patchConnection(h.store.db, created.id, {
      sealedCredentials: h.deps.vault.seal(JSON.stringify({ type: "bearer", token: badToken })),
    });
    const rejected = await h.dev.request("POST", "/v1/connections/:id/test", { params: { id: created.id } });
    expect(rejected.ok).toBe(false);
    if (rejected.ok) return;
    expect(rejected.status).toBe(422);
    expect(rejected.problem.code).toBe("credentials_rejected");
    // Named as people know it, like every message (not by its registry name "loopback").
    expect(rejected.problem.detail).toBe("Loopback rejected the credentials (HTTP 401: invalid token).");
    expect(rejected.problem.hint).toMatch(/re-authorise/);
    const after = await h.dev.get("/v1/connections/:id", { params: { id: created.id } });
    expect(after.status).toBe("needs_reauth");
    expect(after.last_error?.code).toBe("credentials_rejected");
    const events = await h.dev.get("/v1/events", { query: { type: "connection.status_changed" } });
    expect(events.data[0]?.data).toMatchObject({ from: "active", to: "needs_reauth" });

    // New credentials bring it back.
    await h.dev.patch("/v1/connections/:id", {
      params: { id: created.id },
      body: { credentials: { type: "bearer", token: GOOD_TOKEN } },
    });
    const again = await h.dev.post("/v1/connections/:id/test", { params: { id: created.id } });
    expect(again.connection).toMatchObject({ status: "active", last_error: null });
  });

  it("answers 502 when the provider cannot be reached, leaving the status alone", async () => {
    const created = await newConnection({ config: { base_url: "http://127.0.0.1:9" } });
    const result = await h.dev.request("POST", "/v1/connections/:id/test", { params: { id: created.id } });
    expect(result.ok ? 0 : [result.status, result.problem.code]).toEqual([502, "provider_unavailable"]);
    const after = await h.dev.get("/v1/connections/:id", { params: { id: created.id } });
    expect(after.status).toBe("active");
    expect(after.last_error?.code).toBe("provider_unavailable");
  });

  it("deletes a connection with its records, state, runs and logs", async () => {
    const created = await newConnection();
    const keep = await newConnection();
    const { db } = h.store;
    for (const id of [created.id, keep.id]) {
      await writeRecords(db, id, "items", {
        upserts: [{ pk: "1", hash: "h", payload: "{}", deleted: false }],
        seen: [],
        at: new Date().toISOString(),
      });
      await saveStreamState(db, id, "items", { cursor: "c" });
      const run = await createRun(db, { connectionId: id, fullRefresh: false });
      await appendRunLogs(db, [{ runId: run.id, seq: 0, at: run.startedAt, level: "info", message: "hi" }]);
    }
    const runsBefore = await h.dev.get("/v1/runs", { query: { connection_id: created.id } });
    expect(runsBefore.data).toHaveLength(1);

    expect(await h.dev.delete("/v1/connections/:id", { params: { id: created.id } })).toEqual({
      id: created.id,
      deleted: true,
    });
    await expect(h.dev.get("/v1/connections/:id", { params: { id: created.id } })).rejects.toMatchObject({
      status: 404,
      problem: { code: "not_found" },
    });
    expect(await countRecords(db, created.id, "items")).toEqual({ live: 0, deleted: 0 });
    expect(await loadStreamState(db, created.id, "items")).toBeUndefined();
    expect(await db.selectFrom("runs").where("connection_id", "=", created.id).selectAll().execute()).toEqual(
      [],
    );
    const runId = runsBefore.data[0]!.id;
    expect(await db.selectFrom("run_logs").where("run_id", "=", runId).selectAll().execute()).toEqual([]);
    // The other connection keeps everything.
    expect(await countRecords(db, keep.id, "items")).toEqual({ live: 1, deleted: 0 });
    expect(await h.dev.get("/v1/runs", { query: { connection_id: keep.id } })).toMatchObject({
      data: [expect.anything()],
    });
    const deleted = await h.dev.get("/v1/events", { query: { type: "connection.deleted" } });
    expect(deleted.data[0]?.connection_id).toBe(created.id);
    await expect(h.dev.delete("/v1/connections/:id", { params: { id: created.id } })).rejects.toBeInstanceOf(
      ApiError,
    );
  });
});

describe("connections API: credentials are checked on update", () => {
  it("refuses a PATCH whose new credentials the provider rejects, with its words, changing nothing", async () => {
    const created = await newConnection();
    const before = h.provider.requests.length;
    const badToken = h.secret("tok-typo-5e6f7a8b");
    const refused = await h.dev.request("PATCH", "/v1/connections/:id", {
      params: { id: created.id },
      body: { credentials: { type: "bearer", token: badToken }, tags: ["changed"] },
    });
    expect(refused.ok ? 200 : [refused.status, refused.problem.code, refused.problem.detail]).toEqual([
      422,
      "credentials_rejected",
      "Loopback rejected the credentials (HTTP 401: invalid token).",
    ]);
    // One live call, with the new token; nothing stored: the old token still works and nothing else changed.
    expect(h.provider.requests.slice(before).map((r) => r.headers.authorization)).toEqual([
      `Bearer ${badToken}`,
    ]);
    const after = await h.dev.get("/v1/connections/:id", { params: { id: created.id } });
    expect(after).toMatchObject({ status: "active", tags: ["eu", "trial"], last_error: null });
    const tested = await h.dev.post("/v1/connections/:id/test", { params: { id: created.id } });
    expect(h.provider.requests.at(-1)?.headers.authorization).toBe(`Bearer ${GOOD_TOKEN}`);
    expect(tested.connection.status).toBe("active");
    const updates = await h.dev.get("/v1/events", { query: { type: "connection.updated" } });
    expect(updates.data).toEqual([]);
  });

  it("stores credentials the provider accepts and records when they were checked", async () => {
    const created = await newConnection();
    expect(created.last_checked_at).toBeNull();
    const started = new Date().toISOString();
    const updated = await h.dev.patch("/v1/connections/:id", {
      params: { id: created.id },
      body: { credentials: { type: "bearer", token: GOOD_TOKEN } },
    });
    expect(updated.status).toBe("active");
    expect(updated.last_checked_at! >= started).toBe(true);
    const events = await h.dev.get("/v1/events", { query: { type: "connection.updated" } });
    expect(events.data[0]?.data).toMatchObject({ changed: ["credentials"] });
  });
});

describe("connections API: the base URL cannot reach private addresses (SSRF)", () => {
  /** The dev environment as a real one is: private addresses not allowed. */
  const publicOnly = () => setEnvironmentPrivateNetwork(h.store.db, h.environments.dev.id, false);

  it("refuses a base_url on loopback, however it is spelled, before anything is stored or called", async () => {
    await publicOnly();
    const port = new URL(h.provider.url).port;
    for (const baseUrl of [
      `http://127.0.0.1:${port}`,
      `http://127.1:${port}`,
      `http://2130706433:${port}`,
      `http://[::1]:${port}`,
      `http://localhost:${port}`,
    ]) {
      const refused = await h.dev.request("POST", "/v1/connections", {
        body: {
          provider: "loopback",
          credentials: { type: "bearer", token: GOOD_TOKEN },
          end_user: { id: "customer-1" },
          config: { base_url: baseUrl },
        },
      });
      expect(refused.ok ? baseUrl : [refused.status, refused.problem.errors?.[0]?.path]).toEqual([
        400,
        "config.base_url",
      ]);
      expect(refused.ok ? "" : refused.problem.detail).toMatch(/a loopback address/);
    }
    expect((await h.dev.get("/v1/connections")).data).toEqual([]);
    expect(h.provider.requests).toHaveLength(0);
  });

  it("refuses to PATCH a base_url to a loopback address", async () => {
    const created = await newConnection({ config: { base_url: "https://api.example.com" } });
    await publicOnly();
    const refused = await h.dev.request("PATCH", "/v1/connections/:id", {
      params: { id: created.id },
      body: { config: { base_url: `http://localhost:${new URL(h.provider.url).port}/x` } },
    });
    expect(refused.ok ? 200 : [refused.status, refused.problem.errors?.[0]?.path]).toEqual([
      400,
      "config.base_url",
    ]);
    const after = await h.dev.get("/v1/connections/:id", { params: { id: created.id } });
    expect(after.config).toEqual({ base_url: "https://api.example.com" });
  });

  it("refuses a live test of a stored loopback base URL once the environment no longer allows it", async () => {
    const created = await newConnection();
    await publicOnly();
    const result = await h.dev.request("POST", "/v1/connections/:id/test", { params: { id: created.id } });
    expect(result.ok ? 200 : result.problem.code).toBe("config_invalid");
    expect(result.ok ? "" : result.problem.detail).toMatch(/127\.0\.0\.1, a loopback address/);
    expect(h.provider.requests).toHaveLength(0);
  });

  it("refuses a base_url with a user name and password, in any environment, and never stores it", async () => {
    const password = h.secret("pw-9f8e7d6c5b");
    const refused = await h.dev.request("POST", "/v1/connections", {
      body: {
        provider: "loopback",
        credentials: { type: "bearer", token: GOOD_TOKEN },
        end_user: { id: "customer-1" },
        config: { base_url: `https://admin:${password}@api.example.com/v3` },
      },
    });
    expect(refused.ok ? 201 : [refused.status, refused.problem.errors?.[0]?.path]).toEqual([
      400,
      "config.base_url",
    ]);
    expect(JSON.stringify(refused)).not.toContain(password);
    expect(refused.ok ? "" : refused.problem.detail).toMatch(/cannot carry a user name or password/);
  });

  it("never shows a user:password stored in a base URL before they were refused", async () => {
    const created = await newConnection({ config: { base_url: "https://api.example.com" } });
    // Not tracked as a secret: this test writes it into the database itself, as older versions did.
    const password = "pw-legacy-1a2b3c";
    await patchConnection(h.store.db, created.id, {
      config: { baseUrl: `https://admin:${password}@api.example.com/v3` },
    });
    const shown = await h.dev.get("/v1/connections/:id", { params: { id: created.id } });
    expect(shown.config).toEqual({ base_url: "https://api.example.com/v3" });
    expect(JSON.stringify(shown)).not.toContain(password);
  });

  it("never echoes the body of what answered into the problem", async () => {
    const target = await startTestServer((_req, res) => {
      res.writeHead(404, { "content-type": "text/html" });
      res.end("<html><title>Admin console</title><body>root password: swordfish</body></html>");
    });
    try {
      const created = await newConnection({ config: { base_url: target.url } });
      const result = await h.dev.request("POST", "/v1/connections/:id/test", { params: { id: created.id } });
      expect(result.ok).toBe(false);
      expect(JSON.stringify(result)).not.toMatch(/swordfish|Admin console/);
      const after = await h.dev.get("/v1/connections/:id", { params: { id: created.id } });
      expect(JSON.stringify(after.last_error)).not.toMatch(/swordfish|Admin console/);
      expect(target.requests).toHaveLength(1);
    } finally {
      await target.close();
    }
  });
});
