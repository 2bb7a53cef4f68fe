/**
 * App-to-app flows against the HubSpot and Pipedrive emulators (started through the registry): HubSpot
 * contacts into Pipedrive persons once lifecyclestage is salesqualifiedlead (counts, and contents checked in
 * Pipedrive's emulator), a refused row reported and retried, a two-way flow run 20 rounds with seeded random
 * edits on both sides converging without loops or lost edits, and a defineFlow flow run by the same engine.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAction } from "../../src/app/actions/run-action.ts";
import { loadFlowsModule } from "../../src/app/flows/code-flows.ts";
import { runFlow } from "../../src/app/flows/run.ts";
import { listFlowRuns } from "../../src/app/flows/runs.ts";
import { createFlowTriggers } from "../../src/app/flows/triggers.ts";
import { syncConnection } from "../../src/app/syncs/sync-connection.ts";
import { announceFinishedRuns } from "../../src/app/webhooks/run-events.ts";
import type { EmulatorHandle } from "../../src/core/index.ts";
import { valueAt } from "../../src/flows/reverse-etl/mapping.ts";
import { unifiedMappers } from "../../src/providers/unified-mappers.ts";
import { unifiedWriters } from "../../src/providers/unified-writers.ts";
import { createInProcessJobQueue } from "../../src/scheduler/jobs-in-process.ts";
import { type Harness, startHarness } from "../../src/server/test-harness.ts";
import { type ConnectionRow, getConnection } from "../../src/store/index.ts";
import { providerWithEmulator, startEmulator } from "../helpers/emulators.ts";

const hubspot = providerWithEmulator("hubspot");
const pipedrive = providerWithEmulator("pipedrive");
let h: Harness;
const emulators: EmulatorHandle[] = [];

interface World {
  hs: EmulatorHandle;
  pd: EmulatorHandle;
  hsConn: ConnectionRow;
  pdConn: ConnectionRow;
}

const deps = () => ({ ...h.deps, mappers: unifiedMappers, writers: unifiedWriters });

async function connect(emulator: EmulatorHandle, provider: string, endUser: string): Promise<ConnectionRow> {
  const created = await h.dev.post("/v1/connections", {
    body: {
      provider,
      credentials: emulator.credentials as never,
      end_user: { id: endUser },
      config: { base_url: emulator.url },
    },
  });
  return getConnection(h.store.db, created.id);
}

async function world(endUser: string, seed: number, records: number): Promise<World> {
  const hs = await startEmulator(hubspot, { seed, records, unlimited: true });
  const pd = await startEmulator(pipedrive, { seed, records, unlimited: true });
  emulators.push(hs, pd);
  return {
    hs,
    pd,
    hsConn: await connect(hs, "hubspot", endUser),
    pdConn: await connect(pd, "pipedrive", endUser),
  };
}

async function sync(connection: ConnectionRow, stream: string): Promise<void> {
  const run = await syncConnection(
    { store: h.store, vault: h.deps.vault, providers: h.deps.providers },
    connection.id,
    {
      streams: [stream],
    },
  );
  expect(run.status).toBe("succeeded");
}

const act = (connection: ConnectionRow, action: string, input: unknown) =>
  runAction(deps(), connection, action, input);

async function live(emulator: EmulatorHandle, stream: string) {
  return (await emulator.truth(stream)).live;
}

/** Pipedrive's persons as its emulator's API v2 answers them (its truth vouches for ids and times only), by id. */
async function persons(w: World): Promise<Map<string, Record<string, unknown>>> {
  const key = (w.pd.credentials as { key: string }).key;
  const out = new Map<string, Record<string, unknown>>();
  let cursor: string | null = null;
  do {
    const url = `${w.pd.url}/api/v2/persons?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const response = await fetch(url, { headers: { "x-api-token": key } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      data: Record<string, unknown>[];
      additional_data?: { next_cursor?: string | null };
    };
    for (const person of body.data) out.set(String(person.id), person);
    cursor = body.additional_data?.next_cursor ?? null;
  } while (cursor);
  return out;
}

beforeAll(async () => {
  h = await startHarness({ providers: { hubspot, pipedrive }, rateLimit: false });
}, 60_000);

afterAll(async () => {
  await h?.close();
  for (const emulator of emulators) await emulator.close();
});

const leadsFlow = (w: World, name: string) => ({
  name,
  from: { connection_id: w.hsConn.id, stream: "contacts" },
  to: {
    connection_id: w.pdConn.id,
    stream: "persons",
    target: { type: "actions" as const, create: "create_person", update: "update_person" },
  },
  filter: [{ field: "lifecyclestage", op: "=" as const, value: "salesqualifiedlead" }],
  mapping: [
    {
      from: "firstname",
      to: "name",
      transforms: [{ op: "concat" as const, fields: ["lastname"], separator: " " }],
    },
    { from: "email", to: "email", transforms: [{ op: "lowercase" as const }, { op: "trim" as const }] },
  ],
});

/** Marks the first `n` contacts as sales-qualified leads; their ids. */
async function qualify(w: World, n: number): Promise<string[]> {
  const ids = [...(await live(w.hs, "contacts")).keys()].slice(0, n);
  for (const id of ids)
    await act(w.hsConn, "update_contact", { id, properties: { lifecyclestage: "salesqualifiedlead" } });
  return ids;
}

describe("HubSpot contacts → Pipedrive persons once lifecyclestage is salesqualifiedlead", () => {
  it("creates exactly the qualified contacts as persons, updates a change, reports and retries a refused row", async () => {
    const w = await world("customer-flows-1", 21, 12);
    await qualify(w, 4);
    await sync(w.hsConn, "contacts");
    const contacts = await live(w.hs, "contacts");
    const qualified = [...contacts.values()].filter((c) => c.lifecyclestage === "salesqualifiedlead");
    expect(qualified.length).toBeGreaterThanOrEqual(4);
    const before = (await persons(w)).size;

    const refused = await h.dev
      .post("/v1/flows", {
        body: { ...leadsFlow(w, "bad"), mapping: [{ from: "email", to: "mail" }] } as never,
      })
      .then(
        () => undefined,
        (e: { problem: { code: string; detail: string } }) => e.problem,
      );
    expect(refused?.code).toBe("request_invalid");

    const flow = await h.dev.post("/v1/flows", { body: leadsFlow(w, "sql-leads") as never });
    const first = await h.dev.post("/v1/flows/:id/run", { params: { id: flow.id } });
    expect(first.status).toBe("succeeded");
    expect(first.counts.created).toBe(qualified.length);
    expect(first.counts.filtered_out).toBe(contacts.size - qualified.length);
    const people = [...(await persons(w)).values()];
    expect(people.length).toBe(before + qualified.length);
    for (const contact of qualified) {
      const name = `${contact.firstname} ${contact.lastname}`.trim();
      const person = people.find((p) => p.name === name);
      expect(person, name).toBeDefined();
      expect(JSON.stringify(person)).toContain(String(contact.email).toLowerCase());
    }

    const again = await h.dev.post("/v1/flows/:id/run", { params: { id: flow.id } });
    expect(again.counts.created + again.counts.updated).toBe(0);

    // A change of a qualified contact is an update; an invalid email is refused, reported, and retried.
    const [changed, broken] = qualified;
    await act(w.hsConn, "update_contact", { id: changed!.id, properties: { firstname: "Renamed" } });
    const spare = [...contacts.values()].find((c) => c.lifecyclestage !== "salesqualifiedlead")!;
    await act(w.hsConn, "update_contact", {
      id: spare.id,
      properties: { lifecyclestage: "salesqualifiedlead", firstname: null, lastname: null },
    });
    await sync(w.hsConn, "contacts");
    const third = await h.dev.post("/v1/flows/:id/run", { params: { id: flow.id } });
    expect(third.status).toBe("partial");
    expect(third.counts.updated).toBe(1);
    expect(third.counts.failed).toBe(1);
    const names = [...(await persons(w)).values()].map((p) => p.name);
    expect(names).toContain(`Renamed ${changed!.lastname}`.trim());
    const failed = await h.dev.get("/v1/flows/:id/runs/:run_id/rows", {
      params: { id: flow.id, run_id: third.id },
      query: { status: "failed" },
    });
    expect(failed.data).toHaveLength(1);
    expect(failed.data[0]!.pk).toBe(spare.id);
    expect(failed.data[0]!.message).toMatch(/name/i);

    await act(w.hsConn, "update_contact", { id: spare.id, properties: { firstname: "Fixed" } });
    await sync(w.hsConn, "contacts");
    const fourth = await h.dev.post("/v1/flows/:id/run", { params: { id: flow.id } });
    expect(fourth.status).toBe("succeeded");
    expect(fourth.counts.created).toBe(1);
    expect([...(await persons(w)).values()].map((p) => p.name)).toContain("Fixed");
    expect(broken).toBeDefined();

    const runs = await h.dev.get("/v1/flows/:id/runs", { params: { id: flow.id }, query: {} });
    expect(runs.data.map((r) => r.status)).toEqual(["succeeded", "partial", "succeeded", "succeeded"]);
  }, 120_000);
});

/** mulberry32: a small seeded generator, so the random edits are the same every run. */
function seeded(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("a two-way flow", () => {
  it("converges over 20 rounds of seeded random edits on both sides, without loops or lost edits", async () => {
    const w = await world("customer-flows-2", 33, 6);
    await sync(w.hsConn, "contacts");
    await sync(w.pdConn, "persons");
    const flow = await h.dev.post("/v1/flows", {
      body: {
        name: "two-way-people",
        direction: "two_way",
        from: {
          connection_id: w.hsConn.id,
          stream: "contacts",
          target: { type: "actions", create: "create_contact", update: "update_contact" },
          updated_at: "updatedAt",
        },
        to: {
          connection_id: w.pdConn.id,
          stream: "persons",
          target: { type: "actions", create: "create_person", update: "update_person" },
          updated_at: "update_time",
        },
        mapping: [
          { from: "firstname", from_write: "properties.firstname", to: "name" },
          { from: "phone", from_write: "properties.phone", to: "phone", to_read: "phones.0.value" },
        ],
      } as never,
    });
    const round = async () => {
      await sync(w.hsConn, "contacts");
      await sync(w.pdConn, "persons");
      const run = await runFlow(deps(), h.environments.dev.id, flow.id);
      expect(run.status, run.error ?? "").toBe("succeeded");
      return run;
    };
    /** Runs until a run writes nothing (the echo of the last writes came back and was skipped). */
    const settle = async () => {
      for (let i = 0; i < 3; i++) {
        const run = await round();
        if (run.counts.created + run.counts.updated === 0) return run;
      }
      throw new Error("the flow kept writing: a loop");
    };
    await settle();
    const links = await h.store.db
      .withTables<{ flow_links: { flow_id: string; from_pk: string; to_pk: string } }>()
      .selectFrom("flow_links")
      .select(["from_pk", "to_pk"])
      .where("flow_id", "=", flow.id)
      .execute();
    expect(links.length).toBeGreaterThan(0);
    const pairs = async () => {
      const contacts = await live(w.hs, "contacts");
      const people = await persons(w);
      return links.map((l) => ({
        link: l,
        a: {
          name: contacts.get(l.from_pk)?.firstname ?? null,
          phone: contacts.get(l.from_pk)?.phone ?? null,
        },
        b: {
          name: people.get(l.to_pk)?.name ?? null,
          phone: valueAt(people.get(l.to_pk), "phones.0.value") ?? null,
        },
      }));
    };
    for (const pair of await pairs()) expect(pair.a).toEqual(pair.b);

    const random = seeded(2026);
    let echoes = 0;
    let conflicts = 0;
    let bothEdited = 0;
    for (let r = 0; r < 20; r++) {
      const expected = new Map<string, { field: "name" | "phone"; values: string[] }>();
      const edits = 1 + Math.floor(random() * 3);
      for (let e = 0; e < edits; e++) {
        const link = links[Math.floor(random() * links.length)]!;
        const field = random() < 0.5 ? "name" : "phone";
        const key = `${link.from_pk}/${field}`;
        if (expected.has(key)) continue;
        const where = random();
        const value = (side: string) =>
          field === "name"
            ? `${side}${r}x${Math.floor(random() * 1000)}`
            : `+1555${Math.floor(random() * 1e7)}`;
        const values: string[] = [];
        if (where < 0.7 || where >= 0.85) {
          const v = value("A");
          values.push(v);
          await act(w.hsConn, "update_contact", {
            id: link.from_pk,
            properties: field === "name" ? { firstname: v } : { phone: v },
          });
        }
        if (where >= 0.7) {
          const v = value("B");
          values.push(v);
          await act(w.pdConn, "update_person", { id: Number(link.to_pk), [field]: v });
        }
        if (values.length === 2) bothEdited++;
        expected.set(key, { field, values });
      }
      const run = await round();
      conflicts += run.counts.conflicts;
      const settled = await settle();
      echoes += run.counts.skipped_echo + settled.counts.skipped_echo;
      const now = await pairs();
      for (const pair of now) expect(pair.a, `round ${r}`).toEqual(pair.b);
      for (const [key, { field, values }] of expected) {
        const pair = now.find((p) => key.startsWith(`${p.link.from_pk}/`))!;
        // One side edited: that edit wins; both: one of the two (newest), never a third value.
        expect(values, `round ${r} ${key}`).toContain(pair.a[field]);
      }
    }
    expect(echoes).toBeGreaterThan(0);
    // Every field edited on both sides in one round was one conflict, won by one side (checked above).
    expect(bothEdited).toBeGreaterThan(0);
    expect(conflicts).toBe(bothEdited);
  }, 300_000);
});

describe("a code-first flow (defineFlow)", () => {
  it("runs through the same engine, with its map and filter in code", async () => {
    const w = await world("customer-flows-3", 45, 10);
    await qualify(w, 3);
    await sync(w.hsConn, "contacts");
    process.env.FLOW_TEST_FROM = w.hsConn.id;
    process.env.FLOW_TEST_TO = w.pdConn.id;
    const [saved] = await loadFlowsModule(
      deps(),
      h.environments.dev.id,
      "test/integration/fixtures/code-flow.ts",
    );
    expect(saved!.source).toBe("code");
    const qualified = [...(await live(w.hs, "contacts")).values()].filter(
      (c) => c.lifecyclestage === "salesqualifiedlead",
    );
    const run = await runFlow(deps(), h.environments.dev.id, saved!.id);
    expect(run.status).toBe("succeeded");
    expect(run.counts.created).toBe(qualified.length);
    const names = [...(await persons(w)).values()].map((p) => p.name);
    for (const c of qualified) expect(names).toContain(`${c.firstname ?? ""} ${c.lastname ?? ""}`.trim());
    const runs = await h.dev.get("/v1/flows/:id/runs", { params: { id: saved!.id }, query: {} });
    expect(runs.data).toHaveLength(1);
  }, 120_000);
});

describe("triggers", () => {
  it("runs a flow when its schedule is due and when records.changed names its source stream", async () => {
    const w = await world("customer-flows-4", 57, 8);
    await sync(w.hsConn, "contacts");
    const onChange = await h.dev.post("/v1/flows", {
      body: { ...leadsFlow(w, "on-change"), on_change: true } as never,
    });
    const scheduled = await h.dev.post("/v1/flows", {
      body: { ...leadsFlow(w, "scheduled"), name: "scheduled", schedule: "1h" } as never,
    });
    const errors: unknown[] = [];
    const triggers = createFlowTriggers(deps(), {
      queue: createInProcessJobQueue(),
      pollMs: 50,
      // Two hours on: the scheduled flow's first run (one period after it was saved) is due.
      now: () => new Date(Date.now() + 2 * 3_600_000),
      onError: (error) => errors.push(error),
    });
    const abort = new AbortController();
    const running = triggers.start(abort.signal);
    const runsOf = (id: string) => listFlowRuns(h.deps, h.environments.dev.id, id);
    const until = async (check: () => Promise<boolean>) => {
      for (let i = 0; i < 200 && !(await check()); i++) await new Promise((r) => setTimeout(r, 50));
      expect(await check()).toBe(true);
    };
    try {
      // Due one period after it was saved, then not again within the hour.
      await until(async () => (await runsOf(scheduled.id)).some((r) => r.trigger === "schedule"));
      expect((await runsOf(onChange.id)).length).toBe(0);
      await qualify(w, 2);
      await sync(w.hsConn, "contacts");
      // Announces every finished run (the earlier tests' too: 50 at a time) into the event log.
      while ((await announceFinishedRuns(h.store.db)) > 0);
      await until(async () =>
        (await runsOf(onChange.id)).some((r) => r.trigger === "records.changed" && r.status === "succeeded"),
      );
      const [run] = await runsOf(onChange.id);
      expect(run!.counts.created).toBeGreaterThanOrEqual(2);
      expect((await runsOf(scheduled.id)).length).toBe(1);
    } finally {
      abort.abort();
      await running;
    }
    expect(errors).toEqual([]);
  }, 120_000);
});
