/**
 * App-to-app flows writing through batch actions and carrying deletes, against the HubSpot and Salesforce
 * emulators: 250 HubSpot contacts become Salesforce contacts in two sObject Collections requests (one per
 * page of the change feed), counted at Salesforce's emulator; contacts then archived in HubSpot are deleted in
 * Salesforce in one batch request and unlinked (`on_delete` by default, the target naming `delete_contact`),
 * while a flow saying `on_delete: "keep"` leaves its records; a flow asking to delete through a target
 * without a delete action is refused when saved. Triggers split as scale-out splits them: a dispatch-only
 * process enqueues a due flow and a work-only one runs it.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { runAction } from "../../src/app/actions/run-action.ts";
import { listFlowRuns } from "../../src/app/flows/runs.ts";
import { runFlowTriggers } from "../../src/app/flows/triggers.ts";
import { syncConnection } from "../../src/app/syncs/sync-connection.ts";
import type { EmulatorHandle } from "../../src/core/index.ts";
import { unifiedMappers } from "../../src/providers/unified-mappers.ts";
import { unifiedWriters } from "../../src/providers/unified-writers.ts";
import { createInProcessJobQueue } from "../../src/scheduler/jobs-in-process.ts";
import { type Harness, startHarness } from "../../src/server/test-harness.ts";
import { type ConnectionRow, getConnection } from "../../src/store/index.ts";
import { acceptedRequests, liveRows } from "../helpers/emulator-counts.ts";
import { providerWithEmulator, startEmulator } from "../helpers/emulators.ts";

const hubspot = providerWithEmulator("hubspot");
const salesforce = providerWithEmulator("salesforce");
const CONTACTS = 250;

let h: Harness;
let hs: EmulatorHandle;
let sf: EmulatorHandle;
let hsConn: ConnectionRow;
let sfConn: ConnectionRow;

const deps = () => ({ ...h.deps, mappers: unifiedMappers, writers: unifiedWriters });

async function connect(emulator: EmulatorHandle, provider: string): Promise<ConnectionRow> {
  const created = await h.dev.post("/v1/connections", {
    body: {
      provider,
      credentials: emulator.credentials as never,
      end_user: { id: "customer-flow-batches" },
      config: { base_url: emulator.url },
    },
  });
  return getConnection(h.store.db, created.id);
}

async function syncContacts(): Promise<void> {
  const run = await syncConnection(
    { store: h.store, vault: h.deps.vault, providers: h.deps.providers },
    hsConn.id,
    { streams: ["contacts"] },
  );
  expect(run.status).toBe("succeeded");
}

/** Salesforce's live contacts, by id. */
async function salesforceContacts(): Promise<Map<string, Record<string, unknown>>> {
  return new Map((await liveRows(sf.url, "Contact")).map((record) => [String(record.Id), record]));
}

async function linksOf(flowId: string): Promise<Map<string, string>> {
  const rows = await h.store.db
    .withTables<{ flow_links: { flow_id: string; from_pk: string; to_pk: string } }>()
    .selectFrom("flow_links")
    .select(["from_pk", "to_pk"])
    .where("flow_id", "=", flowId)
    .execute();
  return new Map(rows.map((row) => [row.from_pk, row.to_pk]));
}

const flowBody = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  from: { connection_id: hsConn.id, stream: "contacts" },
  to: {
    connection_id: sfConn.id,
    stream: "contacts",
    target: {
      type: "actions",
      create: "create_contact",
      update: "update_contact",
      delete: "delete_contact",
      id_field: "Id",
    },
  },
  mapping: [
    { from: "lastname", to: "LastName", transforms: [{ op: "default", value: "(unknown)" }] },
    { from: "firstname", to: "FirstName" },
    { from: "email", to: "Email" },
  ],
  ...extra,
});

beforeAll(async () => {
  hs = await startEmulator(hubspot, { seed: 61, records: CONTACTS, unlimited: true });
  sf = await startEmulator(salesforce, { seed: 62, records: 5, unlimited: true });
  h = await startHarness({ providers: { hubspot, salesforce }, rateLimit: false });
  hsConn = await connect(hs, "hubspot");
  sfConn = await connect(sf, "salesforce");
  await syncContacts();
}, 120_000);

afterAll(async () => {
  await h?.close();
  await hs?.close();
  await sf?.close();
});

it("refuses on_delete: delete when the target names no delete action", async () => {
  const body = flowBody("no-delete-action", { on_delete: "delete" });
  const { delete: _none, ...target } = body.to.target;
  const problem = await h.dev
    .post("/v1/flows", { body: { ...body, to: { ...body.to, target } } as never })
    .then(
      () => undefined,
      (e: { problem: { code: string; detail?: string; errors?: unknown } }) => e.problem,
    );
  expect(problem?.code).toBe("request_invalid");
  expect(JSON.stringify(problem)).toContain("cannot delete");
});

