/**
 * Embedded reverse ETL matches existing CRM records before creating, and deletes in Pipedrive and Salesforce.
 * A customer's Pipedrive and Salesforce already hold contacts with some of the product's emails (one in a
 * different case, and one email held by two records). One embedded sync links the existing ones (no second
 * record; their fields updated, and updated again on a later run), creates the rest, and fails only the row
 * whose email two records share, naming them. Mirror mode then deletes exactly what left the source, a
 * record already deleted at the provider counting as deleted. Accounts are matched by name the same way.
 * Everything is checked at the emulators.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/core/index.ts";
import { type Harness, startHarness } from "../../src/server/test-harness.ts";
import {
  createPipedrivePerson,
  createPipedriveRecord,
  createSalesforceRecord,
  deletePipedrivePerson,
  deleteSalesforceContact,
  pipedrivePersons,
  salesforceContacts,
} from "../helpers/crm-records.ts";
import { acceptedRequests, liveRows } from "../helpers/emulator-counts.ts";
import { providerWithEmulator, startEmulator } from "../helpers/emulators.ts";

const pipedrive = providerWithEmulator("pipedrive");
const salesforce = providerWithEmulator("salesforce");
const domain = "match.example";

let h: Harness;
let pd: EmulatorHandle;
let sf: EmulatorHandle;
let pdConn: string;
let sfConn: string;
let syncId: string;
/** The records the customer had before the sync, by email. */
const existing = { pd: new Map<string, string>(), sf: new Map<string, string>() };
const duplicates = { pd: [] as string[], sf: [] as string[] };

const person = (id: string, first: string, last: string) => ({
  id,
  email: `${id}@${domain}`,
  first_name: first,
  last_name: last,
});
const records = [
  person("ada", "Ada", "Lovelace"),
  person("alan", "Alan", "Turing"),
  person("dup", "Dee", "Uplicate"),
  person("new1", "Grace", "Hopper"),
  person("new2", "Edsger", "Dijkstra"),
];
const contactMapping = [
  { column: "first_name", field: "first_name" },
  { column: "last_name", field: "last_name" },
  { column: "email", field: "email_addresses.0.email_address" },
];

async function connect(emulator: EmulatorHandle, provider: string): Promise<string> {
  const created = await h.dev.post("/v1/connections", {
    body: {
      provider,
      credentials: emulator.credentials as never,
      end_user: { id: `customer-${provider}` },
      config: { base_url: emulator.url },
    },
  });
  return created.id;
}

const push = (body: { records?: Record<string, unknown>[]; deletes?: string[] }) =>
  h.dev.put("/v1/sources/:name/records", { params: { name: "people" }, body: body as never });
const run = () => h.dev.post("/v1/embedded-syncs/:id/run", { params: { id: syncId } });
const partOf = (result: Awaited<ReturnType<typeof run>>, connectionId: string) => {
  const part = result.connections.find((c) => c.connection_id === connectionId);
  expect(part, `connection ${connectionId} in the run`).toBeDefined();
  return part!;
};
const rowsOf = (runId: string, status: "succeeded" | "failed" | "skipped") =>
  h.dev.get("/v1/embedded-syncs/:id/runs/:run_id/rows", {
    params: { id: syncId, run_id: runId },
    query: { status },
  });

/** Pipedrive's persons of the test, by email in lower case (more than one only where the customer had two). */
async function personsByEmail(): Promise<Map<string, Record<string, unknown>[]>> {
  const out = new Map<string, Record<string, unknown>[]>();
  for (const p of await pipedrivePersons(pd, domain)) {
    const email = (p.emails as { value: string }[])[0]!.value.toLowerCase();
    out.set(email, [...(out.get(email) ?? []), p]);
  }
  return out;
}

async function contactsByEmail(): Promise<Map<string, Record<string, unknown>[]>> {
  const out = new Map<string, Record<string, unknown>[]>();
  for (const c of await salesforceContacts(sf, domain)) {
    const email = String(c.Email).toLowerCase();
    out.set(email, [...(out.get(email) ?? []), c]);
  }
  return out;
}

