/**
 * A run that dies at the worst point — the provider created the records, the run never recorded the answer —
 * and the run that resumes it: the emulator must hold exactly one record per model row, with the row's final
 * content. The crash is simulated at that exact point: the provider's create action runs against the
 * emulator, then throws an error that stops the run (as the process dying would), so the results are lost.
 *
 * - Salesforce matched on Email (no upsert key): the resumed run looks the creates left in flight up
 *   (`SELECT Id, Email FROM Contact WHERE Email IN (...)`), links what it finds, creates the rest; rows
 *   the dead run never sent are not looked up (counted in requests). A key two records hold fails its row.
 * - Salesforce matched on an External ID field (`Customer_Key__c`): creates are sObject Collections upserts,
 *   so the resent batch updates what the first one created.
 * - Pipedrive persons (no upsert): the resumed run searches the persons in flight by email and links them.
 * - A unified Contact target through Salesforce: the same lookup, on the calls the unified writer builds.
 * - A create sent and never answered (retries ran out): its row fails, and the next run links its record.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { runReverseEtlSync } from "../../src/app/reverse-etl/run.ts";
import {
  type ActionDefinition,
  type EmulatorHandle,
  type ProviderDefinition,
  SwitchyardError,
} from "../../src/core/index.ts";
import { unifiedMappers } from "../../src/providers/unified-mappers.ts";
import { unifiedWriters } from "../../src/providers/unified-writers.ts";
import { type Harness, startHarness } from "../../src/server/test-harness.ts";
import { acceptedRequests, liveRows } from "../helpers/emulator-counts.ts";
import { providerWithEmulator, startEmulator } from "../helpers/emulators.ts";
import { onWarehouseFile } from "../helpers/warehouse-file.ts";

const salesforce = providerWithEmulator("salesforce");
const pipedrive = providerWithEmulator("pipedrive");

let sf: EmulatorHandle;
let pd: EmulatorHandle;
let h: Harness;
let sfConn: string;
let pdConn: string;
let warehousePath: string;

async function setTable(sql: string): Promise<void> {
  await onWarehouseFile(warehousePath, async (connection) => {
    await connection.run(sql);
  });
}

/** `rows` people of `domain`; rows whose id is a multiple of `editEvery` carry an edited last name. */
const people = (table: string, connectionId: string, domain: string, rows: number, editEvery = 0) =>
  setTable(
    `CREATE OR REPLACE TABLE ${table} AS SELECT i AS id, 'p' || i || '@${domain}' AS email, 'K-' || i AS key,
       CASE WHEN ${editEvery} > 0 AND i % ${editEvery || 1} = 0 THEN 'Edited' || i ELSE 'Last' || i END AS last_name,
       '${connectionId}' AS _connection_id
     FROM range(1, ${rows + 1}) t(i)`,
  );

/**
 * The providers, with `action` of `provider` wrapped: after its first `okSends` calls ran, the next call runs
 * against the emulator and then stops the run, its answer lost (what a process killed right then leaves).
 */
function crashingAfter(
  provider: ProviderDefinition,
  action: string,
  okSends: number,
  lost: () => Error = () =>
    new SwitchyardError("run_aborted", "Simulated crash: the process died after the provider answered."),
) {
  let sends = 0;
  const actions = (provider.actions ?? []).map(
    (definition): ActionDefinition =>
      definition.name !== action
        ? definition
        : {
            ...definition,
            async run(http, input) {
              const output = await definition.run(http, input);
              if (++sends > okSends) throw lost();
              return output;
            },
          },
  );
  return { ...h.deps.providers, [provider.name]: { ...provider, actions } };
}

async function model(name: string, table: string): Promise<string> {
  const created = await h.dev.post("/v1/reverse-etl/models", {
    body: { name, sql: `SELECT id, email, key, last_name FROM ${table}`, primary_key: "id" },
  });
  return created.id;
}

async function sync(body: Record<string, unknown>): Promise<string> {
  return (await h.dev.post("/v1/reverse-etl/syncs", { body: body as never })).id;
}