it("writes 250 records in two batch requests, then carries deletes in one, unlinking them; keep keeps", async () => {
  const all = await h.dev.post("/v1/flows", { body: flowBody("contacts-to-salesforce") as never });
  const before = await acceptedRequests(sf.url);
  const first = await h.dev.post("/v1/flows/:id/run", { params: { id: all.id } });
  expect(first).toMatchObject({ status: "succeeded", counts: { created: CONTACTS, failed: 0, deleted: 0 } });
  // Pages of 200 from the change feed, each one sObject Collections request.
  expect((await acceptedRequests(sf.url)) - before).toBe(2);
  let links = await linksOf(all.id);
  expect(links.size).toBe(CONTACTS);
  let org = await salesforceContacts();
  const hubspotContacts = (await hs.truth("contacts")).live;
  for (const [fromPk, toPk] of links) {
    const contact = hubspotContacts.get(fromPk)!;
    expect(org.get(toPk), fromPk).toMatchObject({ LastName: contact.lastname ?? "(unknown)" });
  }

  // A second flow over the first three contacts' lifecycle stage, keeping deletes.
  const gone = [...links.keys()].slice(0, 3);
  const stage = String(hubspotContacts.get(gone[0]!)!.lifecyclestage);
  const kept = await h.dev.post("/v1/flows", {
    body: flowBody("kept-in-salesforce", {
      on_delete: "keep",
      filter: [{ field: "lifecyclestage", op: "=", value: stage }],
    }) as never,
  });
  const keptRun = await h.dev.post("/v1/flows/:id/run", { params: { id: kept.id } });
  expect(keptRun.counts.created).toBeGreaterThanOrEqual(1);
  const keptLinks = await linksOf(kept.id);
  expect(keptLinks.has(gone[0]!)).toBe(true);

  for (const id of gone) await runAction(deps(), hsConn, "archive_contact", { id });
  await syncContacts();
  const beforeDeletes = await acceptedRequests(sf.url);
  const second = await h.dev.post("/v1/flows/:id/run", { params: { id: all.id } });
  expect(second).toMatchObject({ status: "succeeded", counts: { deleted: 3, created: 0, failed: 0 } });
  expect((await acceptedRequests(sf.url)) - beforeDeletes).toBe(1);
  org = await salesforceContacts();
  for (const id of gone) expect(org.has(links.get(id)!), id).toBe(false);
  links = await linksOf(all.id);
  expect(links.size).toBe(CONTACTS - 3);
  for (const id of gone) expect(links.has(id)).toBe(false);
  const rows = await h.dev.get("/v1/flows/:id/runs/:run_id/rows", {
    params: { id: all.id, run_id: second.id },
    query: {},
  });
  expect(rows.data.map((row) => row.operation)).toEqual(["delete", "delete", "delete"]);

  const keptAgain = await h.dev.post("/v1/flows/:id/run", { params: { id: kept.id } });
  expect(keptAgain.counts.deleted).toBe(0);
  expect(org.has(keptLinks.get(gone[0]!)!)).toBe(true);
  expect((await linksOf(kept.id)).has(gone[0]!)).toBe(true);
}, 180_000);

it("a dispatching process enqueues a due flow and a working process runs it (server and worker roles)", async () => {
  const flow = await h.dev.post("/v1/flows", {
    body: flowBody("scheduled-split", {
      schedule: "1h",
      filter: [{ field: "email", op: "contains", value: "@" }],
    }) as never,
  });
  const queue = createInProcessJobQueue();
  const errors: unknown[] = [];
  const abort = new AbortController();
  const common = { queue, signal: abort.signal, onError: (e: unknown) => errors.push(e), pollMs: 50 };
  // Two hours on: the flow's first run (one period after it was saved) is due.
  const later = () => new Date(Date.now() + 2 * 3_600_000);
  const worker = runFlowTriggers({ ...common, work: deps() });
  const server = runFlowTriggers({ ...common, dispatch: h.deps, now: later });
  try {
    const deadline = Date.now() + 60_000;
    let runs = await listFlowRuns(h.deps, h.environments.dev.id, flow.id);
    while (!runs.some((r) => r.status === "succeeded") && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      runs = await listFlowRuns(h.deps, h.environments.dev.id, flow.id);
    }
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ trigger: "schedule", status: "succeeded" });
    expect(runs[0]!.counts.created).toBeGreaterThan(0);
  } finally {
    abort.abort();
    await Promise.all([worker, server]);
  }
  expect(errors).toEqual([]);
}, 120_000);