beforeAll(async () => {
  pd = await startEmulator(pipedrive, { seed: 21, records: 5, unlimited: true });
  sf = await startEmulator(salesforce, { seed: 22, records: 5, unlimited: true });
  h = await startHarness({ providers: { pipedrive, salesforce }, rateLimit: false });
  pdConn = await connect(pd, "pipedrive");
  sfConn = await connect(sf, "salesforce");
  // The customer's own records: Ada and Alan (Alan's email in capitals at Salesforce), and two of `dup`.
  existing.pd.set("ada", String(await createPipedrivePerson(pd, "Old Ada", `ada@${domain}`)));
  existing.pd.set("alan", String(await createPipedrivePerson(pd, "Old Alan", `Alan@${domain}`)));
  existing.sf.set(
    "ada",
    await createSalesforceRecord(sf, "Contact", { LastName: "OldAda", Email: `ada@${domain}` }),
  );
  existing.sf.set(
    "alan",
    await createSalesforceRecord(sf, "Contact", { LastName: "OldAlan", Email: `ALAN@${domain}` }),
  );
  for (let i = 0; i < 2; i++) {
    duplicates.pd.push(String(await createPipedrivePerson(pd, `Dup ${i}`, `dup@${domain}`)));
    duplicates.sf.push(
      await createSalesforceRecord(sf, "Contact", { LastName: `Dup${i}`, Email: `dup@${domain}` }),
    );
  }
  await h.dev.post("/v1/sources", { body: { name: "people", kind: "api", primary_key: "id" } });
  await push({ records: records as never });
  const sync = await h.dev.post("/v1/embedded-syncs", {
    body: { source: "people", model: "Contact", mapping: contactMapping },
  });
  syncId = sync.id;
}, 60_000);

afterAll(async () => {
  await h?.close();
  await pd?.close();
  await sf?.close();
});

describe("an embedded sync over a source whose emails some CRM records have already", () => {
  it("links the existing records (updated, none created twice), creates the rest, fails only the ambiguous row", async () => {
    const sfBefore = await acceptedRequests(sf.url);
    const result = await run();
    expect(result.status).toBe("partial");
    for (const conn of [pdConn, sfConn]) {
      const part = partOf(result, conn);
      // Matched rows are written as updates of the records found, and counted with the creates.
      expect(part.run?.stats).toMatchObject({ added: 5, created: 4, updated: 0, failed: 1 });
      expect(part.matched).toEqual({ matched: 2, ambiguous: 1 });
      const failed = await rowsOf(part.run!.id, "failed");
      expect(failed.data.map((r) => r.pk)).toEqual(["dup"]);
      const ids = conn === pdConn ? duplicates.pd : duplicates.sf;
      expect(failed.data[0]!.message).toContain(`2 existing`);
      for (const id of ids) expect(failed.data[0]!.message).toContain(id);
      const ok = await rowsOf(part.run!.id, "succeeded");
      const linked = new Map(ok.data.map((r) => [r.pk, r.remote_id]));
      const before = conn === pdConn ? existing.pd : existing.sf;
      expect(linked.get("ada")).toBe(before.get("ada"));
      expect(linked.get("alan")).toBe(before.get("alan"));
    }
    // Salesforce: one SOQL query for all five emails, one collection of updates, one of creates.
    expect((await acceptedRequests(sf.url)) - sfBefore).toBe(3);

    const persons = await personsByEmail();
    expect([...persons.keys()].sort()).toEqual(records.map((r) => r.email).sort());
    for (const r of records) expect(persons.get(r.email), r.email).toHaveLength(r.id === "dup" ? 2 : 1);
    expect(persons.get(`ada@${domain}`)![0]).toMatchObject({
      id: Number(existing.pd.get("ada")),
      name: "Ada Lovelace",
    });
    expect(persons.get(`alan@${domain}`)![0]).toMatchObject({
      id: Number(existing.pd.get("alan")),
      name: "Alan Turing",
    });
    expect(persons.get(`new1@${domain}`)![0]).toMatchObject({ name: "Grace Hopper" });
    expect(
      persons
        .get(`dup@${domain}`)!
        .map((p) => p.name)
        .sort(),
    ).toEqual(["Dup 0", "Dup 1"]);

    const contacts = await contactsByEmail();
    expect([...contacts.keys()].sort()).toEqual(records.map((r) => r.email).sort());
    for (const r of records) expect(contacts.get(r.email), r.email).toHaveLength(r.id === "dup" ? 2 : 1);
    expect(contacts.get(`ada@${domain}`)![0]).toMatchObject({
      Id: existing.sf.get("ada"),
      FirstName: "Ada",
      LastName: "Lovelace",
    });
    expect(contacts.get(`alan@${domain}`)![0]).toMatchObject({
      Id: existing.sf.get("alan"),
      LastName: "Turing",
    });
    expect(contacts.get(`new2@${domain}`)![0]).toMatchObject({ FirstName: "Edsger", LastName: "Dijkstra" });
    expect(
      contacts
        .get(`dup@${domain}`)!
        .map((c) => c.LastName)
        .sort(),
    ).toEqual(["Dup0", "Dup1"]);
  });

  it("a later change updates the linked record, and the ambiguous row fails again until the duplicates go", async () => {
    await push({ records: [{ ...records[0]!, first_name: "Augusta" }] });
    const result = await run();
    for (const conn of [pdConn, sfConn]) {
      expect(partOf(result, conn).run?.stats).toMatchObject({
        changed: 1,
        updated: 1,
        created: 0,
        failed: 1,
      });
    }
    expect((await personsByEmail()).get(`ada@${domain}`)).toEqual([
      expect.objectContaining({ id: Number(existing.pd.get("ada")), name: "Augusta Lovelace" }),
    ]);
    expect((await contactsByEmail()).get(`ada@${domain}`)).toEqual([
      expect.objectContaining({ Id: existing.sf.get("ada"), FirstName: "Augusta" }),
    ]);

    // One duplicate deleted at each CRM: the row links to the one left.
    await deletePipedrivePerson(pd, duplicates.pd[1]!);
    await deleteSalesforceContact(sf, duplicates.sf[1]!);
    const retried = await run();
    for (const conn of [pdConn, sfConn]) {
      expect(partOf(retried, conn).run?.stats).toMatchObject({ created: 1, failed: 0 });
      expect(partOf(retried, conn).matched).toEqual({ matched: 1, ambiguous: 0 });
    }
    expect((await personsByEmail()).get(`dup@${domain}`)).toEqual([
      expect.objectContaining({ id: Number(duplicates.pd[0]), name: "Dee Uplicate" }),
    ]);
    expect((await contactsByEmail()).get(`dup@${domain}`)).toEqual([
      expect.objectContaining({ Id: duplicates.sf[0], LastName: "Uplicate" }),
    ]);
  });
});