/** Runs the sync in process with the crashing providers; the run must die. */
async function crashedRun(syncId: string, providers: ReturnType<typeof crashingAfter>, concurrency = 1) {
  const deps = { ...h.deps, providers, mappers: unifiedMappers, writers: unifiedWriters };
  const error = await runReverseEtlSync(deps, h.environments.dev.id, syncId, { concurrency }).catch(
    (e: unknown) => e,
  );
  expect(error).toMatchObject({ code: "run_aborted" });
}

const resume = (syncId: string) => h.dev.post("/v1/reverse-etl/syncs/:id/run", { params: { id: syncId } });

/** The live Salesforce contacts whose email ends with `@domain`, grouped by email. */
async function sfContacts(domain: string): Promise<Map<string, Record<string, unknown>[]>> {
  const out = new Map<string, Record<string, unknown>[]>();
  for (const record of await liveRows(sf.url, "Contact")) {
    const email = String(record.Email ?? "");
    if (email.endsWith(`@${domain}`)) out.set(email, [...(out.get(email) ?? []), record]);
  }
  return out;
}

/** Exactly one contact per row, each with the row's final last name (and key, when `withKey`). */
function expectOnePerRow(
  org: Map<string, Record<string, unknown>[]>,
  domain: string,
  rows: number,
  editEvery: number,
  withKey = false,
) {
  const twice = [...org].filter(([, records]) => records.length > 1).map(([email]) => email);
  expect(twice, "contacts created twice").toEqual([]);
  expect(org.size).toBe(rows);
  for (let i = 1; i <= rows; i++) {
    const [record] = org.get(`p${i}@${domain}`) ?? [];
    expect(record?.LastName, `p${i}`).toBe(i % editEvery === 0 ? `Edited${i}` : `Last${i}`);
    if (withKey) expect(record?.Customer_Key__c).toBe(`K-${i}`);
  }
}

beforeAll(async () => {
  // 1,200 seeded records: the emulator's query batches are then 200 records, as a lookup's keys are.
  sf = await startEmulator(salesforce, { seed: 21, records: 1200, unlimited: true });
  pd = await startEmulator(pipedrive, { seed: 22, records: 5, unlimited: true });
  h = await startHarness({ providers: { salesforce, pipedrive }, rateLimit: false });
  warehousePath = `${h.dir}/warehouse.duckdb`;
  h.deps.warehouse = { path: warehousePath };
  const connect = async (emulator: EmulatorHandle, provider: string) =>
    (
      await h.dev.post("/v1/connections", {
        body: {
          provider,
          credentials: emulator.credentials as never,
          end_user: { id: `idem-${provider}` },
          config: { base_url: emulator.url },
        },
      })
    ).id as string;
  sfConn = await connect(sf, "salesforce");
  pdConn = await connect(pd, "pipedrive");
}, 60_000);

afterAll(async () => {
  await h?.close();
  await sf?.close();
  await pd?.close();
});

const contactTarget = { type: "actions", create: "create_contact", update: "update_contact", id_field: "Id" };

it("Salesforce matched on Email: the creates in flight are looked up and linked, the rest created; one contact per row", async () => {
  const domain = "idem-email.example";
  const ROWS = 450;
  await people("sf_email", sfConn, domain, ROWS);
  const id = await sync({
    model_id: await model("sf_email", "sf_email"),
    connection_id: sfConn,
    mode: "upsert",
    target: contactTarget,
    match: { by: "natural_key", column: "email", stream: "contacts", field: "Email" },
    mapping: [
      { column: "email", field: "Email" },
      { column: "last_name", field: "LastName" },
    ],
  });
  // The first page of 400 rows goes as two batches of 200, one at a time: the first is created at
  // Salesforce and its answer lost; the process dies before the second is sent.
  await crashedRun(id, crashingAfter(salesforce, "batch_create_contacts", 0));
  expect((await sfContacts(domain)).size).toBe(200);

  // The model changes meanwhile (every 9th row); the resumed run writes the final contents.
  await people("sf_email", sfConn, domain, ROWS, 9);
  const before = await acceptedRequests(sf.url);
  const resumed = await resume(id);
  // The 200 in flight are found and linked (updated with their final contents); the 250 never sent are
  // created.
  expect(resumed).toMatchObject({ status: "succeeded", stats: { failed: 0, updated: 200, created: 250 } });
  // The describe (is Email an External ID field? no), one lookup query for the 200 in flight (200 keys a
  // query), one update batch for them, and the creates (200 of the first page, 50 of the second): the rows
  // never sent paid for no lookup.
  expect((await acceptedRequests(sf.url)) - before).toBe(5);
  expectOnePerRow(await sfContacts(domain), domain, ROWS, 9);

  // Nothing left: the next run sends nothing.
  expect((await resume(id)).stats).toMatchObject({ unchanged: ROWS, created: 0, updated: 0, failed: 0 });
}, 120_000);

