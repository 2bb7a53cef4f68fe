/**
 * Embedded reverse ETL end to end: the product pushes its records through `PUT /v1/sources/{name}/records`
 * (or they are read from its Postgres), and one embedded sync sends them as unified Contacts into two
 * customers' CRMs, a HubSpot and a Pipedrive connection (each started from the registry's emulator). What
 * landed is checked at the emulators: counts and contents; a re-push changes nothing; deletes propagate as the
 * mode says; a per-connection mapping applies to its connection only; bad input gets a clear error and
 * stores nothing; the Postgres password and the emulators' tokens leak nowhere.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readPostgresSource } from "../../src/app/sources/postgres-read.ts";
import {
  EMBEDDED_RUN_JOB,
  embeddedJobHandlers,
  embeddedRunLine,
  enqueueDueEmbeddedRuns,
  runEmbeddedSchedules,
} from "../../src/app/sources/schedule.ts";
import { sourceRow } from "../../src/app/sources/sources.ts";
import { ApiError } from "../../src/client/client.ts";
import type { EmulatorHandle } from "../../src/core/index.ts";
import { unifiedMappers } from "../../src/providers/unified-mappers.ts";
import { unifiedWriters } from "../../src/providers/unified-writers.ts";
import type { JobQueue } from "../../src/scheduler/jobs.ts";
import { createInProcessJobQueue } from "../../src/scheduler/jobs-in-process.ts";
import { type Harness, startHarness } from "../../src/server/test-harness.ts";
import { providerWithEmulator, startEmulator } from "../helpers/emulators.ts";
import { createTestDatabase, postgresAvailable } from "../helpers/postgres.ts";

const hubspot = providerWithEmulator("hubspot");
const pipedrive = providerWithEmulator("pipedrive");
const pgAvailable = await postgresAvailable();

let h: Harness;
let hs: EmulatorHandle;
let pd: EmulatorHandle;
let hsConn: string;
let pdConn: string;

interface User {
  id: string;
  email: string;
  first_name: string;
  last_name: string;
  profile: { nickname: string };
}

const users = (domain: string, n: number): User[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `u${i + 1}`,
    email: `user${i + 1}@${domain}`,
    first_name: `Ada${i + 1}`,
    last_name: `Lovelace${i + 1}`,
    profile: { nickname: `Nick${i + 1}` },
  }));

const contactMapping = [
  { column: "first_name", field: "first_name" },
  { column: "last_name", field: "last_name" },
  { column: "email", field: "email_addresses.0.email_address" },
];

async function connect(emulator: EmulatorHandle, provider: string, endUser: string): Promise<string> {
  const created = await h.dev.post("/v1/connections", {
    body: {
      provider,
      credentials: emulator.credentials as never,
      end_user: { id: endUser },
      config: { base_url: emulator.url },
    },
  });
  for (const [key, value] of Object.entries(emulator.credentials))
    if (key !== "type" && typeof value === "string") h.secret(value);
  return created.id;
}

/** HubSpot's live contacts whose email ends with `@domain`, by email. */
async function hubspotContacts(domain: string): Promise<Map<string, Record<string, unknown>>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const record of (await hs.truth("contacts")).live.values()) {
    const email = String(record.email ?? "");
    if (!email.endsWith(`@${domain}`)) continue;
    expect(out.has(email), `two HubSpot contacts with ${email}`).toBe(false);
    out.set(email, record);
  }
  return out;
}

