/**
 * Merge's passthrough as Merge's official SDK calls it (`merge.crm.passthrough.create`), against each
 * provider's emulator started through the registry: the request reaches the provider with the connection's
 * credentials and its answer comes back in Merge's `RemoteResponse`; what the guard refuses comes back as
 * Merge's `{detail}` error. The plain proxy answers the same request with the same body.
 */
import { MergeClient, MergeError } from "@mergeapi/merge-node-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/core/index.ts";
import { providers } from "../../src/providers/registry.ts";
import { type Harness, startHarness } from "../../src/server/test-harness.ts";

type Item = { id?: unknown; Id?: unknown };
/** The list at `key` of a JSON body. */
const listAt = (key: string) => (body: unknown) => (body as Record<string, Item[]>)[key]!;

/** Per provider: a read that lists three records, and where they are in its body. */
const READS = {
  hubspot: { path: "/crm/v3/objects/contacts?limit=3", items: listAt("results") },
  pipedrive: { path: "/api/v2/persons?limit=3", items: listAt("data") },
  salesforce: {
    path: `/services/data/v62.0/query?q=${encodeURIComponent("SELECT Id, LastName FROM Contact LIMIT 3")}`,
    items: listAt("records"),
  },
} as const;
type Name = keyof typeof READS;

let h: Harness;
let apiUrl: string;
const accounts = {} as Record<
  Name,
  { emulator: EmulatorHandle; merge: MergeClient; connectionId: string; secret: string }
>;

/** The secret of the credentials the emulator accepts, whatever their kind. */
function secretOf(credentials: EmulatorHandle["credentials"]): string {
  if (credentials.type === "api_key") return credentials.key;
  if (credentials.type === "basic") return credentials.password;
  return credentials.type === "bearer" ? credentials.token : credentials.accessToken;
}

/** The status and `{detail}` of the MergeError a call throws. */
async function mergeRefusal(call: Promise<unknown>): Promise<{ status?: number; detail: string }> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MergeError);
  const body = (error as MergeError).body as { detail: string };
  return { status: (error as MergeError).statusCode, detail: body.detail };
}

beforeAll(async () => {
  h = await startHarness({ providers, rateLimit: false });
  apiUrl = await h.app.listen({ port: 0, host: "127.0.0.1" });
  for (const name of Object.keys(READS) as Name[]) {
    const emulator = await providers[name]!.emulator!({ records: 12, unlimited: true, seed: 3 });
    const secret = h.secret(secretOf(emulator.credentials));
    const created = await h.dev.post("/v1/connections", {
      body: {
        provider: name,
        credentials: emulator.credentials as never,
        end_user: { id: `customer-${name}` },
        config: { base_url: emulator.url },
      },
    });
    const merge = new MergeClient({
      apiKey: h.keys.dev,
      accountToken: h.secret(created.account_token),
      baseUrl: `${apiUrl}/api`,
    });
    accounts[name] = { emulator, merge, connectionId: created.id, secret };
  }
}, 120_000);

afterAll(async () => {
  expect(await h.leakedSecrets()).toEqual([]);
  await h?.close();
  for (const account of Object.values(accounts)) await account.emulator.close();
});

describe.each(Object.keys(READS) as Name[])("%s", (name) => {
  it("passes a read through with the account's credentials, answered in Merge's RemoteResponse", async () => {
    const { merge, secret } = accounts[name];
    const remote = await merge.crm.passthrough.create({ method: "GET", path: READS[name].path });
    expect(remote.status).toBe(200);
    expect(remote.method).toBe("GET");
    expect(remote.path).toBe(READS[name].path);
    expect(remote.responseType).toBe("JSON");
    expect(READS[name].items(remote.response)).toHaveLength(3);
    expect(JSON.stringify(remote)).not.toContain(secret);
  });

  it("normalizes the response when asked", async () => {
    const remote = await accounts[name].merge.crm.passthrough.create({
      method: "GET",
      path: READS[name].path,
      normalizeResponse: true,
    });
    expect(remote.response).toMatchObject({ type: "object" });
  });

  it("answers the same as the plain proxy", async () => {
    const { merge, connectionId } = accounts[name];
    const remote = await merge.crm.passthrough.create({ method: "GET", path: READS[name].path });
    const proxied = await fetch(`${apiUrl}/v1/proxy${READS[name].path}`, {
      headers: { authorization: `Bearer ${h.keys.dev}`, "connection-id": connectionId },
    });
    expect(proxied.status).toBe(200);
    expect(READS[name].items(await proxied.json()).map((item: Item) => item.id ?? item.Id)).toEqual(
      READS[name].items(remote.response).map((item: Item) => item.id ?? item.Id),
    );
  });

  it.each([
    ["an absolute URL", { path: "https://evil.example/x" }, "absolute URL"],
    ["a path out of the base", { path: "/a/%2e%2e/%2e%2e/x" }, ".."],
    ["a protocol-relative URL", { path: "//evil.example/x" }, "another host"],
    ["a backslash", { path: "/a\\b" }, "backslash"],
    ["another host as base URL", { path: "/x", baseUrlOverride: "http://127.0.0.2:9" }, "127.0.0.2"],
    [
      "the caller's own Authorization",
      { path: "/x", headers: { Authorization: "Bearer mine" } },
      "Authorization",
    ],
    ["a Host header", { path: "/x", headers: { Host: "evil.example" } }, "Host"],
  ])("refuses %s with Merge's {detail}", async (_what, request, mentions) => {
    const refusal = await mergeRefusal(
      accounts[name].merge.crm.passthrough.create({ method: "GET", ...request }),
    );
    expect(refusal.status).toBe(400);
    expect(refusal.detail).toContain(mentions);
  });
});

describe("hubspot writes", () => {
  it("creates a contact through passthrough (data as JSON text) and reads it back", async () => {
    const { merge } = accounts.hubspot;
    const email = "passthrough@acme.example";
    const created = await merge.crm.passthrough.create({
      method: "POST",
      path: "/crm/v3/objects/contacts",
      data: JSON.stringify({ properties: { email, firstname: "Pat" } }),
      requestFormat: "JSON",
    });
    expect(created.status).toBe(201);
    const id = (created.response as { id: string }).id;
    const read = await merge.crm.passthrough.create({
      method: "GET",
      path: `/crm/v3/objects/contacts/${id}`,
    });
    expect((read.response as { properties: { email: string } }).properties.email).toBe(email);
  });

  it("relays the provider's own refusal in `status`, with its body", async () => {
    const remote = await accounts.hubspot.merge.crm.passthrough.create({
      method: "GET",
      path: "/crm/v3/objects/contacts/does-not-exist-0",
    });
    expect(remote.status).toBe(404);
    expect(remote.response).toMatchObject({ status: "error" });
  });

  it("needs an account token of the API key's environment", async () => {
    const stranger = new MergeClient({
      apiKey: h.keys.prod,
      accountToken: "sy_acct_not_a_token",
      baseUrl: `${apiUrl}/api`,
    });
    expect((await mergeRefusal(stranger.crm.passthrough.create({ method: "GET", path: "/x" }))).status).toBe(
      401,
    );
  });
});
