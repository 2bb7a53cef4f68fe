/**
 * Bad input from a provider or a caller: each becomes a clear, typed error on the run; the process lives on,
 * and the committed state and records stay exactly as they were.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSync } from "../../src/engine/index.ts";
import { type HubSpotEmulator, startHubSpotEmulator } from "../../src/providers/hubspot/emulator/index.ts";
import { hubspot } from "../../src/providers/hubspot/index.ts";
import { countRecords, createConnection, ensureEnvironment, type Store } from "../../src/store/index.ts";
import { openTempStore } from "../helpers/temp-store.ts";

let emulator: HubSpotEmulator;
let store: Store;
let cleanup: () => Promise<void>;
let connectionId: string;
/** A loopback proxy in front of the emulator that can remove the id of the first contact of each page. */
let proxy: Server;
let proxyUrl: string;
let stripIds = false;
const HOP_HEADERS = new Set(["host", "content-length", "connection", "transfer-encoding"]);

beforeAll(async () => {
  emulator = await startHubSpotEmulator({ seed: 9, counts: { contacts: 120, companies: 20, deals: 30 } });
  ({ store, cleanup } = await openTempStore());
  const env = await ensureEnvironment(store.db, "test");
  connectionId = (
    await createConnection(store.db, { environmentId: env.id, provider: "hubspot", sealedCredentials: "x" })
  ).id;
  proxy = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const upstream = await fetch(`${emulator.url}${req.url}`, {
      method: req.method ?? "GET",
      // fetch sets host, length and connection handling itself.
      headers: Object.fromEntries(Object.entries(req.headers).filter(([k]) => !HOP_HEADERS.has(k))) as Record<
        string,
        string
      >,
      ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
    });
    let body = await upstream.text();
    // Contacts only: the contacts stream also lists companies (its association check).
    if (stripIds && req.url?.startsWith("/crm/v3/objects/contacts")) {
      const parsed = JSON.parse(body) as { results?: { id?: string }[] };
      if (parsed.results?.[0]) delete parsed.results[0].id;
      body = JSON.stringify(parsed);
    }
    res.writeHead(upstream.status, {
      "content-type": upstream.headers.get("content-type") ?? "application/json",
    });
    res.end(body);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => proxy.close(resolve));
  await cleanup();
  await emulator.close();
});

const sync = (options: { token?: string; baseUrl?: string; streams?: string[] } = {}) =>
  runSync({
    store,
    provider: hubspot,
    connection: {
      id: connectionId,
      credentials: { type: "bearer", token: options.token ?? emulator.tokens[0]! },
      baseUrl: options.baseUrl ?? emulator.url,
      // The emulator listens on loopback.
      allowPrivateAddresses: true,
    },
    http: { maxAttempts: 3, retryDelay: { baseMs: 1, maxMs: 5 } },
    // The CRM objects, whose pages the faults below break (owners would only add a stream to compare).
    streams: options.streams ?? ["contacts", "companies", "deals"],
  });

/** Everything a failed run must leave untouched. */
async function committed() {
  const states = await store.db
    .selectFrom("stream_states")
    .select(["stream", "state"])
    .orderBy("stream")
    .execute();
  const records = await Promise.all(
    ["contacts", "companies", "deals"].map((s) => countRecords(store.db, connectionId, s)),
  );
  return { states, records };
}

describe("bad input", () => {
  let before: Awaited<ReturnType<typeof committed>>;

  beforeAll(async () => {
    expect((await sync()).status).toBe("succeeded");
    // Pending changes, so incremental reads below have pages to choke on.
    emulator.mutate({ type: "contacts", updates: 10 });
    before = await committed();
  });

  it("a malformed JSON body fails the run clearly", async () => {
    emulator.setFaults({ malformedRate: 1 });
    const run = await sync();
    emulator.setFaults({ malformedRate: 0 });
    expect(run.status).toBe("failed");
    expect(run.error?.code).toBe("provider_response_malformed");
    expect(run.error?.message).toMatch(/HubSpot sent a response we cannot use/);
    expect(await committed()).toEqual(before);
  });

  it("an HTML error page with status 200 fails the run clearly", async () => {
    emulator.setFaults({ htmlRate: 1 });
    const run = await sync();
    emulator.setFaults({ htmlRate: 0 });
    expect(run.error?.code).toBe("provider_response_malformed");
    expect(run.error?.message).toMatch(/html/i);
    expect(await committed()).toEqual(before);
  });

  it("a rejected token fails the run with what to do, and never shows the token", async () => {
    const run = await sync({ token: "pat-na1-revoked-secret-token" });
    expect(run.error?.code).toBe("credentials_rejected");
    expect(run.error?.message).toMatch(/HTTP 401/);
    expect(run.error?.hint).toMatch(/re-authorise/);
    expect(JSON.stringify(run)).not.toContain("revoked-secret-token");
    expect(await committed()).toEqual(before);
  });

  it("an unknown stream fails the run and names the known ones", async () => {
    const run = await sync({ streams: ["contacts", "tickets"] });
    expect(run.error).toMatchObject({
      code: "unknown_stream",
      hint: "Use one of: contacts, companies, deals, owners, deal_stages.",
    });
    expect(await committed()).toEqual(before);
  });

  it("a record missing its primary key fails the run and writes nothing of its page", async () => {
    stripIds = true;
    const run = await sync({ baseUrl: proxyUrl, streams: ["contacts"] });
    stripIds = false;
    expect(run.error?.code).toBe("record_invalid");
    expect(run.error?.message).toMatch(/contacts.*no id/);
    expect(await committed()).toEqual(before);

    // And once the provider behaves again, the same changes arrive.
    const recovered = await sync({ streams: ["contacts"] });
    expect(recovered.status).toBe("succeeded");
    expect(recovered.stats.recordsUpdated).toBe(10);
  });
});