describe("mirror mode in Pipedrive and Salesforce", () => {
  it("deletes exactly the records that left the source; one already gone at the provider counts as deleted", async () => {
    await h.dev.put("/v1/embedded-syncs/:id", {
      params: { id: syncId },
      body: { source: "people", model: "Contact", mode: "mirror", mapping: contactMapping },
    });
    const personsBefore = await personsByEmail();
    const contactsBefore = await contactsByEmail();
    // new2 is deleted at both CRMs first, by hand.
    await deletePipedrivePerson(pd, String(personsBefore.get(`new2@${domain}`)![0]!.id));
    await deleteSalesforceContact(sf, String(contactsBefore.get(`new2@${domain}`)![0]!.Id));
    await push({ deletes: ["new1", "new2"] });
    const result = await run();
    expect(result.status).toBe("succeeded");
    for (const conn of [pdConn, sfConn]) {
      expect(partOf(result, conn).run?.stats).toMatchObject({
        removed: 2,
        deleted: 2,
        skipped: 0,
        failed: 0,
      });
    }
    const kept = records.filter((r) => !["new1", "new2"].includes(r.id)).map((r) => r.email);
    const persons = await personsByEmail();
    expect([...persons.keys()].sort()).toEqual(kept.sort());
    for (const email of kept) expect(persons.get(email)).toEqual(personsBefore.get(email));
    const contacts = await contactsByEmail();
    expect([...contacts.keys()].sort()).toEqual(kept.sort());
    for (const email of kept)
      expect(contacts.get(email)?.map((c) => c.Id)).toEqual(contactsBefore.get(email)?.map((c) => c.Id));
  });
});

describe("Accounts are matched by name", () => {
  it("an existing Pipedrive organization and Salesforce Account with the name are linked, not created again", async () => {
    const pdOrg = String(await createPipedriveRecord(pd, "organizations", { name: "Analytical Engines" }));
    await h.dev.post("/v1/sources", { body: { name: "companies", kind: "api", primary_key: "id" } });
    await h.dev.put("/v1/sources/:name/records", {
      params: { name: "companies" },
      body: {
        records: [
          { id: "c1", name: "analytical engines" },
          { id: "c2", name: "Difference Engines" },
        ],
      } as never,
    });
    const sfAccountsBefore = (await liveRows(sf.url, "Account")).length;
    const sfAccount = await createSalesforceRecord(sf, "Account", { Name: "Analytical Engines" });
    const sync = await h.dev.post("/v1/embedded-syncs", {
      body: { source: "companies", model: "Account", mapping: [{ column: "name", field: "name" }] },
    });
    const result = await h.dev.post("/v1/embedded-syncs/:id/run", { params: { id: sync.id } });
    expect(result.status).toBe("succeeded");
    for (const [conn, existingId] of [
      [pdConn, pdOrg],
      [sfConn, sfAccount],
    ] as const) {
      const part = partOf(result, conn);
      expect(part.matched).toEqual({ matched: 1, ambiguous: 0 });
      const rows = await h.dev.get("/v1/embedded-syncs/:id/runs/:run_id/rows", {
        params: { id: sync.id, run_id: part.run!.id },
        query: { status: "succeeded" },
      });
      expect(rows.data.find((r) => r.pk === "c1")?.remote_id).toBe(existingId);
    }
    const accounts = await liveRows(sf.url, "Account");
    expect(accounts.length).toBe(sfAccountsBefore + 2);
    expect(accounts.find((a) => a.Id === sfAccount)?.Name).toBe("analytical engines");
    expect(accounts.filter((a) => String(a.Name).toLowerCase() === "analytical engines")).toHaveLength(1);
  });
});
