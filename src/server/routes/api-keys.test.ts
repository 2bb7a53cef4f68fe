import { statSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { hashApiKey } from "../../app/api-keys/api-keys.ts";
import { harnessPerTest } from "../test-harness.ts";

const h = harnessPerTest();

describe("API keys and environments", () => {
  it("creates a key shown once, stores only its hash, and lists it without the secret", async () => {
    const created = await h.dev.post("/v1/api-keys", { body: { name: "backend" } });
    h.secret(created.secret);
    expect(created.secret).toMatch(/^sy_dev_[A-Za-z0-9_-]{43}$/);
    expect(created.secret.startsWith(created.prefix)).toBe(true);
    expect(created).toMatchObject({
      name: "backend",
      environment: "dev",
      revoked_at: null,
      last_used_at: null,
    });
    const row = await h.store.db
      .selectFrom("api_keys")
      .selectAll()
      .where("id", "=", created.id)
      .executeTakeFirst();
    expect(row?.hash).toBe(hashApiKey(created.secret));

    const listed = await h.dev.get("/v1/api-keys");
    expect(listed.data.map((key) => key.name).sort()).toEqual(["backend", "test dev"]);
    expect(JSON.stringify(listed)).not.toContain(created.secret);
    expect(listed.data.every((key) => !("secret" in key) && !("hash" in key))).toBe(true);

    // Using it records last_used_at.
    await h.client(created.secret).get("/v1/connections");
    const used = (await h.dev.get("/v1/api-keys")).data.find((key) => key.id === created.id);
    expect(used?.last_used_at).toEqual(expect.any(String));
  });

  it("revokes keys of its own environment only; revoked keys are listed on request", async () => {
    const created = await h.dev.post("/v1/api-keys", { body: { name: "temp" } });
    h.secret(created.secret);
    const revoked = await h.dev.delete("/v1/api-keys/:id", { params: { id: created.id } });
    expect(revoked.revoked_at).toEqual(expect.any(String));
    expect((await h.dev.get("/v1/api-keys")).data.map((key) => key.id)).not.toContain(created.id);
    const all = await h.dev.get("/v1/api-keys", { query: { include_revoked: true } });
    expect(all.data.map((key) => key.id)).toContain(created.id);
    // A prod key cannot see or revoke dev's keys.
    const devKeyId = all.data.find((key) => key.name === "test dev")!.id;
    const attempt = await h.prod.request("DELETE", "/v1/api-keys/:id", { params: { id: devKeyId } });
    expect(attempt.ok ? 0 : attempt.status).toBe(404);
    expect((await h.dev.get("/v1/connections")).data).toEqual([]);
    const events = await h.dev.get("/v1/events", { query: { type: "api_key.revoked" } });
    expect(events.data[0]?.data).toMatchObject({ api_key_id: created.id });
  });

  it("lists dev and prod by default and creates environments that come with their own first key", async () => {
    const listed = await h.dev.get("/v1/environments");
    expect(listed.data.map((env) => [env.name, env.current])).toEqual([
      ["dev", true],
      ["prod", false],
    ]);
    const created = await h.dev.post("/v1/environments", { body: { name: "staging" } });
    h.secret(created.api_key.secret);
    expect(created.environment).toMatchObject({ name: "staging", current: false });
    expect(created.api_key.secret).toMatch(/^sy_staging_/);
    const staging = h.client(created.api_key.secret);
    expect((await staging.get("/v1/environments")).data.find((env) => env.current)?.name).toBe("staging");
    expect((await staging.get("/v1/api-keys")).data.map((key) => key.name)).toEqual(["first key"]);

    const duplicate = await h.dev.request("POST", "/v1/environments", { body: { name: "staging" } });
    expect(duplicate.ok ? 0 : [duplicate.status, duplicate.problem.code]).toEqual([409, "conflict"]);
    const badName = await h.dev.request("POST", "/v1/environments", { body: { name: "Not OK!" } });
    expect(badName.ok ? 0 : badName.problem.errors?.[0]?.path).toBe("name");
  });

  it("an environment key sees only its own environment and may not create environments or admin keys", async () => {
    const listed = await h.prod.get("/v1/environments");
    expect(listed.data.map((env) => [env.name, env.current])).toEqual([["prod", true]]);
    const refused = await h.prod.request("POST", "/v1/environments", { body: { name: "sneaky" } });
    expect(refused.ok ? 0 : [refused.status, refused.problem.code]).toEqual([403, "forbidden"]);
    if (!refused.ok) {
      expect(refused.problem.detail).toContain('belongs to environment "prod"');
      expect(refused.problem.hint).toContain("admin key");
    }
    expect((await h.dev.get("/v1/environments")).data.map((env) => env.name)).not.toContain("sneaky");

    const adminKey = await h.prod.request("POST", "/v1/api-keys", { body: { name: "up", admin: true } });
    expect(adminKey.ok ? 0 : adminKey.status).toBe(403);
    // An admin key may make another admin key, which environment keys may not revoke.
    const made = await h.dev.post("/v1/api-keys", { body: { name: "ops", admin: true } });
    h.secret(made.secret);
    expect(made.admin).toBe(true);
    expect((await h.client(made.secret).get("/v1/environments")).data).toHaveLength(2);
    const devEnvKey = await h.dev.post("/v1/api-keys", { body: { name: "plain" } });
    h.secret(devEnvKey.secret);
    expect(devEnvKey.admin).toBe(false);
    const revoke = await h
      .client(devEnvKey.secret)
      .request("DELETE", "/v1/api-keys/:id", { params: { id: made.id } });
    expect(revoke.ok ? 0 : revoke.status).toBe(403);
  });

  it("lists the providers with their auth schemes", async () => {
    const providers = await h.dev.get("/v1/providers");
    expect(providers.data.map((p) => [p.name, p.auth.type])).toEqual([
      ["loopback", "bearer"],
      ["keyed", "api_key"],
    ]);
  });
});

describe("first embedded start", () => {
  it("writes a working dev admin key to <dataDir>/dev-api-key with mode 0600, once", async () => {
    const { ensureFirstApiKey } = await import("../../app/api-keys/first-api-key.ts");
    const first = await ensureFirstApiKey({ dataDir: h.dir, store: h.store });
    expect(first.created).toMatch(/^sy_dev_/);
    h.secret(first.created!);
    expect(statSync(first.path).mode & 0o777).toBe(0o600);
    const again = await ensureFirstApiKey({ dataDir: h.dir, store: h.store });
    expect(again).toEqual({ path: first.path });
    const environments = await h.client(first.created).get("/v1/environments");
    expect(environments.data.find((env) => env.current)?.name).toBe("dev");
    expect(environments.data.map((env) => env.name)).toEqual(["dev", "prod"]);
    const keys = await h.client(first.created).get("/v1/api-keys");
    expect(keys.data.find((key) => key.name === "dev key (first start)")?.admin).toBe(true);
  });
});
