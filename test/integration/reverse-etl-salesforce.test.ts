/**
 * Reverse ETL into Salesforce contacts through sObject Collections: 1,000 rows with one Salesforce refuses
 * (a LastName over its 80 characters) go out as five create requests of 200, counted at the emulator; the
 * refused row is reported with Salesforce's own message and the 999 others are in the org with their
 * contents. Mirror mode then deletes what left the model through the batch delete (`?ids=`). (The warehouse
 * shows a model only the rows of its environment's connections: hence `_connection_id`.)
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/core/index.ts";
import { type Harness, startHarness } from "../../src/server/test-harness.ts";
import { acceptedRequests, liveRows } from "../helpers/emulator-counts.ts";
import { providerWithEmulator, startEmulator } from "../helpers/emulators.ts";
import { onWarehouseFile } from "../helpers/warehouse-file.ts";

const salesforce = providerWithEmulator("salesforce");
const ROWS = 1000;
const BAD = 500;
const domain = "sf-batch.example";

let emulator: EmulatorHandle;
let h: Harness;
let connectionId: string;
let warehousePath: string;

async function setTable(sql: string): Promise<void> {
  await onWarehouseFile(warehousePath, async (connection) => {
    await connection.run(sql);
  });
}

const peopleUpTo = (rows: number, badLastName: string) =>
  setTable(
    `CREATE OR REPLACE TABLE people AS SELECT i AS id, 'p' || i || '@${domain}' AS email,
       CASE WHEN i = ${BAD} THEN '${badLastName}' ELSE 'Last' || i END AS last_name,
       '${connectionId}' AS _connection_id
     FROM range(1, ${rows + 1}) t(i)`,
  );

/** The org's live contacts of this test, by email. */
async function contacts(): Promise<Map<string, Record<string, unknown>>> {
  const live = await liveRows(emulator.url, "Contact");
  const out = new Map<string, Record<string, unknown>>();
  for (const record of live) {
    const email = String(record.Email ?? "");
    if (!email.endsWith(`@${domain}`)) continue;
    expect(out.has(email), `two contacts with ${email}`).toBe(false);
    out.set(email, record);
  }
  return out;
}

beforeAll(async () => {
  emulator = await startEmulator(salesforce, { seed: 12, records: 10, unlimited: true });
  h = await startHarness({ providers: { salesforce }, rateLimit: false });
  warehousePath = `${h.dir}/warehouse.duckdb`;
  h.deps.warehouse = { path: warehousePath };
  const created = await h.dev.post("/v1/connections", {
    body: {
      provider: "salesforce",
      credentials: emulator.credentials as never,
      end_user: { id: "customer-sf-batch" },
      config: { base_url: emulator.url },
    },
  });
  connectionId = created.id;
}, 60_000);

afterAll(async () => {
  await h?.close();
  await emulator?.close();
});

it("1,000 rows with one Salesforce refuses: 999 written in five requests, the one reported with Salesforce's message; mirror deletes in one", async () => {
  await peopleUpTo(ROWS, "x".repeat(81));
  const model = await h.dev.post("/v1/reverse-etl/models", {
    body: { name: "sf_people", sql: "SELECT id, email, last_name FROM people", primary_key: "id" },
  });
  const sync = await h.dev.post("/v1/reverse-etl/syncs", {
    body: {
      model_id: model.id,
      connection_id: connectionId,
      mode: "mirror",
      target: {
        type: "actions",
        create: "create_contact",
        update: "update_contact",
        delete: "delete_contact",
        id_field: "Id",
      },
      mapping: [
        { column: "email", field: "Email" },
        { column: "last_name", field: "LastName" },
      ],
    } as never,
  });
  const run = () => h.dev.post("/v1/reverse-etl/syncs/:id/run", { params: { id: sync.id } });

  const before = await acceptedRequests(emulator.url);
  const first = await run();
  expect(first).toMatchObject({ status: "partial", stats: { added: ROWS, created: ROWS - 1, failed: 1 } });
  // Five collections of 200: the refused record is answered inside its batch, not split out.
  expect((await acceptedRequests(emulator.url)) - before).toBe(ROWS / 200);

  const failed = await h.dev.get("/v1/reverse-etl/syncs/:id/runs/:run_id/rows", {
    params: { id: sync.id, run_id: first.id },
    query: { status: "failed" },
  });
  expect(failed.data).toHaveLength(1);
  expect(failed.data[0]).toMatchObject({ pk: String(BAD), operation: "create" });
  expect(failed.data[0]!.message).toContain("Last Name: data value too large");

  let org = await contacts();
  expect(org.size).toBe(ROWS - 1);
  for (const i of [1, 200, 201, 499, 501, ROWS])
    expect(org.get(`p${i}@${domain}`)?.LastName).toBe(`Last${i}`);
  expect(org.has(`p${BAD}@${domain}`)).toBe(false);

  // The bad row fixed and the last 100 rows gone from the model: one create, one batch delete.
  await peopleUpTo(ROWS - 100, `Last${BAD}`);
  const beforeMirror = await acceptedRequests(emulator.url);
  const mirrored = await run();
  expect(mirrored).toMatchObject({ status: "succeeded", stats: { created: 1, deleted: 100, failed: 0 } });
  expect((await acceptedRequests(emulator.url)) - beforeMirror).toBe(2);
  org = await contacts();
  expect(org.size).toBe(ROWS - 100);
  expect(org.get(`p${BAD}@${domain}`)?.LastName).toBe(`Last${BAD}`);
  expect(org.has(`p${ROWS}@${domain}`)).toBe(false);
}, 120_000);
