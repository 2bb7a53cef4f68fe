/**
 * The raw records API (`GET /v1/records`) after real syncs of a HubSpot connection from its emulator: every
 * synced record appears once with its payload and `added`; after the emulator updates, archives and creates
 * contacts and the sync runs again, the cursor kept from the first read yields exactly those changes, with
 * `updated`, `deleted` and `added`. Expected values come from the emulator's mutation report and the cache.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSyncJob } from "../../src/app/syncs/sync-connection.ts";
import { ApiError } from "../../src/client/index.ts";
import { type HubSpotEmulator, startHubSpotEmulator } from "../../src/providers/hubspot/emulator/index.ts";
import { hubspot } from "../../src/providers/hubspot/index.ts";
import { createScheduler, createStoreSyncQueue, createSyncRunner } from "../../src/scheduler/index.ts";
import { type Harness, startHarness } from "../../src/server/test-harness.ts";
import { listRecords } from "../../src/store/index.ts";

let h: Harness;
let emulator: HubSpotEmulator;
let connectionId: string;
let syncId: string;
let scheduler: ReturnType<typeof createScheduler>;
const schedulerErrors: unknown[] = [];

interface StreamRecord {
  id: string;
  payload: unknown;
  last_action: "added" | "updated" | "deleted";
  cursor: string;
  deleted_at: string | null;
}

/** Every record after `cursor`, following `next_cursor` with pages of `limit`. */
async function readAll(stream: string, cursor?: string, limit = 7): Promise<StreamRecord[]> {
  const out: StreamRecord[] = [];
  let next: string | null | undefined = cursor;
  do {
    const after: { cursor?: string } = next ? { cursor: next } : {};
    const page = await h.dev.get("/v1/records", {
      query: { connection_id: connectionId, stream, limit, ...after },
    });
    expect(page.data.length).toBeLessThanOrEqual(limit);
    out.push(...(page.data as StreamRecord[]));
    next = page.next_cursor;
  } while (next);
  return out;
}

/** Runs the connection's sync now, as the scheduler of `npm start` would. */
async function runSync(): Promise<void> {
  await h.dev.post("/v1/syncs/:id/trigger", { params: { id: syncId } });
  expect((await scheduler.tick()).length).toBe(1);
  await scheduler.idle();
  expect(schedulerErrors).toEqual([]);
}

beforeAll(async () => {
  emulator = await startHubSpotEmulator({
    seed: 7,
    counts: { contacts: 40, companies: 6, deals: 8 },
    rateLimit: { maxPerInterval: 100_000 },
  });
  h = await startHarness({ providers: { hubspot }, rateLimit: false });
  const created = await h.dev.post("/v1/connections", {
    body: {
      provider: "hubspot",
      credentials: { type: "bearer", token: h.secret(emulator.tokens[0]!) },
      end_user: { id: "customer-records" },
      config: { base_url: emulator.url },
    },
  });
  connectionId = created.id;
  const syncs = await h.dev.get("/v1/syncs", { query: { connection_id: connectionId } });
  syncId = syncs.data[0]!.id;
  scheduler = createScheduler({
    onError: (error) => schedulerErrors.push(error),
    queue: createStoreSyncQueue(h.store.db),
    run: createSyncRunner({
      store: h.store,
      buildJob: (id, options) =>
        buildSyncJob({ store: h.store, vault: h.deps.vault, providers: h.deps.providers }, id, options),
    }),
  });
  expect((await scheduler.tick()).length).toBe(1);
  await scheduler.idle();
  expect(schedulerErrors).toEqual([]);
}, 120_000);

afterAll(async () => {
  expect(await h.leakedSecrets()).toEqual([]);
  await h.close();
  await emulator.close();
});