it("Salesforce: a row whose key two contacts hold after a crash fails with why, and is not created a third time", async () => {
  const domain = "idem-twice.example";
  await people("sf_twice", sfConn, domain, 3);
  const id = await sync({
    model_id: await model("sf_twice", "sf_twice"),
    connection_id: sfConn,
    mode: "upsert",
    target: contactTarget,
    mapping: [
      { column: "email", field: "Email" },
      { column: "last_name", field: "LastName" },
    ],
  });
  await crashedRun(id, crashingAfter(salesforce, "batch_create_contacts", 0));
  expect((await sfContacts(domain)).size).toBe(3);
  // Someone adds a second contact with row 2's email meanwhile.
  const extra = await fetch(`${sf.url}/services/data/v62.0/sobjects/Contact`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${(sf.credentials as { token: string }).token}`,
      "content-type": "application/json",
    },
    body: JSON.stringify({ LastName: "Other", Email: `p2@${domain}` }),
  });
  expect(extra.status).toBe(201);
  const resumed = await resume(id);
  expect(resumed).toMatchObject({ status: "partial", stats: { updated: 2, created: 0, failed: 1 } });
  const failed = await h.dev.get("/v1/reverse-etl/syncs/:id/runs/:run_id/rows", {
    params: { id, run_id: resumed.id },
    query: { status: "failed" },
  });
  expect(failed.data).toHaveLength(1);
  expect(failed.data[0]).toMatchObject({ pk: "2", operation: "create" });
  expect(failed.data[0]!.message).toMatch(/2 records match Email = p2@idem-twice\.example/);
  const org = await sfContacts(domain);
  expect(org.get(`p2@${domain}`)).toHaveLength(2);
  expect(org.get(`p1@${domain}`)).toHaveLength(1);
  expect(org.get(`p3@${domain}`)).toHaveLength(1);
}, 120_000);

it("Salesforce matched on an External ID field: creates are upserts, the resent batch updates what the lost one created", async () => {
  const domain = "idem-extid.example";
  const ROWS = 300;
  await people("sf_key", sfConn, domain, ROWS);
  const id = await sync({
    model_id: await model("sf_key", "sf_key"),
    connection_id: sfConn,
    mode: "upsert",
    target: contactTarget,
    match: { by: "natural_key", column: "key", stream: "contacts", field: "Customer_Key__c" },
    mapping: [
      { column: "email", field: "Email" },
      { column: "key", field: "Customer_Key__c" },
      { column: "last_name", field: "LastName" },
    ],
  });
  await crashedRun(id, crashingAfter(salesforce, "batch_upsert_contacts", 0));
  expect((await sfContacts(domain)).size).toBe(200);
  await people("sf_key", sfConn, domain, ROWS, 7);
  const before = await acceptedRequests(sf.url);
  const resumed = await resume(id);
  // Every row sent again as an upsert: no lookup, the 200 the lost batch created updated in place.
  expect(resumed).toMatchObject({ status: "succeeded", stats: { created: ROWS, failed: 0 } });
  // One describe (is Customer_Key__c an External ID field?) and two upsert batches.
  expect((await acceptedRequests(sf.url)) - before).toBe(3);
  expectOnePerRow(await sfContacts(domain), domain, ROWS, 7, true);
}, 120_000);

it("Pipedrive persons (no upsert): the creates in flight are found by Pipedrive's exact search on email; one person per row", async () => {
  const domain = "idem-pd.example";
  const ROWS = 30;
  await people("pd_people", pdConn, domain, ROWS);
  const id = await sync({
    model_id: await model("pd_people", "pd_people"),
    connection_id: pdConn,
    mode: "upsert",
    target: { type: "actions", create: "create_person", update: "update_person", id_field: "id" },
    mapping: [
      { column: "email", field: "email" },
      { column: "last_name", field: "name" },
    ],
  });
  // Eleven persons created one call at a time, the process dying after the eleventh: no answer recorded.
  await crashedRun(id, crashingAfter(pipedrive, "create_person", 10));
  const persons = async () => {
    const response = await fetch(`${pd.url}/_emulator/ground-truth/persons`);
    const { records } = (await response.json()) as { records: Record<string, unknown>[] };
    const out = new Map<string, Record<string, unknown>[]>();
    for (const record of records) {
      const emails = (record.emails ?? []) as { value?: string }[];
      const email = emails[0]?.value ?? String(record.email ?? "");
      if (email.endsWith(`@${domain}`)) out.set(email, [...(out.get(email) ?? []), record]);
    }
    return out;
  };
  expect((await persons()).size).toBe(11);
  await people("pd_people", pdConn, domain, ROWS, 4);
  const before = await acceptedRequests(pd.url, "daily");
  const resumed = await resume(id);
  expect(resumed).toMatchObject({ status: "succeeded", stats: { failed: 0 } });
  // The eleven in flight found by email and linked (updated), the 19 never sent created.
  expect(resumed.stats).toMatchObject({ updated: 11, created: 19 });
  // One exact search per person in flight, then one call per row: the 19 never sent were not searched for.
  expect((await acceptedRequests(pd.url, "daily")) - before).toBe(11 + 11 + 19);
  const org = await persons();
  const twice = [...org].filter(([, records]) => records.length > 1).map(([email]) => email);
  expect(twice, "persons created twice").toEqual([]);
  expect(org.size).toBe(ROWS);
  for (let i = 1; i <= ROWS; i++)
    expect(org.get(`p${i}@${domain}`)?.[0]?.name, `p${i}`).toBe(i % 4 === 0 ? `Edited${i}` : `Last${i}`);
}, 120_000);

it("Salesforce: a create batch sent and never answered (retries ran out) fails its rows, and the next run links instead of creating again", async () => {
  const domain = "idem-noanswer.example";
  await people("sf_noanswer", sfConn, domain, 3);
  const id = await sync({
    model_id: await model("sf_noanswer", "sf_noanswer"),
    connection_id: sfConn,
    mode: "upsert",
    target: contactTarget,
    mapping: [
      { column: "email", field: "Email" },
      { column: "last_name", field: "LastName" },
    ],
  });
  const providers = crashingAfter(
    salesforce,
    "batch_create_contacts",
    0,
    () => new SwitchyardError("provider_unavailable", "Salesforce did not answer (simulated)."),
  );
  const deps = { ...h.deps, providers, mappers: unifiedMappers, writers: unifiedWriters };
  const first = await runReverseEtlSync(deps, h.environments.dev.id, id);
  expect(first).toMatchObject({ status: "partial", stats: { created: 0, failed: 3 } });
  expect((await sfContacts(domain)).size).toBe(3);
  const again = await resume(id);
  expect(again).toMatchObject({ status: "succeeded", stats: { created: 0, updated: 3, failed: 0 } });
  const org = await sfContacts(domain);
  expect(org.size).toBe(3);
  for (const records of org.values()) expect(records).toHaveLength(1);
}, 120_000);

it("a unified Contact target through Salesforce: the same lookup of the creates in flight (the writer's calls), one contact per row", async () => {
  const domain = "idem-unified.example";
  const ROWS = 20;
  await people("sf_unified", sfConn, domain, ROWS);
  const id = await sync({
    model_id: await model("sf_unified", "sf_unified"),
    connection_id: sfConn,
    mode: "upsert",
    target: { type: "unified", model: "Contact" },
    mapping: [
      { column: "email", field: "email_addresses.0.email_address" },
      { column: "last_name", field: "last_name" },
    ],
  });
  await crashedRun(id, crashingAfter(salesforce, "batch_create_contacts", 0));
  expect((await sfContacts(domain)).size).toBe(ROWS);
  await people("sf_unified", sfConn, domain, ROWS, 3);
  const resumed = await resume(id);
  expect(resumed).toMatchObject({ status: "succeeded", stats: { updated: ROWS, created: 0, failed: 0 } });
  expectOnePerRow(await sfContacts(domain), domain, ROWS, 3);
}, 120_000);
