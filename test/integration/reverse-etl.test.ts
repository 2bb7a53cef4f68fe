/**
 * Reverse ETL against the HubSpot emulator (started through the registry's emulator declaration): models on
 * a DuckDB warehouse, syncs through the API, and what each run wrote checked in the emulator's own truth.
 * Every mode, mirror deleting exactly what left the model, one refused row reported and retried, a run
 * stopped midway then resumed, and a dry run that writes nothing.
 * Mirror mode deletes through HubSpot's `archive_contact` (`DELETE /crm/v3/objects/contacts/{id}`).
 */
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runReverseEtlSync } from "../../src/app/reverse-etl/run.ts";
import { snapshotFilePath } from "../../src/app/reverse-etl/snapshot-file.ts";
import { ApiError } from "../../src/client/client.ts";
import type { ActionDefinition, EmulatorHandle, ProviderDefinition } from "../../src/core/index.ts";
import { advanceSnapshot, retlDb } from "../../src/flows/reverse-etl/store.ts";
import { unifiedMappers } from "../../src/providers/unified-mappers.ts";
import { unifiedWriters } from "../../src/providers/unified-writers.ts";
import { type Harness, startHarness } from "../../src/server/test-harness.ts";
import { providerWithEmulator, startEmulator } from "../helpers/emulators.ts";
import { onWarehouseFile } from "../helpers/warehouse-file.ts";

interface Person {
  id: number;
  email: string;
  first_name: string;
  hubspot_id?: string | null;
}

const hubspot = providerWithEmulator("hubspot");
let aborter: { after: number; controller: AbortController } | undefined;
let creates = 0;

/** Contacts created (one per input of a batch), counted by the provider's create and its batches. */
const createsContacts = (action: ActionDefinition) =>
  action.name === "create_contact" || action.batchOf?.action === "create_contact";

/** HubSpot with creates that can stop a run after N written contacts (the "kill"). */
const provider: ProviderDefinition = {
  ...hubspot,
  actions: [
    ...(hubspot.actions ?? []).map((action) =>
      !createsContacts(action)
        ? action
        : {
            ...action,
            async run(http: Parameters<ActionDefinition["run"]>[0], input: unknown) {
              const output = await action.run(http, input);
              creates += action.batchOf ? (input as { inputs: unknown[] }).inputs.length : 1;
              if (aborter && creates >= aborter.after) aborter.controller.abort();
              return output;
            },
          },
    ),
  ],
};

let emulator: EmulatorHandle;
let h: Harness;
let connectionId: string;
let warehousePath: string;

/** Replaces a warehouse table with these people, as the connection's rows. */
async function setTable(table: string, people: readonly Person[]): Promise<void> {
  await onWarehouseFile(warehousePath, async (connection) => {
    await connection.run(
      `CREATE OR REPLACE TABLE ${table} (id INTEGER, email VARCHAR, first_name VARCHAR, hubspot_id VARCHAR, _connection_id VARCHAR)`,
    );
    for (const p of people) {
      await connection.run(`INSERT INTO ${table} VALUES ($1, $2, $3, $4, $5)`, [
        p.id,
        p.email,
        p.first_name,
        p.hubspot_id ?? null,
        connectionId,
      ]);
    }
  });
}

/** The emulator's live contacts whose email ends with `@<domain>`, by email. */
async function contactsAt(domain: string): Promise<Map<string, Record<string, unknown>>> {
  const truth = await emulator.truth("contacts");
  const out = new Map<string, Record<string, unknown>>();
  for (const record of truth.live.values()) {
    const email = String(record.email ?? "");
    if (email.endsWith(`@${domain}`)) {
      expect(out.has(email), `two contacts with ${email}`).toBe(false);
      out.set(email, record);
    }
  }
  return out;
}

const people = (domain: string, n: number, name = "Ada"): Person[] =>
  Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    email: `p${i + 1}@${domain}`,
    first_name: `${name}${i + 1}`,
  }));

const contactMapping = [
  { column: "email", field: "properties.email" },
  { column: "first_name", field: "properties.firstname" },
];
const contactActions = { type: "actions" as const, create: "create_contact", update: "update_contact" };

