/**
 * Merge's passthrough (`merge.crm.passthrough.create`) for every provider under contract (CONTRACT_PROVIDERS):
 * one suite, unchanged for each. A permitted GET, of the API path a contact's `remote_data` names, reaches
 * the provider with the account's credentials and comes back in Merge's `RemoteResponse`, as the plain proxy
 * answers it too; what the guard refuses comes back as Merge's `{detail}` 400. Provider-specific reads and
 * writes, and binary bodies, are in test/integration/proxy-passthrough.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CONTRACT_PROVIDERS,
  type CrmWorld,
  type Obj,
  openCrmWorld,
  refusal,
  valuesIn,
} from "./unified-crm-world.ts";

describe.each(CONTRACT_PROVIDERS)("%s", (_name, provider) => {
  let world: CrmWorld;
  let contact: Obj;
  /** The provider's API path of one contact, as its remote data names it. */
  let path: string;

  beforeAll(async () => {
    world = await openCrmWorld(provider);
    contact = (await world.endpoint("Contact").list({ pageSize: 1, includeRemoteData: true })).data[0]!;
    path = contact.remoteData![0]!.path;
  }, 120_000);
  afterAll(async () => world?.close());

  it("relays a permitted GET with the account's credentials, in Merge's RemoteResponse, as the plain proxy does", async () => {
    const remote = await world.merge.crm.passthrough.create({ method: "GET", path });
    expect(remote).toMatchObject({ method: "GET", path, status: 200, responseType: "JSON" });
    expect(valuesIn(remote.response).has(String(contact.remoteId))).toBe(true);
    for (const secret of world.secrets) expect(JSON.stringify(remote)).not.toContain(secret);
    const normalized = await world.merge.crm.passthrough.create({
      method: "GET",
      path,
      normalizeResponse: true,
    });
    expect(normalized.response).toEqual({ type: "object", value: remote.response });

    const proxied = await world.h.app.inject({
      method: "GET",
      url: `/v1/proxy${path}`,
      headers: { authorization: `Bearer ${world.h.keys.dev}`, "connection-id": world.connectionId },
    });
    expect(proxied.statusCode).toBe(200);
    expect(proxied.json()).toEqual(remote.response);
  });

  it.each([
    ["an absolute URL", { path: "https://evil.example/x" }, "absolute URL"],
    ["a protocol-relative URL (another host)", { path: "//evil.example/x" }, "another host"],
    ["another host as base URL", { path: "/x", baseUrlOverride: "http://127.0.0.2:9" }, "127.0.0.2"],
    ["a path out of the base", { path: "/a/%2e%2e/%2e%2e/x" }, ".."],
    ["a plain traversal", { path: "/a/../../x" }, ".."],
    ["a backslash", { path: "/a\\b" }, "backslash"],
    [
      "the caller's own Authorization",
      { path: "/x", headers: { Authorization: "Bearer mine" } },
      "Authorization",
    ],
    ["a Cookie header", { path: "/x", headers: { Cookie: "session=1" } }, "Cookie"],
    ["a Host header", { path: "/x", headers: { Host: "evil.example" } }, "Host"],
  ])("refuses %s with Merge's {detail} 400", async (_what, request, mentions) => {
    const { status, body } = await refusal(world.merge.crm.passthrough.create({ method: "GET", ...request }));
    expect(status).toBe(400);
    expect(body).toEqual({ detail: expect.stringContaining(mentions) });
  });
});
