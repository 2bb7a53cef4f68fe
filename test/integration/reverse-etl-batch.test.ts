/**
 * Reverse ETL's batched writes against the HubSpot emulator: 1,000 rows with one invalid row go out as
 * batches of 100 (HubSpot's batch upsert by email); the invalid row is refused with HubSpot's own message
 * and retried by the next run; the emulator's truth holds exactly the 999 (then 1,000) contacts with their
 * contents, and its rate-limit windows show the requests it accepted.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { enqueueDueReverseEtlRuns, reverseEtlJobHandlers } from "../../src/app/reverse-etl/schedule.ts";
import { ApiError } from "../../src/client/client.ts";
import type { EmulatorHandle } from "../../src/core/index.ts";
import { CONTROL_PREFIX } from "../../src/emulator/control-routes.ts";
import { unifiedMappers } from "../../src/providers/unified-mappers.ts";
import { unifiedWriters } from "../../src/providers/unified-writers.ts";
import { createInProcessJobQueue } from "../../src/scheduler/jobs-in-process.ts";
import { type Harness, startHarness } from "../../src/server/test-harness.ts";
import { providerWithEmulator, startEmulator } from "../helpers/emulators.ts";
import { onWarehouseFile } from "../helpers/warehouse-file.ts";

const hubspot = providerWithEmulator("hubspot");
const ROWS = 1000;
const BAD = 500;
const domain = "batch.example";

let emulator: EmulatorHandle;
let h: Harness;
let connectionId: string;
let warehousePath: string;

async function setTable(badEmail: string): Promise<void> {
  await onWarehouseFile(warehousePath, async (connection) => {
    await connection.run(
      `CREATE OR REPLACE TABLE people AS SELECT i AS id,
       CASE WHEN i = ${BAD} THEN '${badEmail}' ELSE 'p' || i || '@${domain}' END AS email,
       'Name' || i AS first_name, '${connectionId}' AS _connection_id FROM range(1, ${ROWS + 1}) t(i)`,
    );
  });
}

/** Requests the emulator accepted so far (its daily window, as it counted them). */
async function acceptedRequests(): Promise<number> {
  const response = await fetch(`${emulator.url}${CONTROL_PREFIX}/rate-limit/windows`);
  const { windows } = (await response.json()) as { windows: { window: string; accepted: number }[] };
  return windows.filter((w) => w.window === "DAILY").reduce((sum, w) => sum + w.accepted, 0);
}

async function contactsAt(): Promise<Map<string, Record<string, unknown>>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const record of (await emulator.truth("contacts")).live.values()) {
    const email = String(record.email ?? "");
    if (!email.endsWith(`@${domain}`)) continue;
    expect(out.has(email), `two contacts with ${email}`).toBe(false);
    out.set(email, record);
  }
  return out;
}

beforeAll(async () => {
  emulator = await startEmulator(hubspot, { seed: 11, records: 10, unlimited: true });
  h = await startHarness({ providers: { hubspot }, rateLimit: false });
  warehousePath = `${h.dir}/warehouse.duckdb`;
  h.deps.warehouse = { path: warehousePath };
  const created = await h.dev.post("/v1/connections", {
    body: {
      provider: "hubspot",
      credentials: emulator.credentials as never,
      end_user: { id: "customer-batch" },
      config: { base_url: emulator.url },
    },
  });
  connectionId = created.id;
}, 60_000);

afterAll(async () => {
  await h?.close();
  await emulator?.close();
});