async function model(table: string): Promise<string> {
  const created = await h.dev.post("/v1/reverse-etl/models", {
    body: { name: table, sql: `SELECT id, email, first_name, hubspot_id FROM ${table};`, primary_key: "id" },
  });
  return created.id;
}

async function sync(body: Record<string, unknown>): Promise<string> {
  const created = await h.dev.post("/v1/reverse-etl/syncs", {
    body: { connection_id: connectionId, ...body } as never,
  });
  return created.id;
}

const run = (id: string) => h.dev.post("/v1/reverse-etl/syncs/:id/run", { params: { id } });

/**
 * A sync's snapshot as it is kept: its file's keys and hashes (undefined: no file), and the store's entries
 * not folded into it yet (a null hash: removed).
 */
async function snapshotOf(id: string) {
  const path = snapshotFilePath(warehousePath, id);
  let file: Record<string, string> | undefined;
  if (existsSync(path)) {
    const instance = await DuckDBInstance.create(path, { access_mode: "READ_ONLY" });
    const connection = await instance.connect();
    try {
      const rows = (await connection.runAndReadAll("SELECT pk, hash FROM snapshot ORDER BY pk")).getRows();
      file = Object.fromEntries(rows.map(([pk, hash]) => [String(pk), String(hash)]));
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  }
  const entries = await retlDb(h.store.db)
    .selectFrom("retl_snapshots")
    .select(["pk", "hash"])
    .where("sync_id", "=", id)
    .execute();
  return { path, file, entries: Object.fromEntries(entries.map((e) => [e.pk, e.hash])) };
}

async function refusal(call: Promise<unknown>): Promise<ApiError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

beforeAll(async () => {
  emulator = await startEmulator(hubspot, { seed: 7, records: 20, unlimited: true });
  h = await startHarness({ providers: { hubspot: provider }, rateLimit: false });
  warehousePath = `${h.dir}/warehouse.duckdb`;
  h.deps.warehouse = { path: warehousePath };
  const created = await h.dev.post("/v1/connections", {
    body: {
      provider: "hubspot",
      credentials: emulator.credentials as never,
      end_user: { id: "customer-retl" },
      config: { base_url: emulator.url },
    },
  });
  connectionId = created.id;
  for (const [key, value] of Object.entries(emulator.credentials))
    if (key !== "type" && typeof value === "string") h.secret(value);
}, 60_000);

afterAll(async () => {
  // The emulator's token reached neither the store nor the logs (run rows and errors included).
  if (h) expect(await h.leakedSecrets()).toEqual([]);
  await h?.close();
  await emulator?.close();
});

describe("saving models and syncs", () => {
  it("refuses a model whose SQL fails or lacks its primary key, naming the columns", async () => {
    await setTable("checked", people("checked.example", 1));
    const bad = await refusal(
      h.dev.post("/v1/reverse-etl/models", {
        body: { name: "bad", sql: "SELECT * FROM nowhere", primary_key: "id" },
      }),
    );
    expect(bad.problem.code).toBe("argument_invalid");
    const noKey = await refusal(
      h.dev.post("/v1/reverse-etl/models", {
        body: { name: "nokey", sql: "SELECT email FROM checked", primary_key: "id" },
      }),
    );
    expect(noKey.problem.code).toBe("argument_invalid");
    expect(noKey.problem.detail).toContain('no column "id"');
    const saved = await h.dev.post("/v1/reverse-etl/models", {
      body: { name: "checked", sql: "SELECT id, email FROM checked", primary_key: "id" },
    });
    expect(saved.columns.map((c) => c.name)).toEqual(["id", "email"]);
  });

  it("refuses a sync whose mapping, columns or mode the target cannot take", async () => {
    await setTable("checks", people("checks.example", 1));
    const modelId = await model("checks");
    const unknownField = await refusal(
      sync({ model_id: modelId, target: contactActions, mapping: [{ column: "email", field: "email" }] }),
    );
    expect(unknownField.problem.code).toBe("request_invalid");
    expect(JSON.stringify(unknownField.problem)).toContain("properties");
    const unknownColumn = await refusal(
      sync({
        model_id: modelId,
        target: contactActions,
        mapping: [{ column: "mail", field: "properties.email" }],
      }),
    );
    expect(JSON.stringify(unknownColumn.problem)).toContain('no column \\"mail\\"');
    const mirror = await refusal(
      sync({ model_id: modelId, target: contactActions, mode: "mirror", mapping: contactMapping }),
    );
    expect(JSON.stringify(mirror.problem)).toMatch(/no delete action/);
    const unified = await refusal(
      sync({
        model_id: modelId,
        target: { type: "unified", model: "Contact" },
        mapping: [{ column: "email", field: "emails" }],
      }),
    );
    expect(JSON.stringify(unified.problem)).toContain("email_addresses");
  });
});

describe("runs", () => {
  it("upsert: creates, then sends only what changed, then nothing", async () => {
    const domain = "upsert.example";
    await setTable("ups", people(domain, 5));
    const id = await sync({ model_id: await model("ups"), target: contactActions, mapping: contactMapping });
    const first = await run(id);
    expect(first).toMatchObject({ status: "succeeded", stats: { added: 5, created: 5, failed: 0 } });
    let contacts = await contactsAt(domain);
    expect(contacts.size).toBe(5);
    expect(contacts.get(`p3@${domain}`)?.firstname).toBe("Ada3");

    const next = people(domain, 6);
    next[2]!.first_name = "Grace3";
    await setTable("ups", next);
    const second = await run(id);
    expect(second.stats).toMatchObject({ added: 1, changed: 1, unchanged: 4, created: 1, updated: 1 });
    contacts = await contactsAt(domain);
    expect(contacts.size).toBe(6);
    expect(contacts.get(`p3@${domain}`)?.firstname).toBe("Grace3");
    expect(contacts.get(`p6@${domain}`)?.firstname).toBe("Ada6");

    const third = await run(id);
    expect(third.stats).toMatchObject({
      added: 0,
      changed: 0,
      removed: 0,
      unchanged: 6,
      created: 0,
      updated: 0,
    });
  });

  it("update only: updates matched records by external id and creates none", async () => {
    const seeded = [...(await emulator.truth("contacts")).live.values()].slice(0, 2);
    const rows: Person[] = seeded.map((record, i) => ({
      id: i + 1,
      email: String(record.email),
      first_name: `Updated${i}`,
      hubspot_id: String(record.id),
    }));
    rows.push({ id: 3, email: "nobody@update.example", first_name: "Nobody" });
    await setTable("upd", rows);
    const id = await sync({
      model_id: await model("upd"),
      target: contactActions,
      mode: "update",
      match: { by: "external_id", column: "hubspot_id" },
      mapping: [{ column: "first_name", field: "properties.firstname" }],
    });
    const before = (await emulator.truth("contacts")).live.size;
    const result = await run(id);
    expect(result.stats).toMatchObject({ updated: 2, created: 0, skipped: 1 });
    const live = (await emulator.truth("contacts")).live;
    expect(live.size).toBe(before);
    expect(live.get(String(seeded[0]!.id))?.firstname).toBe("Updated0");
    expect(live.get(String(seeded[1]!.id))?.firstname).toBe("Updated1");
    const rowsOut = await h.dev.get("/v1/reverse-etl/syncs/:id/runs/:run_id/rows", {
      params: { id, run_id: result.id },
      query: { status: "skipped" },
    });
    expect(rowsOut.data.map((r) => r.pk)).toEqual(["3"]);
  });

  it("update only by natural key: finds the records the connection's syncs cached, by email in any case", async () => {
    const seeded = [...(await emulator.truth("contacts")).live.values()].filter((r) => r.email).slice(2, 4);
    const now = new Date().toISOString();
    // What a sync of contacts would have cached (the natural key is looked up there).
    for (const record of seeded) {
      await h.store.db
        .insertInto("records")
        .values({
          connection_id: connectionId,
          stream: "contacts",
          pk: String(record.id),
          hash: "h",
          payload: JSON.stringify({ id: record.id, email: record.email }),
          deleted: 0,
          first_seen_at: now,
          last_seen_at: now,
          updated_at: now,
          deleted_at: null,
        })
        .execute();
    }
    const rows: Person[] = seeded.map((record, i) => ({
      id: i + 1,
      email: String(record.email).toUpperCase(),
      first_name: `Natural${i}`,
    }));
    rows.push({ id: 3, email: "nobody@natural.example", first_name: "Nobody" });
    await setTable("nat", rows);
    const id = await sync({
      model_id: await model("nat"),
      target: contactActions,
      mode: "update",
      match: { by: "natural_key", column: "email", stream: "contacts", field: "email" },
      mapping: [{ column: "first_name", field: "properties.firstname" }],
    });
    expect((await run(id)).stats).toMatchObject({ updated: 2, created: 0, skipped: 1 });
    const live = (await emulator.truth("contacts")).live;
    expect(live.get(String(seeded[0]!.id))?.firstname).toBe("Natural0");
    expect(live.get(String(seeded[1]!.id))?.firstname).toBe("Natural1");
    // The match was saved as a link: the cache is not needed to find the record again.
    await h.store.db.deleteFrom("records").where("connection_id", "=", connectionId).execute();
    rows[0]!.first_name = "Linked0";
    await setTable("nat", rows);
    expect((await run(id)).stats).toMatchObject({ changed: 1, updated: 1, skipped: 1 });
    expect((await emulator.truth("contacts")).live.get(String(seeded[0]!.id))?.firstname).toBe("Linked0");
  });

  it("insert only: creates new rows and leaves existing records as they are", async () => {
    const domain = "insert.example";
    await setTable("ins", people(domain, 3));
    const id = await sync({
      model_id: await model("ins"),
      target: contactActions,
      mode: "insert",
      mapping: contactMapping,
    });
    expect((await run(id)).stats).toMatchObject({ created: 3 });
    const changed = people(domain, 3);
    changed[0]!.first_name = "Changed";
    await setTable("ins", changed);
    expect((await run(id)).stats).toMatchObject({ changed: 1, created: 0, updated: 0, skipped: 1 });
    expect((await contactsAt(domain)).get(`p1@${domain}`)?.firstname).toBe("Ada1");
  });

  it("mirror: deletes exactly the records whose rows left the model", async () => {
    const domain = "mirror.example";
    await setTable("mir", people(domain, 5));
    const id = await sync({
      model_id: await model("mir"),
      target: { ...contactActions, delete: "archive_contact" },
      mode: "mirror",
      mapping: contactMapping,
    });
    await run(id);
    const created = await contactsAt(domain);
    expect(created.size).toBe(5);
    await setTable(
      "mir",
      people(domain, 5).filter((p) => p.id !== 2 && p.id !== 4),
    );
    const result = await run(id);
    expect(result.stats).toMatchObject({ removed: 2, deleted: 2, failed: 0 });
    const left = await contactsAt(domain);
    expect([...left.keys()].sort()).toEqual([`p1@${domain}`, `p3@${domain}`, `p5@${domain}`]);
    const deleted = (await emulator.truth("contacts")).deleted;
    for (const gone of [2, 4]) expect(deleted.has(String(created.get(`p${gone}@${domain}`)!.id))).toBe(true);
    expect(Object.keys((await snapshotOf(id)).file ?? {})).toEqual(["1", "3", "5"]);
    expect((await run(id)).stats).toMatchObject({ removed: 0, deleted: 0 });
  });

  it("a refused row is reported with the provider's message, does not block the rest, and is retried", async () => {
    const domain = "failing.example";
    const rows = people(domain, 5);
    rows[2]!.email = "p3-at-failing.example";
    await setTable("fail", rows);
    const id = await sync({ model_id: await model("fail"), target: contactActions, mapping: contactMapping });
    const first = await run(id);
    expect(first).toMatchObject({ status: "partial", stats: { created: 4, failed: 1 } });
    const failed = await h.dev.get("/v1/reverse-etl/syncs/:id/runs/:run_id/rows", {
      params: { id, run_id: first.id },
      query: { status: "failed" },
    });
    expect(failed.data).toHaveLength(1);
    expect(failed.data[0]).toMatchObject({ pk: "3", operation: "create" });
    expect(failed.data[0]!.message).toContain("Email address p3-at-failing.example is invalid");
    expect((await contactsAt(domain)).size).toBe(4);
    // The written rows are in the snapshot (folded into its file as the run ended); the refused one is not.
    expect(Object.keys((await snapshotOf(id)).file ?? {})).toEqual(["1", "2", "4", "5"]);
    expect((await snapshotOf(id)).entries).toEqual({});

    // Unchanged, it is tried again (and the others are not resent).
    const again = await run(id);
    expect(again.stats).toMatchObject({ added: 1, unchanged: 4, failed: 1, created: 0 });
    expect(Object.keys((await snapshotOf(id)).file ?? {})).toEqual(["1", "2", "4", "5"]);
    rows[2]!.email = `p3@${domain}`;
    await setTable("fail", rows);
    const fixed = await run(id);
    expect(fixed).toMatchObject({ status: "succeeded", stats: { added: 1, created: 1, failed: 0 } });
    expect((await contactsAt(domain)).size).toBe(5);
  });

  it("a run stopped midway resumes: nothing written twice, nothing skipped, final contents everywhere", async () => {
    const domain = "resume.example";
    await setTable("res", people(domain, 12));
    const id = await sync({ model_id: await model("res"), target: contactActions, mapping: contactMapping });
    const deps = { ...h.deps, mappers: unifiedMappers, writers: unifiedWriters };
    const controller = new AbortController();
    creates = 0;
    aborter = { after: 5, controller };
    const stopped = await runReverseEtlSync(deps, h.environments.dev.id, id, {
      signal: controller.signal,
      concurrency: 1,
      maxBatch: 1,
    }).catch((e: unknown) => e);
    aborter = undefined;
    expect(stopped).toMatchObject({ code: "run_aborted" });
    const written = await contactsAt(domain);
    expect(written.size).toBe(5);
    // The written rows' entries are in the store, saved with their results; the stopped run folded nothing.
    const stoppedAt = await snapshotOf(id);
    expect(stoppedAt.file).toBeUndefined();
    expect(Object.keys(stoppedAt.entries)).toHaveLength(5);
    // A dry run sees them, and moves nothing.
    const dry = await h.dev.post("/v1/reverse-etl/syncs/:id/dry-run", { params: { id }, body: {} });
    expect(dry.stats).toMatchObject({ added: 7, unchanged: 5 });
    expect(await snapshotOf(id)).toEqual(stoppedAt);

    // Between the runs, one written row and one unwritten row change.
    const rows = people(domain, 12);
    const writtenPk = Number([...written.keys()][0]!.slice(1).split("@")[0]);
    const unwrittenPk = [...Array(12).keys()].map((i) => i + 1).find((n) => !written.has(`p${n}@${domain}`))!;
    rows[writtenPk - 1]!.first_name = "Final";
    rows[unwrittenPk - 1]!.first_name = "Final";
    await setTable("res", rows);
    const resumed = await run(id);
    expect(resumed).toMatchObject({ status: "succeeded", stats: { created: 7, updated: 1, unchanged: 4 } });
    const all = await contactsAt(domain);
    expect(all.size).toBe(12);
    for (const row of rows) expect(all.get(row.email)?.firstname).toBe(row.first_name);
    const runs = await h.dev.get("/v1/reverse-etl/syncs/:id/runs", { params: { id }, query: {} });
    expect(runs.data.map((r) => r.status)).toEqual(["succeeded", "succeeded", "failed"]);
    const resumedAt = await snapshotOf(id);
    expect(Object.keys(resumedAt.file ?? {})).toHaveLength(12);
    expect(resumedAt.entries).toEqual({});
  });

  it("a snapshot kept whole in the store (before migration 0032) is still the snapshot, then moves into the file", async () => {
    const domain = "legacy.example";
    await setTable("leg", people(domain, 3));
    const id = await sync({ model_id: await model("leg"), target: contactActions, mapping: contactMapping });
    await run(id);
    // As a sync last run before 0032 left it: every entry in the store, no file.
    const { path, file } = await snapshotOf(id);
    await rm(path);
    for (const [pk, hash] of Object.entries(file ?? {}))
      await advanceSnapshot(retlDb(h.store.db), id, pk, hash);
    const rows = people(domain, 3);
    rows[1]!.first_name = "Changed";
    await setTable("leg", rows);
    const dry = await h.dev.post("/v1/reverse-etl/syncs/:id/dry-run", { params: { id }, body: {} });
    expect(dry.stats).toMatchObject({ added: 0, changed: 1, unchanged: 2 });
    expect(await run(id)).toMatchObject({ stats: { changed: 1, unchanged: 2, updated: 1, created: 0 } });
    expect((await contactsAt(domain)).get(`p2@${domain}`)?.firstname).toBe("Changed");
    const after = await snapshotOf(id);
    expect(Object.keys(after.file ?? {})).toEqual(["1", "2", "3"]);
    expect(after.file?.["2"]).not.toBe(file?.["2"]);
    expect(after.entries).toEqual({});
  });

  it("a dry run shows the diff and writes nothing", async () => {
    const domain = "dry.example";
    await setTable("dry", people(domain, 3));
    const id = await sync({ model_id: await model("dry"), target: contactActions, mapping: contactMapping });
    await run(id);
    const next = people(domain, 4);
    next[0]!.first_name = "Changed";
    await setTable("dry", next.slice(0, 1).concat(next.slice(2)));
    const before = await contactsAt(domain);
    const dry = await h.dev.post("/v1/reverse-etl/syncs/:id/dry-run", { params: { id }, body: {} });
    expect(dry).toMatchObject({
      dry_run: true,
      stats: { added: 1, changed: 1, removed: 1, unchanged: 1, created: 0, updated: 0 },
    });
    expect(dry.samples?.added.map((r) => r.pk)).toEqual(["4"]);
    expect(dry.samples?.changed[0]?.row).toMatchObject({ first_name: "Changed" });
    expect(dry.samples?.removed).toEqual([{ pk: "2" }]);
    expect(await contactsAt(domain)).toEqual(before);
    // The snapshot did not move: a real run sends the same diff.
    expect((await run(id)).stats).toMatchObject({ added: 1, changed: 1, removed: 1, created: 1, updated: 1 });
  });

  it("a model's query can change; a change that drops a mapped column is refused", async () => {
    const domain = "remodel.example";
    await setTable("remodel", people(domain, 2));
    const modelId = await model("remodel");
    const id = await sync({ model_id: modelId, target: contactActions, mapping: contactMapping });
    await run(id);
    const dropped = await refusal(
      h.dev.put("/v1/reverse-etl/models/:id", {
        params: { id: modelId },
        body: { sql: "SELECT id, email FROM remodel", primary_key: "id" },
      }),
    );
    expect(dropped.problem.code).toBe("conflict");
    expect(dropped.problem.detail).toContain("first_name");
    await h.dev.put("/v1/reverse-etl/models/:id", {
      params: { id: modelId },
      body: {
        sql: "SELECT id, email, upper(first_name) AS first_name, hubspot_id FROM remodel",
        primary_key: "id",
      },
    });
    expect((await run(id)).stats).toMatchObject({ changed: 2, updated: 2 });
    expect((await contactsAt(domain)).get(`p1@${domain}`)?.firstname).toBe("ADA1");
  });

  it("upsert creates again a linked record that was deleted at the provider", async () => {
    const domain = "recreate.example";
    await setTable("rec", people(domain, 2));
    const id = await sync({ model_id: await model("rec"), target: contactActions, mapping: contactMapping });
    await run(id);
    const first = (await contactsAt(domain)).get(`p1@${domain}`)!;
    await h.dev.post("/v1/actions/:provider/:action", {
      params: { provider: "hubspot", action: "archive_contact" },
      body: { connection_id: connectionId, input: { id: String(first.id) } },
    });
    const rows = people(domain, 2);
    rows[0]!.first_name = "Again";
    await setTable("rec", rows);
    expect((await run(id)).stats).toMatchObject({ changed: 1, created: 1, updated: 0, failed: 0 });
    const again = (await contactsAt(domain)).get(`p1@${domain}`)!;
    expect(again.firstname).toBe("Again");
    expect(again.id).not.toBe(first.id);
  });

  it("refuses to overlap a live run, and closes a run whose process died", async () => {
    await setTable("ovl", people("overlap.example", 1));
    const id = await sync({ model_id: await model("ovl"), target: contactActions, mapping: contactMapping });
    const db = retlDb(h.store.db);
    const running = (heartbeat: string) => ({
      id: `retlrun_${heartbeat.length}${Math.random().toString(16).slice(2)}`,
      sync_id: id,
      dry_run: 0,
      status: "running",
      stats: "{}",
      error: null,
      started_at: heartbeat,
      heartbeat_at: heartbeat,
      finished_at: null,
    });
    const live = running(new Date().toISOString());
    await db.insertInto("retl_runs").values(live).execute();
    expect((await refusal(run(id))).problem.code).toBe("conflict");
    await db
      .updateTable("retl_runs")
      .set({ heartbeat_at: "2020-01-01T00:00:00.000Z" })
      .where("id", "=", live.id)
      .execute();
    expect((await run(id)).status).toBe("succeeded");
    const dead = await db
      .selectFrom("retl_runs")
      .selectAll()
      .where("id", "=", live.id)
      .executeTakeFirstOrThrow();
    expect(dead.status).toBe("failed");
  });

  it("a model whose key repeats fails the run cleanly, naming the key", async () => {
    const rows = people("dupkey.example", 3);
    rows[2]!.id = 2;
    await setTable("dup", rows);
    const id = await sync({ model_id: await model("dup"), target: contactActions, mapping: contactMapping });
    const failed = await refusal(run(id));
    expect(failed.problem.code).toBe("argument_invalid");
    expect(failed.problem.detail).toContain('"2" appears on more than one row');
    const runs = await h.dev.get("/v1/reverse-etl/syncs/:id/runs", { params: { id }, query: {} });
    expect(runs.data[0]).toMatchObject({ status: "failed", stats: { created: 0 } });
    expect((await contactsAt("dupkey.example")).size).toBe(0);
  });

  it("a model in use cannot be deleted; deleting the sync takes its snapshot and runs with it", async () => {
    await setTable("del", people("delete.example", 2));
    const modelId = await model("del");
    const id = await sync({ model_id: modelId, target: contactActions, mapping: contactMapping });
    await run(id);
    const inUse = await refusal(h.dev.delete("/v1/reverse-etl/models/:id", { params: { id: modelId } }));
    expect(inUse.problem.code).toBe("conflict");
    await h.dev.delete("/v1/reverse-etl/syncs/:id", { params: { id } });
    expect((await refusal(h.dev.get("/v1/reverse-etl/syncs/:id", { params: { id } }))).status).toBe(404);
    const db = retlDb(h.store.db);
    for (const table of ["retl_snapshots", "retl_links", "retl_runs"] as const) {
      const left = await db.selectFrom(table).select("sync_id").where("sync_id", "=", id).execute();
      expect(left, table).toEqual([]);
    }
    expect(existsSync(snapshotFilePath(warehousePath, id))).toBe(false);
    await h.dev.delete("/v1/reverse-etl/models/:id", { params: { id: modelId } });
    expect((await h.dev.get("/v1/reverse-etl/models", {})).data.map((m) => m.id)).not.toContain(modelId);
  });

  it("a unified Contact target writes through the provider's unified writer", async () => {
    const domain = "unified.example";
    await setTable("uni", people(domain, 2, "Uni"));
    const id = await sync({
      model_id: await model("uni"),
      target: { type: "unified", model: "Contact" },
      mapping: [
        { column: "first_name", field: "first_name" },
        { column: "email", field: "email_addresses.0.email_address" },
      ],
    });
    expect((await run(id)).stats).toMatchObject({ created: 2, failed: 0 });
    const contacts = await contactsAt(domain);
    expect(contacts.get(`p2@${domain}`)?.firstname).toBe("Uni2");
  });
});