describe("GET /v1/records", () => {
  let firstRead: StreamRecord[] = [];

  it("lists every synced record of a stream once, with its payload, as added", async () => {
    const cached = await listRecords(h.store.db, connectionId, "contacts", { limit: 100_000 });
    expect(cached.length).toBe(40);
    firstRead = await readAll("contacts");
    expect(firstRead.map((r) => r.id).sort()).toEqual(cached.map((r) => r.pk).sort());
    for (const record of firstRead) {
      expect(record.last_action).toBe("added");
      const row = cached.find((c) => c.pk === record.id)!;
      expect(record.payload).toEqual(JSON.parse(row.payload));
    }
  });

  it("after the provider changes, the last cursor yields exactly the changes, each with its action", async () => {
    const mutation = emulator.mutate({ type: "contacts", updates: 5, archives: 3, creates: 4 });
    await runSync();
    const lastCursor = firstRead[firstRead.length - 1]!.cursor;
    const changes = await readAll("contacts", lastCursor, 5);
    const byAction = (action: string) =>
      changes
        .filter((r) => r.last_action === action)
        .map((r) => r.id)
        .sort();
    // A record updated or created and then archived in the same batch counts as deleted.
    const updatedOnly = mutation.updated.filter((id) => !mutation.archived.includes(id));
    const createdOnly = mutation.created.filter((id) => !mutation.archived.includes(id));
    expect(byAction("updated")).toEqual([...updatedOnly].sort());
    expect(byAction("deleted")).toEqual([...mutation.archived].sort());
    expect(byAction("added")).toEqual([...createdOnly].sort());
    expect(changes).toHaveLength(updatedOnly.length + mutation.archived.length + createdOnly.length);
    for (const deleted of changes.filter((r) => r.last_action === "deleted"))
      expect(deleted.deleted_at).not.toBeNull();

    // The cursor advanced: nothing is new after the last change.
    const after = await readAll("contacts", changes[changes.length - 1]!.cursor);
    expect(after).toEqual([]);
    // A full read still holds every record once, deleted ones included.
    expect((await readAll("contacts", undefined, 100)).length).toBe(40 + mutation.created.length);
  });

  it("filters by modified_after", async () => {
    const all = await readAll("contacts", undefined, 1000);
    const future = new Date(Date.now() + 60_000).toISOString();
    const none = await h.dev.get("/v1/records", {
      query: { connection_id: connectionId, stream: "contacts", modified_after: future },
    });
    expect(none.data).toEqual([]);
    const past = await h.dev.get("/v1/records", {
      query: {
        connection_id: connectionId,
        stream: "contacts",
        modified_after: "2000-01-01T00:00:00+02:00",
        limit: 1000,
      },
    });
    expect(past.data.length).toBe(all.length);
  });
});

describe("refusals", () => {
  async function problem(call: Promise<unknown>): Promise<{ status: number; code: string; detail: string }> {
    const error = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ApiError);
    const { status, problem } = error as ApiError;
    return { status, code: problem.code, detail: problem.detail };
  }

  it("does not find a connection of another environment", async () => {
    const answer = await problem(
      h.prod.get("/v1/records", { query: { connection_id: connectionId, stream: "contacts" } }),
    );
    expect(answer).toMatchObject({ status: 404, code: "not_found" });
  });

  it("names the streams when the stream is unknown", async () => {
    const answer = await problem(
      h.dev.get("/v1/records", { query: { connection_id: connectionId, stream: "tickets" } }),
    );
    expect(answer).toMatchObject({ status: 400, code: "unknown_stream" });
  });

  it("refuses a cursor it did not make, a bad limit and a bad time", async () => {
    expect(
      await problem(
        h.dev.get("/v1/records", {
          query: { connection_id: connectionId, stream: "contacts", cursor: "nope" },
        }),
      ),
    ).toMatchObject({ status: 400, code: "argument_invalid" });
    expect(
      await problem(
        h.dev.get("/v1/records", { query: { connection_id: connectionId, stream: "contacts", limit: 0 } }),
      ),
    ).toMatchObject({ status: 400, code: "request_invalid" });
    expect(
      await problem(
        h.dev.get("/v1/records", {
          query: { connection_id: connectionId, stream: "contacts", modified_after: "yesterday" },
        }),
      ),
    ).toMatchObject({ status: 400, code: "request_invalid" });
  });
});