it("1,000 rows with one invalid: 999 written in batches, the one reported with HubSpot's message and retried", async () => {
  await setTable("p500-at-batch.example");
  const model = await h.dev.post("/v1/reverse-etl/models", {
    body: { name: "people", sql: "SELECT id, email, first_name FROM people", primary_key: "id" },
  });
  const sync = await h.dev.post("/v1/reverse-etl/syncs", {
    body: {
      model_id: model.id,
      connection_id: connectionId,
      target: { type: "actions", create: "create_contact", update: "update_contact" },
      mapping: [
        { column: "email", field: "properties.email" },
        { column: "first_name", field: "properties.firstname" },
      ],
    } as never,
  });
  const run = () => h.dev.post("/v1/reverse-etl/syncs/:id/run", { params: { id: sync.id } });

  const before = await acceptedRequests();
  const first = await run();
  expect(first).toMatchObject({ status: "partial", stats: { added: ROWS, created: ROWS - 1, failed: 1 } });
  // Ten batches of 100, and the refused one split in halves down to the bad row: far fewer than 1,000.
  const requests = (await acceptedRequests()) - before;
  expect(requests).toBeGreaterThanOrEqual(10);
  expect(requests).toBeLessThanOrEqual(10 + 2 * Math.ceil(Math.log2(100)));

  const failed = await h.dev.get("/v1/reverse-etl/syncs/:id/runs/:run_id/rows", {
    params: { id: sync.id, run_id: first.id },
    query: { status: "failed" },
  });
  expect(failed.data).toHaveLength(1);
  expect(failed.data[0]).toMatchObject({ pk: String(BAD), operation: "create" });
  expect(failed.data[0]!.message).toContain("Email address p500-at-batch.example is invalid");

  let contacts = await contactsAt();
  expect(contacts.size).toBe(ROWS - 1);
  for (const i of [1, 499, 501, ROWS]) expect(contacts.get(`p${i}@${domain}`)?.firstname).toBe(`Name${i}`);
  expect(contacts.has(`p${BAD}@${domain}`)).toBe(false);

  // Unchanged, only the refused row is sent again (and refused again).
  const again = await run();
  expect(again).toMatchObject({
    status: "partial",
    stats: { added: 1, unchanged: ROWS - 1, failed: 1, created: 0 },
  });

  // Fixed in the model, it is written; nothing else moves.
  await setTable(`p${BAD}@${domain}`);
  const fixed = await run();
  expect(fixed).toMatchObject({ status: "succeeded", stats: { added: 1, created: 1, failed: 0 } });
  contacts = await contactsAt();
  expect(contacts.size).toBe(ROWS);
  expect(contacts.get(`p${BAD}@${domain}`)?.firstname).toBe(`Name${BAD}`);
}, 120_000);

it("a scheduled sync is run by the job queue when due, once per slot; a bad frequency is refused", async () => {
  const models = await h.dev.get("/v1/reverse-etl/models", {});
  const body = {
    model_id: models.data[0]!.id,
    connection_id: connectionId,
    target: { type: "actions", create: "create_contact", update: "update_contact" },
    mapping: [{ column: "email", field: "properties.email" }],
  };
  const refused = await h.dev
    .post("/v1/reverse-etl/syncs", { body: { ...body, frequency: "5" } as never })
    .catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(ApiError);
  expect(JSON.stringify((refused as ApiError).problem)).toContain("frequency");

  const before = Date.now();
  const sync = await h.dev.post("/v1/reverse-etl/syncs", { body: { ...body, frequency: "30m" } as never });
  const next = Date.parse(sync.next_run_at!);
  expect(next - before).toBeGreaterThanOrEqual(30 * 60_000 - 1000);
  expect(next - before).toBeLessThanOrEqual(30 * 60_000 + 60_000);

  const jobs = createInProcessJobQueue();
  const deps = { ...h.deps, mappers: unifiedMappers, writers: unifiedWriters };
  expect(await enqueueDueReverseEtlRuns(deps, jobs, new Date(next - 1000))).toEqual([]);
  const due = new Date(next + 1000);
  expect(await enqueueDueReverseEtlRuns(deps, jobs, due)).toEqual([sync.id]);
  // The same slot is not taken twice.
  expect(await enqueueDueReverseEtlRuns(deps, jobs, due)).toEqual([]);
  await jobs.work(reverseEtlJobHandlers(deps), { concurrency: 1, onError: (e) => expect.fail(String(e)) });
  const deadline = Date.now() + 30_000;
  let runs = await h.dev.get("/v1/reverse-etl/syncs/:id/runs", { params: { id: sync.id } });
  while (runs.data[0]?.status !== "succeeded" && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    runs = await h.dev.get("/v1/reverse-etl/syncs/:id/runs", { params: { id: sync.id } });
  }
  await jobs.stop();
  expect(runs.data).toHaveLength(1);
  expect(runs.data[0]).toMatchObject({ status: "succeeded", stats: { added: ROWS } });
  const moved = await h.dev.get("/v1/reverse-etl/syncs/:id", { params: { id: sync.id } });
  expect(Date.parse(moved.next_run_at!)).toBe(due.getTime() + 30 * 60_000);
}, 120_000);
