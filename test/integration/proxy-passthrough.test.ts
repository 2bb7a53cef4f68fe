/**
 * Merge's passthrough as Merge's official SDK calls it (`merge.crm.passthrough.create`), for what is each
 * provider's own: a read with its query string (against each provider's emulator, started through the
 * registry), HubSpot's writes, and binary bodies as Merge carries them (`multipart_form_data` fields in RAW,
 * BASE64 or GZIP_BASE64; answers as `JSON` or `BASE64_GZIP`) against a loopback file server. What every
 * provider does alike (a relayed GET, the guard's refusals) is in test/contract/unified-crm-passthrough.test.ts.
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync, gzipSync } from "node:zlib";
import { MergeClient, MergeError } from "@mergeapi/merge-node-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle, ProviderDefinition } from "../../src/core/index.ts";
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

/** A provider of files: its connection reaches the loopback file server below. */
const FILES: ProviderDefinition = {
  name: "files",
  displayName: "Files",
  baseUrl: "http://127.0.0.1:9",
  auth: { type: "bearer" },
  streams: [],
  async checkCredentials() {},
};
const FILES_TOKEN = "tok-files-7c41d0e2b9";
/** Every byte value, and bytes that are not UTF-8: what a text round trip would mangle. */
const IMAGE = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i)),
  Buffer.from([0xc3, 0x28, 0xff, 0xfe]),
]);

let h: Harness;
let apiUrl: string;
const accounts = {} as Record<Name, { emulator: EmulatorHandle; merge: MergeClient; secret: string }>;

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
  h = await startHarness({ providers: { ...providers, files: FILES }, rateLimit: false });
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
    accounts[name] = { emulator, merge, secret };
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

describe("binary bodies, as Merge carries them", () => {
  let files: ReturnType<typeof createServer>;
  let merge: MergeClient;
  const uploads: { headers: IncomingHttpHeaders; body: Buffer }[] = [];

  beforeAll(async () => {
    files = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        if (req.url === "/files/logo.png") res.writeHead(200, { "content-type": "image/png" }).end(IMAGE);
        else if (req.url === "/files/report.csv")
          res.writeHead(200, { "content-type": "text/csv" }).end("a,b\n1,2\n");
        else if (req.url === "/files/stats.json")
          res
            .writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" })
            .end(gzipSync(JSON.stringify({ rows: 3 })));
        else {
          uploads.push({ headers: req.headers, body: Buffer.concat(chunks) });
          res.writeHead(201, { "content-type": "application/json" }).end('{"stored":true}');
        }
      });
    });
    await new Promise<void>((resolve) => files.listen(0, "127.0.0.1", resolve));
    const created = await h.dev.post("/v1/connections", {
      body: {
        provider: "files",
        credentials: { type: "bearer", token: h.secret(FILES_TOKEN) },
        end_user: { id: "customer-files" },
        config: { base_url: `http://127.0.0.1:${(files.address() as AddressInfo).port}/files` },
      },
    });
    merge = new MergeClient({
      apiKey: h.keys.dev,
      accountToken: h.secret(created.account_token),
      baseUrl: `${apiUrl}/api`,
    });
  });

  afterAll(async () => {
    files.closeAllConnections();
    await new Promise<void>((resolve) => files.close(() => resolve()));
  });

  /** The bytes a BASE64_GZIP response stands for. */
  const bytesOf = (response: unknown) => gunzipSync(Buffer.from(String(response), "base64"));

  it("answers an image as BASE64_GZIP: the base64 of the gzip of its exact bytes", async () => {
    const remote = await merge.crm.passthrough.create({ method: "GET", path: "/logo.png" });
    expect(remote).toMatchObject({ status: 200, responseType: "BASE64_GZIP" });
    expect(bytesOf(remote.response).equals(IMAGE)).toBe(true);
  });

  it("answers text that is not JSON as BASE64_GZIP, and a gzip-encoded JSON body as JSON", async () => {
    const csv = await merge.crm.passthrough.create({ method: "GET", path: "/report.csv" });
    expect(csv.responseType).toBe("BASE64_GZIP");
    expect(bytesOf(csv.response).toString()).toBe("a,b\n1,2\n");
    const json = await merge.crm.passthrough.create({ method: "GET", path: "/stats.json" });
    expect(json).toMatchObject({ responseType: "JSON", response: { rows: 3 } });
  });

  it("sends multipart_form_data with each field's bytes decoded from RAW, BASE64 and GZIP_BASE64", async () => {
    uploads.length = 0;
    const remote = await merge.crm.passthrough.create({
      method: "POST",
      path: "/upload",
      requestFormat: "MULTIPART",
      multipartFormData: [
        { name: "title", data: "Quarterly logo" },
        {
          name: "logo",
          data: IMAGE.toString("base64"),
          encoding: "BASE64",
          fileName: "logo.png",
          contentType: "image/png",
        },
        {
          name: "archive",
          data: gzipSync(IMAGE).toString("base64"),
          encoding: "GZIP_BASE64",
          fileName: "x.bin",
        },
      ],
    });
    expect(remote).toMatchObject({ status: 201, responseType: "JSON", response: { stored: true } });
    const [upload] = uploads;
    expect(upload!.headers.authorization).toBe(`Bearer ${FILES_TOKEN}`);
    const type = String(upload!.headers["content-type"]);
    expect(type).toMatch(/^multipart\/form-data; boundary=/);
    const form = await new Response(new Uint8Array(upload!.body), {
      headers: { "content-type": type },
    }).formData();
    expect(form.get("title")).toBe("Quarterly logo");
    const logo = form.get("logo") as File;
    expect([logo.name, logo.type]).toEqual(["logo.png", "image/png"]);
    expect(Buffer.from(await logo.arrayBuffer()).equals(IMAGE)).toBe(true);
    const archive = form.get("archive") as File;
    expect(Buffer.from(await archive.arrayBuffer()).equals(IMAGE)).toBe(true);
  });

  it("refuses GZIP_BASE64 data that is not gzip, and MULTIPART without fields, with Merge's {detail}", async () => {
    uploads.length = 0;
    const notGzip = await mergeRefusal(
      merge.crm.passthrough.create({
        method: "POST",
        path: "/upload",
        requestFormat: "MULTIPART",
        multipartFormData: [{ name: "f", data: IMAGE.toString("base64"), encoding: "GZIP_BASE64" }],
      }),
    );
    expect(notGzip.status).toBe(400);
    expect(notGzip.detail).toContain("multipart_form_data.0.data");
    const empty = await mergeRefusal(
      merge.crm.passthrough.create({
        method: "POST",
        path: "/upload",
        requestFormat: "MULTIPART",
        data: "x",
      }),
    );
    expect(empty.status).toBe(400);
    expect(empty.detail).toContain("multipart_form_data");
    expect(uploads).toEqual([]);
  });
});
