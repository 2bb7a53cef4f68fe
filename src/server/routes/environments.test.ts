/** The environment setting that lets connections reach private addresses: off unless asked for, at creation. */
import { describe, expect, it } from "vitest";
import { GOOD_TOKEN, type Harness, harnessPerTest } from "../test-harness.ts";

const h = harnessPerTest();

async function environmentKey(name: string, body: Record<string, unknown> = {}) {
  const created = await h.dev.post("/v1/environments", { body: { name, ...body } });
  h.secret(created.api_key.secret);
  return { environment: created.environment, client: h.client(created.api_key.secret) };
}

function connectTo(client: Harness["dev"], baseUrl: string) {
  return client.request("POST", "/v1/connections", {
    body: {
      provider: "loopback",
      credentials: { type: "bearer", token: GOOD_TOKEN },
      end_user: { id: "customer-1" },
      config: { base_url: baseUrl },
    },
  });
}

describe("environments: allow_private_network", () => {
  it("is off unless the environment is created with it, and decides whether a loopback base_url is taken", async () => {
    const plain = await environmentKey("plain");
    const lab = await environmentKey("lab", { allow_private_network: true });
    expect(plain.environment).toMatchObject({ name: "plain", allow_private_network: false });
    expect(lab.environment).toMatchObject({ name: "lab", allow_private_network: true });
    const listed = await h.dev.get("/v1/environments");
    expect(listed.data.map((env) => [env.name, env.allow_private_network])).toEqual([
      ["dev", true],
      ["prod", true],
      ["plain", false],
      ["lab", true],
    ]);

    const refused = await connectTo(plain.client, h.provider.url);
    expect(refused.ok ? 201 : [refused.status, refused.problem.errors?.[0]?.path]).toEqual([
      400,
      "config.base_url",
    ]);
    expect(refused.ok ? "" : refused.problem.hint).toMatch(/allow_private_network/);
    const taken = await connectTo(lab.client, h.provider.url);
    expect(taken.ok ? taken.status : taken.problem).toBe(201);
    if (!taken.ok) return;
    const tested = await lab.client.post("/v1/connections/:id/test", { params: { id: taken.body.id } });
    expect(tested.connection.status).toBe("active");
    expect(h.provider.requests).toHaveLength(1);
  });
});