/** Pipedrive's persons (as its API v2 answers them) whose first email ends with `@domain`, by email. */
async function pipedrivePersons(domain: string): Promise<Map<string, Record<string, unknown>>> {
  const key = (pd.credentials as { key: string }).key;
  const out = new Map<string, Record<string, unknown>>();
  let cursor: string | null = null;
  do {
    const url = `${pd.url}/api/v2/persons?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const response = await fetch(url, { headers: { "x-api-token": key } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      data: { emails?: { value: string }[]; name: string }[];
      additional_data?: { next_cursor?: string | null };
    };
    for (const person of body.data) {
      const email = person.emails?.[0]?.value ?? "";
      if (!email.endsWith(`@${domain}`)) continue;
      expect(out.has(email), `two Pipedrive persons with ${email}`).toBe(false);
      out.set(email, person);
    }
    cursor = body.additional_data?.next_cursor ?? null;
  } while (cursor);
  return out;
}

async function refusal(call: Promise<unknown>): Promise<ApiError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

const push = (name: string, body: { records?: Record<string, unknown>[]; deletes?: string[] }) =>
  h.dev.put("/v1/sources/:name/records", { params: { name }, body: body as never });
const run = (id: string) => h.dev.post("/v1/embedded-syncs/:id/run", { params: { id } });
const partOf = (result: Awaited<ReturnType<typeof run>>, connectionId: string) => {
  const part = result.connections.find((c) => c.connection_id === connectionId);
  expect(part, `connection ${connectionId} in the run`).toBeDefined();
  return part!;
};

beforeAll(async () => {
  hs = await startEmulator(hubspot, { seed: 11, records: 5, unlimited: true });
  pd = await startEmulator(pipedrive, { seed: 12, records: 5, unlimited: true });
  h = await startHarness({ providers: { hubspot, pipedrive }, rateLimit: false });
  hsConn = await connect(hs, "hubspot", "customer-hs");
  pdConn = await connect(pd, "pipedrive", "customer-pd");
}, 60_000);

afterAll(async () => {
  // No token or password reached the store (sealed) or the logs.
  if (h) expect(await h.leakedSecrets()).toEqual([]);
  await h?.close();
  await hs?.close();
  await pd?.close();
});

describe("an api source into every connection's CRM as unified Contacts", () => {
  const domain = "embedded.example";
  let syncId: string;

  it("pushed records reach HubSpot and Pipedrive, with their contents", async () => {
    const source = await h.dev.post("/v1/sources", {
      body: { name: "users", kind: "api", primary_key: "id" },
    });
    expect(source).toMatchObject({ name: "users", kind: "api", records: 0 });
    const pushed = await push("users", { records: users(domain, 5) as never });
    expect(pushed).toEqual({ created: 5, updated: 0, unchanged: 0, deleted: 0 });
    const sync = await h.dev.post("/v1/embedded-syncs", {
      body: { source: "users", model: "Contact", mapping: contactMapping },
    });
    syncId = sync.id;
    // No schedule, and created after the push: no run is due until asked (or until the next push).
    expect(sync.next_run_at).toBeNull();

    const result = await run(syncId);
    expect(result.status).toBe("succeeded");
    for (const conn of [hsConn, pdConn]) {
      expect(partOf(result, conn)).toMatchObject({
        status: "succeeded",
        run: { stats: { added: 5, created: 5, updated: 0, failed: 0 } },
      });
    }
    const contacts = await hubspotContacts(domain);
    expect(contacts.size).toBe(5);
    const persons = await pipedrivePersons(domain);
    expect(persons.size).toBe(5);
    for (const user of users(domain, 5)) {
      expect(contacts.get(user.email)).toMatchObject({
        firstname: user.first_name,
        lastname: user.last_name,
      });
      expect(persons.get(user.email)?.name).toBe(`${user.first_name} ${user.last_name}`);
    }
    const page = await h.dev.get("/v1/sources/:name/records", {
      params: { name: "users" },
      query: { limit: 2 },
    });
    expect(page.data.map((r) => r.id)).toEqual(["u1", "u2"]);
    expect(page.next).toBe("u2");
    expect(page.data[0]!.record).toEqual(users(domain, 1)[0]);
  });

  it("the same records pushed again (keys reordered) change nothing and write nothing", async () => {
    const reordered = users(domain, 5).map(({ profile, last_name, email, first_name, id }) => ({
      profile,
      last_name,
      email,
      first_name,
      id,
    }));
    const before = await h.dev.get("/v1/sources/:name", { params: { name: "users" } });
    expect(await push("users", { records: reordered as never })).toEqual({
      created: 0,
      updated: 0,
      unchanged: 5,
      deleted: 0,
    });
    const after = await h.dev.get("/v1/sources/:name", { params: { name: "users" } });
    expect(after.records_changed_at).toBe(before.records_changed_at);
    const hsBefore = await hubspotContacts(domain);
    const result = await run(syncId);
    for (const conn of [hsConn, pdConn]) {
      expect(partOf(result, conn).run?.stats).toMatchObject({
        added: 0,
        changed: 0,
        removed: 0,
        unchanged: 5,
        created: 0,
        updated: 0,
      });
    }
    // Not one write at HubSpot: every contact as it was, to its update time.
    expect(await hubspotContacts(domain)).toEqual(hsBefore);
  });

  it("a change reaches both; a delete leaves the record in upsert mode and removes it in mirror mode where the writer can", async () => {
    const changed = { ...users(domain, 5)[1]!, first_name: "Grace" };
    expect(await push("users", { records: [changed] as never, deletes: ["u5"] })).toEqual({
      created: 0,
      updated: 1,
      unchanged: 0,
      deleted: 1,
    });
    const upsert = await run(syncId);
    for (const conn of [hsConn, pdConn])
      expect(partOf(upsert, conn).run?.stats).toMatchObject({
        changed: 1,
        removed: 1,
        updated: 1,
        deleted: 0,
      });
    expect((await hubspotContacts(domain)).get(changed.email)?.firstname).toBe("Grace");
    expect((await pipedrivePersons(domain)).get(changed.email)?.name).toBe(`Grace ${changed.last_name}`);
    // Upsert: what left the source stays at the provider.
    expect((await hubspotContacts(domain)).size).toBe(5);

    await h.dev.put("/v1/embedded-syncs/:id", {
      params: { id: syncId },
      body: { source: "users", model: "Contact", mode: "mirror", mapping: contactMapping },
    });
    await push("users", { deletes: ["u4"] });
    const mirror = await run(syncId);
    expect(partOf(mirror, hsConn).run?.stats).toMatchObject({ removed: 1, deleted: 1, failed: 0 });
    const contacts = await hubspotContacts(domain);
    expect(contacts.has("user4@embedded.example")).toBe(false);
    expect(contacts.size).toBe(4);
    // Pipedrive deletes the person too (DELETE /api/v2/persons/{id}).
    expect(partOf(mirror, pdConn).run?.stats).toMatchObject({ removed: 1, deleted: 1, skipped: 0 });
    const persons = await pipedrivePersons(domain);
    expect(persons.has("user4@embedded.example")).toBe(false);
    expect(persons.size).toBe(4);
  });

  it("a per-connection mapping applies to that connection only", async () => {
    await h.dev.put("/v1/embedded-syncs/:id", {
      params: { id: syncId },
      body: {
        source: "users",
        model: "Contact",
        mode: "mirror",
        mapping: contactMapping,
        connection_mappings: { [pdConn]: [{ column: "profile.nickname", field: "first_name" }] },
      },
    });
    const result = await run(syncId);
    expect(partOf(result, hsConn).run?.stats).toMatchObject({ unchanged: 3, changed: 0, updated: 0 });
    expect(partOf(result, pdConn).run?.stats).toMatchObject({ changed: 3, updated: 3, failed: 0 });
    const persons = await pipedrivePersons(domain);
    const contacts = await hubspotContacts(domain);
    for (const user of users(domain, 3)) {
      expect(persons.get(user.email)?.name).toBe(`${user.profile.nickname} ${user.last_name}`);
      expect(contacts.get(user.email)?.firstname).toBe(user.id === "u2" ? "Grace" : user.first_name);
    }
    const runs = await h.dev.get("/v1/embedded-syncs/:id/runs", { params: { id: syncId }, query: {} });
    expect(runs.data.filter((r) => r.connection_id === pdConn)).toHaveLength(5);
  });
});

describe("bad input gets a clear error and stores nothing", () => {
  beforeAll(async () => {
    await h.dev.post("/v1/sources", { body: { name: "strict", kind: "api", primary_key: "id" } });
  });
  const count = async () => (await h.dev.get("/v1/sources/:name", { params: { name: "strict" } })).records;

  it("wrong types, a missing or repeated primary key, too many records", async () => {
    const wrongType = await refusal(push("strict", { records: "nope" as never }));
    expect(wrongType.status).toBe(400);
    expect(wrongType.problem.code).toBe("request_invalid");
    expect(JSON.stringify(wrongType.problem)).toContain("records");

    const noKey = await refusal(push("strict", { records: [{ id: "a" }, { name: "no id" }] }));
    expect(noKey.problem.code).toBe("request_invalid");
    expect(noKey.problem.detail).toContain('record 1 has no primary key "id"');
    const objectKey = await refusal(push("strict", { records: [{ id: { nested: 1 } }] }));
    expect(objectKey.problem.detail).toContain("record 0 has no primary key");
    const repeated = await refusal(push("strict", { records: [{ id: "a" }, { id: "a", x: 1 }] }));
    expect(repeated.problem.detail).toContain("repeats the primary key of record 0");
    const tooMany = await refusal(
      push("strict", { records: Array.from({ length: 1001 }, (_, i) => ({ id: `r${i}` })) }),
    );
    expect(tooMany.status).toBe(400);
    expect(JSON.stringify(tooMany.problem)).toContain("at most 1000 records per request");
    expect(await count()).toBe(0);
  });

  it("a body over the size limit is refused with 413", async () => {
    const big = JSON.stringify({ records: [{ id: "big", blob: "x".repeat(1_100_000) }] });
    const response = await h.app.inject({
      method: "PUT",
      url: "/v1/sources/strict/records",
      headers: { authorization: `Bearer ${h.keys.dev}`, "content-type": "application/json" },
      payload: big,
    });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ code: "payload_too_large" });
    expect(await count()).toBe(0);
  });

  it("unknown sources, bad definitions and fields no covered CRM takes", async () => {
    expect((await refusal(push("nowhere", { records: [{ id: "a" }] }))).status).toBe(404);
    const both = await refusal(
      h.dev.post("/v1/sources", {
        body: {
          name: "both",
          kind: "postgres",
          primary_key: "id",
          connection_string: "postgres://127.0.0.1/x",
          table: "t",
          query: "SELECT 1",
        },
      }),
    );
    expect(JSON.stringify(both.problem)).toContain("exactly one of `table` and `query`");
    const badField = await refusal(
      h.dev.post("/v1/embedded-syncs", {
        body: { source: "strict", model: "Contact", mapping: [{ column: "email", field: "emails" }] },
      }),
    );
    expect(badField.problem.code).toBe("request_invalid");
    expect(JSON.stringify(badField.problem)).toContain("email_addresses");
    const badConn = await refusal(
      h.dev.post("/v1/embedded-syncs", {
        body: {
          source: "strict",
          model: "Contact",
          mapping: contactMapping,
          connection_mappings: { conn_nope: [] },
        },
      }),
    );
    expect(JSON.stringify(badConn.problem)).toContain("No connection conn_nope");
  });
});

describe("a push makes the source's syncs due soon, once, on the job queue", () => {
  it("debounces pushes into one embedded.run job that runs the sync", async () => {
    await h.dev.post("/v1/sources", { body: { name: "queued", kind: "api", primary_key: "id" } });
    const sync = await h.dev.post("/v1/embedded-syncs", {
      body: {
        source: "queued",
        model: "Contact",
        mapping: contactMapping,
        filter: { providers: ["hubspot"] },
      },
    });
    const at = Date.now();
    await push("queued", { records: users("queued.example", 2) as never });
    await push("queued", { records: users("queued.example", 3) as never });
    const due = (await h.dev.get("/v1/embedded-syncs/:id", { params: { id: sync.id } })).next_run_at;
    expect(due).not.toBeNull();
    expect(Date.parse(due!)).toBeGreaterThan(at);
    expect(Date.parse(due!)).toBeLessThanOrEqual(Date.now() + 5_000);
    const enqueued: { name: string; payload: unknown }[] = [];
    const jobs = {
      kind: "in-process",
      async enqueue(name: string, payload: unknown) {
        enqueued.push({ name, payload });
      },
    } as unknown as JobQueue;
    // Other tests' syncs may be due too: only this one's jobs are looked at.
    const mine = (ids: string[]) => ids.filter((id) => id === sync.id);
    expect(mine(await enqueueDueEmbeddedRuns(h.deps, jobs, new Date(Date.parse(due!) - 1)))).toEqual([]);
    expect(mine(await enqueueDueEmbeddedRuns(h.deps, jobs, new Date(Date.parse(due!) + 1)))).toEqual([
      sync.id,
    ]);
    expect(mine(await enqueueDueEmbeddedRuns(h.deps, jobs, new Date(Date.parse(due!) + 2)))).toEqual([]);
    const jobsOfSync = enqueued.filter((job) => (job.payload as { sync_id: string }).sync_id === sync.id);
    expect(jobsOfSync).toHaveLength(1);
    expect(jobsOfSync[0]!.name).toBe(EMBEDDED_RUN_JOB);
    expect((await h.dev.get("/v1/embedded-syncs/:id", { params: { id: sync.id } })).next_run_at).toBeNull();
    const handlers = embeddedJobHandlers({ ...h.deps, mappers: unifiedMappers, writers: unifiedWriters });
    await handlers[EMBEDDED_RUN_JOB]!(jobsOfSync[0]!.payload, {
      signal: new AbortController().signal,
    } as never);
    expect((await hubspotContacts("queued.example")).size).toBe(3);
  });
});

describe("npm start's embedded schedules", () => {
  it("a push alone gets its records into the CRM a few seconds later (dispatcher and handler on an in-process queue)", async () => {
    await h.dev.post("/v1/sources", { body: { name: "live", kind: "api", primary_key: "id" } });
    await h.dev.post("/v1/embedded-syncs", {
      body: {
        source: "live",
        model: "Contact",
        mapping: contactMapping,
        filter: { providers: ["pipedrive"] },
      },
    });
    const abort = new AbortController();
    const finished: string[] = [];
    const deps = { ...h.deps, mappers: unifiedMappers, writers: unifiedWriters };
    const scheduling = runEmbeddedSchedules({
      jobs: createInProcessJobQueue(),
      signal: abort.signal,
      dispatch: deps,
      work: deps,
      pollMs: 100,
      onRunFinished: (result) => finished.push(embeddedRunLine(result)),
      onError: (error) => finished.push(`error: ${error}`),
    });
    try {
      await push("live", { records: users("live.example", 2) as never });
      await expect.poll(() => finished.length, { timeout: 20_000, interval: 200 }).toBeGreaterThan(0);
    } finally {
      abort.abort();
      await scheduling;
    }
    expect(finished[0]).toMatch(/succeeded: pipedrive \S+ succeeded \(created 2/);
    expect((await pipedrivePersons("live.example")).size).toBe(2);
  });
});

describe.skipIf(!pgAvailable)("a postgres source (a real database of its own)", () => {
  const password = "pg-source-password-7f3e";
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let client: pg.Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
    await client.query(
      "CREATE TABLE people (id integer PRIMARY KEY, email text, first_name text, last_name text, updated timestamptz DEFAULT now())",
    );
    for (let i = 1; i <= 3; i++)
      await client.query("INSERT INTO people (id, email, first_name, last_name) VALUES ($1, $2, $3, $4)", [
        i,
        `pg${i}@pg.example`,
        `Pat${i}`,
        `Gres${i}`,
      ]);
  });
  afterAll(async () => {
    await client?.end();
    await database?.drop();
  });

  it("is read through a read-only cursor and synced; changes and deletes in the table follow", async () => {
    const url = new URL(database.url);
    url.password = h.secret(password); // The test server trusts local connections, so any password works.
    const source = await h.dev.post("/v1/sources", {
      body: {
        name: "people",
        kind: "postgres",
        primary_key: "id",
        connection_string: url.toString(),
        query: "SELECT id, email, first_name, last_name FROM people ORDER BY id;",
      },
    });
    expect(JSON.stringify(source)).not.toContain(password);
    expect(JSON.stringify(await h.dev.get("/v1/sources"))).not.toContain(password);
    const sync = await h.dev.post("/v1/embedded-syncs", {
      body: {
        source: "people",
        model: "Contact",
        mode: "mirror",
        mapping: contactMapping,
        filter: { providers: ["hubspot"] },
      },
    });
    const first = await run(sync.id);
    expect(first.source_read).toEqual({ read: 3, created: 3, updated: 0, deleted: 0 });
    expect(first.connections).toHaveLength(1);
    expect(partOf(first, hsConn).run?.stats).toMatchObject({ created: 3, failed: 0 });
    let contacts = await hubspotContacts("pg.example");
    expect([...contacts.keys()].sort()).toEqual(["pg1@pg.example", "pg2@pg.example", "pg3@pg.example"]);
    expect(contacts.get("pg2@pg.example")).toMatchObject({ firstname: "Pat2", lastname: "Gres2" });

    await client.query("UPDATE people SET first_name = 'Patricia' WHERE id = 1");
    await client.query("DELETE FROM people WHERE id = 3");
    const second = await run(sync.id);
    expect(second.source_read).toEqual({ read: 2, created: 0, updated: 1, deleted: 1 });
    expect(partOf(second, hsConn).run?.stats).toMatchObject({
      changed: 1,
      removed: 1,
      updated: 1,
      deleted: 1,
    });
    contacts = await hubspotContacts("pg.example");
    expect([...contacts.keys()].sort()).toEqual(["pg1@pg.example", "pg2@pg.example"]);
    expect(contacts.get("pg1@pg.example")?.firstname).toBe("Patricia");
    const records = await h.dev.get("/v1/sources/:name/records", { params: { name: "people" }, query: {} });
    expect(records.data.map((r) => r.id)).toEqual(["1", "2"]);
  });

  it("reads of one source at once (a scheduled run and one asked for) delete nothing either saw", async () => {
    const deps = { ...h.deps, mappers: unifiedMappers, writers: unifiedWriters };
    const source = await sourceRow(deps, h.environments.dev.id, "people");
    for (let round = 0; round < 5; round++) {
      const reads = await Promise.all([1, 2, 3].map(() => readPostgresSource(deps, source)));
      expect(reads.map((r) => r.deleted)).toEqual([0, 0, 0]);
      expect((await h.dev.get("/v1/sources/:name", { params: { name: "people" } })).records).toBe(2);
    }
  });

  it("a query that writes is refused by the read-only transaction, saying so", async () => {
    await client.query("CREATE SEQUENCE bumps");
    const url = new URL(database.url);
    url.password = password;
    await h.dev.post("/v1/sources", {
      body: {
        name: "writer",
        kind: "postgres",
        primary_key: "id",
        connection_string: url.toString(),
        query: "SELECT id, email, nextval('bumps') AS n FROM people",
      },
    });
    const sync = await h.dev.post("/v1/embedded-syncs", {
      body: {
        source: "writer",
        model: "Contact",
        mapping: contactMapping,
        filter: { providers: ["hubspot"] },
      },
    });
    const error = await refusal(run(sync.id));
    expect(error.problem.code).toBe("argument_invalid");
    expect(error.problem.detail).toContain("read-only transaction");
    expect(error.problem.detail).not.toContain(password);
    expect((await h.dev.get("/v1/sources/:name", { params: { name: "writer" } })).records).toBe(0);
    expect((await h.dev.get("/v1/sources/:name", { params: { name: "people" } })).records).toBe(2);
  });
});
