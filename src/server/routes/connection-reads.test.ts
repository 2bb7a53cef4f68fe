/**
 * The dashboard's API-key reads of a connection (record-counts.ts, connection-unified.ts), against the HubSpot
 * emulator synced into the records cache: exact counts; the unified objects and remote fields the
 * Merge-compatible API gives for the connection's account token, the same, with the API key alone; and
 * nothing of one environment through another's key.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { providerWithEmulator, startEmulator } from "../../../test/helpers/emulators.ts";
import { syncConnection } from "../../app/syncs/sync-connection.ts";
import { ApiError } from "../../client/index.ts";
import type { EmulatorHandle } from "../../core/index.ts";
import { writeRecords } from "../../store/index.ts";
import { type Harness, startHarness } from "../test-harness.ts";

const hubspot = providerWithEmulator("hubspot");
let h: Harness;
let emulator: EmulatorHandle;
let connectionId: string;
let accountToken: string;

async function problemOf(call: Promise<unknown>): Promise<ApiError> {
  const error = await call.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

/** What the Merge-compatible API answers for the connection's account token. */
async function mergeGet(path: string): Promise<unknown> {
  const response = await h.app.inject({
    method: "GET",
    url: `/api/crm/v1/${path}`,
    headers: { authorization: `Bearer ${h.keys.dev}`, "x-account-token": accountToken },
  });
  expect(response.statusCode).toBe(200);
  return response.json();
}

beforeAll(async () => {
  emulator = await startEmulator(hubspot, { seed: 5, records: 15, unlimited: true });
  h = await startHarness({ providers: { hubspot }, rateLimit: false });
  const created = await h.dev.post("/v1/connections", {
    body: {
      provider: "hubspot",
      credentials: emulator.credentials as never,
      end_user: { id: "customer-reads" },
      config: { base_url: emulator.url },
    },
  });
  connectionId = created.id;
  accountToken = h.secret(created.account_token);
  const run = await syncConnection(
    { store: h.store, vault: h.deps.vault, providers: h.deps.providers },
    connectionId,
    { streams: ["contacts"] },
  );
  expect(run.status).toBe("succeeded");
}, 60_000);

afterAll(async () => {
  await h?.close();
  await emulator?.close();
});

describe("GET /v1/records/count", () => {
  it("counts a stream's cached records exactly, the deleted ones apart", async () => {
    const live = (await emulator.truth("contacts")).live.size;
    expect(live).toBeGreaterThan(0);
    const query = { connection_id: connectionId, stream: "contacts" };
    expect(await h.dev.get("/v1/records/count", { query })).toEqual({ ...query, live, deleted: 0 });

    // Two records gone at the provider: counted apart, as GET /v1/records lists them.
    const listed = await h.dev.get("/v1/records", { query: { ...query, limit: 2 } });
    await writeRecords(h.store.db, connectionId, "contacts", {
      upserts: listed.data.map((record) => ({
        pk: record.id,
        hash: "gone",
        payload: JSON.stringify(record.payload),
        deleted: true,
      })),
      seen: [],
      at: new Date().toISOString(),
    });
    expect(await h.dev.get("/v1/records/count", { query })).toEqual({ ...query, live: live - 2, deleted: 2 });
    expect(
      await h.dev.get("/v1/records/count", { query: { connection_id: connectionId, stream: "companies" } }),
    ).toMatchObject({ live: 0, deleted: 0 });
  });

  it("refuses an unknown stream naming the provider's, and another environment's connection", async () => {
    const unknown = await problemOf(
      h.dev.get("/v1/records/count", { query: { connection_id: connectionId, stream: "contactz" } }),
    );
    expect(unknown.problem.code).toBe("unknown_stream");
    expect(JSON.stringify(unknown.problem)).toContain("companies");
    const elsewhere = await problemOf(
      h.prod.get("/v1/records/count", { query: { connection_id: connectionId, stream: "contacts" } }),
    );
    expect(elsewhere.status).toBe(404);
  });
});

describe("GET /v1/connections/{id}/unified/{model} and /remote-fields", () => {
  it("answers what the Merge-compatible API answers for the account token, with the API key alone", async () => {
    const page = await h.dev.get("/v1/connections/:id/unified/:model", {
      params: { id: connectionId, model: "contacts" },
    });
    expect(page).toEqual(await mergeGet("contacts"));
    expect(page.results.length).toBeGreaterThan(0);
    const remoteId = String(page.results[0]?.remote_id);
    const one = await h.dev.get("/v1/connections/:id/unified/:model", {
      params: { id: connectionId, model: "contacts" },
      query: { remote_id: remoteId },
    });
    expect(one.results.map((object) => object.remote_id)).toEqual([remoteId]);
    expect(one).toEqual(await mergeGet(`contacts?remote_id=${remoteId}`));
  });

  it("lists the remote fields the Merge-compatible API lists", async () => {
    const fields = await h.dev.get("/v1/connections/:id/remote-fields", { params: { id: connectionId } });
    const merge = (await mergeGet("remote-fields")) as Record<string, { remote_key_name: string }[]>;
    const contact = fields.data.find((entry) => entry.model === "Contact");
    expect(contact?.fields.map((field) => field.key)).toEqual(
      merge.Contact?.map((field) => field.remote_key_name),
    );
    expect(contact?.fields.length).toBeGreaterThan(0);
  });

  it("refuses another environment's connection and an unknown model, and never shows the account token", async () => {
    for (const call of [
      h.prod.get("/v1/connections/:id/unified/:model", { params: { id: connectionId, model: "contacts" } }),
      h.prod.get("/v1/connections/:id/remote-fields", { params: { id: connectionId } }),
    ]) {
      expect((await problemOf(call)).status).toBe(404);
    }
    const unknown = await problemOf(
      h.dev.get("/v1/connections/:id/unified/:model", {
        params: { id: connectionId, model: "widgets" as never },
      }),
    );
    expect(unknown.status).toBe(400);
    expect(await h.leakedSecrets()).toEqual([]);
  });
});
