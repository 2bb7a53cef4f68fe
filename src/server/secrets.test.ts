/**
 * No credential used here — provider tokens, API keys, Connect session tokens and the credentials end users
 * type into the Connect page, OAuth codes and states — may be found in the SQLite files (main and WAL) or in
 * any log line the server wrote at trace level, whatever path a request took (success, validation error,
 * rejected credentials, update, delete).
 */
import { describe, expect, it } from "vitest";
import { appendEvent } from "../store/index.ts";
import { GOOD_TOKEN, startHarness } from "./test-harness.ts";

describe("secrets at rest and in logs", () => {
  it("finds none of the suite's credentials in the database files or the logs", async () => {
    const h = await startHarness();
    try {
      const created = await h.dev.post("/v1/connections", {
        body: {
          provider: "loopback",
          credentials: { type: "bearer", token: GOOD_TOKEN },
          end_user: { id: "secret-test" },
          config: { base_url: h.provider.url },
        },
      });
      await h.dev.post("/v1/connections/:id/test", { params: { id: created.id } });
      const rejected = h.secret("tok-rejected-5e6f7a8b9c");
      // An update with credentials the provider rejects is refused (checked live), and nothing is stored.
      const patched = await h.dev.request("PATCH", "/v1/connections/:id", {
        params: { id: created.id },
        body: { credentials: { type: "bearer", token: rejected } },
      });
      expect(patched.ok ? 200 : patched.status).toBe(422);
      await h.dev.request("POST", "/v1/connections/:id/test", { params: { id: created.id } });
      // Invalid requests that carry credentials: refused, and the credentials are not echoed or logged.
      const refused = h.secret("tok-refused-1a2b3c4d5e");
      const invalid = await h.app.inject({
        method: "POST",
        url: "/v1/connections",
        headers: { authorization: `Bearer ${h.keys.dev}` },
        payload: {
          provider: "keyed",
          credentials: { type: "bearer", token: refused },
          end_user: { id: "x" },
        },
      });
      expect(invalid.statusCode).toBe(400);
      expect(invalid.body).not.toContain(refused);
      const basicPassword = h.secret("pw-basic-77f0e1d2");
      const malformed = await h.app.inject({
        method: "POST",
        url: "/v1/connections",
        headers: { authorization: `Bearer ${h.keys.dev}`, "content-type": "application/json" },
        payload: `{"credentials": {"type": "basic", "username": "u", "password": "${basicPassword}"`,
      });
      expect(malformed.statusCode).toBe(400);
      expect(malformed.body).not.toContain(basicPassword);
      const apiKey = await h.dev.post("/v1/api-keys", { body: { name: "ci" } });
      h.secret(apiKey.secret);
      await h.client(apiKey.secret).get("/v1/runs");
      await h.dev.delete("/v1/api-keys/:id", { params: { id: apiKey.id } });
      await h.client(apiKey.secret).request("GET", "/v1/runs");
      await h.dev.delete("/v1/connections/:id", { params: { id: created.id } });

      // Connect: the session token (in the page URL, then as a bearer token) and the credentials an end user
      // typed, wrong and right, reach neither the database nor the logs.
      const session = await h.dev.post("/v1/connect-sessions", { body: { end_user: { id: "secret-test" } } });
      h.secret(session.token);
      await h.app.inject({ url: `/connect?token=${session.token}` });
      const typedWrong = h.secret("tok-typed-wrong-3d4e5f6a");
      for (const token of [typedWrong, GOOD_TOKEN]) {
        const reply = await h.app.inject({
          method: "POST",
          url: "/connect/api/credentials",
          headers: { authorization: `Bearer ${session.token}` },
          payload: { provider: "loopback", fields: { token } },
        });
        expect(reply.body).not.toContain(token);
      }
      expect(h.logs.join("\n")).toContain("/connect?token=[REDACTED]");
      await h.app.inject({ url: "/connect/oauth/callback?code=code-secret-77aa&state=state-secret-88bb" });
      h.secret("code-secret-77aa");
      h.secret("state-secret-88bb");

      expect(h.logs.length).toBeGreaterThan(20);
      expect(await h.leakedSecrets()).toEqual([]);

      // The scan itself works: a secret that does reach the database is found.
      const canary = h.secret("canary-written-in-plaintext-0f9e8d");
      await appendEvent(h.store.db, {
        environmentId: h.environments.dev.id,
        type: "test.canary",
        data: { canary },
      });
      expect(await h.leakedSecrets()).toEqual([canary]);
    } finally {
      await h.close();
    }
  });
});
