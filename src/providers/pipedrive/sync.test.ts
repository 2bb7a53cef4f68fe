/**
 * The Pipedrive connector end to end against its emulator: a full sync under faults lands exactly the
 * emulator's data in the records cache and DuckDB, an incremental sync picks up exactly what changed, custom
 * fields come out named and typed, and the check call accepts and refuses credentials.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTempStore } from "../../../test/helpers/temp-store.ts";
import { CredentialsRejectedError } from "../../core/index.ts";
import { createDuckDbDestination, type DuckDbDestination } from "../../destinations/duckdb/index.ts";
import { runSync } from "../../engine/index.ts";
import { createHttpClient } from "../../http/index.ts";
import { createConnection, ensureEnvironment, listRecords, type Store } from "../../store/index.ts";
import { type Entity, type PipedriveEmulator, startPipedriveEmulator } from "./emulator/index.ts";
import { pipedrive } from "./index.ts";

const ENTITIES: Entity[] = ["persons", "organizations", "deals", "activities"];
const COUNTS = { persons: 700, organizations: 150, deals: 300, activities: 260 };

let emulator: PipedriveEmulator;
let store: Store;
let cleanup: () => Promise<void>;
let warehouse: DuckDbDestination;
let connectionId: string;

beforeAll(async () => {
  emulator = await startPipedriveEmulator({
    seed: 3,
    counts: COUNTS,
    rateLimit: { perTwoSeconds: 100_000 },
    faults: { rate429: 0.1, rate5xx: 0.05, dropRate: 0.01 },
  });
  let dir: string;
  ({ store, cleanup, dir } = await openTempStore());
  warehouse = await createDuckDbDestination({ path: `${dir}/warehouse.duckdb` });
  const env = await ensureEnvironment(store.db, "test");
  connectionId = (
    await createConnection(store.db, { environmentId: env.id, provider: "pipedrive", sealedCredentials: "x" })
  ).id;
});
afterAll(async () => {
  await warehouse?.close();
  await cleanup?.();
  await emulator?.close();
});

const sync = (options: { fullRefresh?: boolean } = {}) =>
  runSync({
    store,
    provider: pipedrive,
    connection: {
      id: connectionId,
      credentials: { type: "api_key", key: emulator.tokens[0]! },
      baseUrl: emulator.url,
      allowPrivateAddresses: true,
    },
    destinations: [warehouse],
    http: { maxAttempts: 10, retryDelay: { baseMs: 5, maxMs: 100 } },
    batchSize: 500,
    ...options,
  });

/** Count and checksum of records reduced to `id|update_time (ms)`. */
function digest(lines: string[]) {
  lines.sort();
  return { count: lines.length, checksum: createHash("sha256").update(lines.join("\n")).digest("hex") };
}
const line = (id: unknown, time: unknown) =>
  `${id}|${typeof time === "number" ? time : Date.parse(String(time))}`;

async function cacheDigest(stream: string) {
  const rows = await listRecords(store.db, connectionId, stream, { limit: 100_000 });
  return digest(rows.map((row) => JSON.parse(row.payload)).map((r) => line(r.id, r.update_time)));
}

async function warehouseDigest(stream: string) {
  const rows = await warehouse.query(
    `SELECT id, epoch_ms(update_time) AS ms FROM pipedrive_${stream} WHERE _connection_id = $1 AND NOT coalesce(_deleted, false) AND NOT coalesce(is_deleted, false)`,
    [connectionId],
  );
  return digest(rows.map((row) => line(row.id, Number(row.ms))));
}

async function expectTheEmulatorsData(entities: readonly Entity[] = ENTITIES) {
  for (const entity of entities) {
    const truth = digest(emulator.groundTruth(entity).records.map((r) => line(r.id, r.update_time)));
    expect(await cacheDigest(entity), `records cache: ${entity}`).toEqual(truth);
    expect(await warehouseDigest(entity), `DuckDB: ${entity}`).toEqual(truth);
  }
}

describe("Pipedrive sync against the emulator", () => {
  it("lands exactly the emulator's records despite 429s, 5xx and dropped connections", async () => {
    const run = await sync();
    expect(run.error, JSON.stringify(run.error)).toBeNull();
    expect(run.status).toBe("succeeded");
    expect(run.stats.retries).toBeGreaterThan(0);
    await expectTheEmulatorsData();
    const users = await listRecords(store.db, connectionId, "users");
    expect(users.length).toBe(6);
    const fields = await listRecords(store.db, connectionId, "person_fields");
    expect(fields.map((row) => JSON.parse(row.payload).name)).toContain("Preferred channel");
  });

  it("names and types custom fields, in the records cache and in DuckDB", async () => {
    const [row] = await listRecords(store.db, connectionId, "persons", { limit: 1 });
    const person = JSON.parse(row!.payload);
    expect(person.custom_fields).toBeUndefined();
    expect(person).toMatchObject({
      preferred_channel: expect.any(Number),
      lifetime_value: expect.any(Number),
      first_contact: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T00:00:00\.000Z$/),
    });
    const truth = emulator.groundTruth("persons").records.find((r) => r.id === person.id)!;
    expect(Object.values(truth.custom_fields as object)).toContain(person.lifetime_value);
    const columns = await warehouse.query(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'pipedrive_persons'",
    );
    const types = Object.fromEntries(columns.map((c) => [c.column_name, c.data_type]));
    // Discovered types reach DuckDB through the values (a date is an ISO-8601 string: a VARCHAR column).
    expect(types).toMatchObject({
      lifetime_value: "DOUBLE",
      preferred_channel: expect.stringMatching(/INT|DOUBLE/),
    });
    const [warehoused] = await warehouse.query(
      `SELECT lifetime_value, preferred_channel, first_contact FROM pipedrive_persons WHERE id = ${person.id}`,
    );
    expect(warehoused).toEqual({
      lifetime_value: person.lifetime_value,
      preferred_channel: BigInt(person.preferred_channel),
      first_contact: person.first_contact,
    });
    const [deal] = await listRecords(store.db, connectionId, "deals", { limit: 1 });
    expect(JSON.parse(deal!.payload)).toMatchObject({
      contract_value: { value: expect.any(Number), currency: "EUR" },
      competitors: expect.any(Array),
      lead_source: expect.any(Number),
    });
  });

  it("picks up exactly the creations, updates and deletions made since, incrementally", async () => {
    emulator.setFaults({ rate429: 0, rate5xx: 0, dropRate: 0 });
    const changes = emulator.change({ updates: 20, creates: 7, deletes: 4 });
    const count = (kind: "updated" | "created" | "archived") =>
      ENTITIES.reduce((n, entity) => n + changes[entity]![kind].length, 0);
    const run = await sync();
    expect(run.error, JSON.stringify(run.error)).toBeNull();
    // Deals from `status=deleted`; persons, organizations and activities from v1 `recents`.
    expect(run.stats).toMatchObject({
      recordsAdded: count("created"),
      recordsUpdated: count("updated"),
      recordsDeleted: count("archived"),
    });
    await expectTheEmulatorsData();
  });

  it("finds nothing else changed on a full refresh", async () => {
    const full = await sync({ fullRefresh: true });
    expect(full.error, JSON.stringify(full.error)).toBeNull();
    expect(full.stats).toMatchObject({ recordsAdded: 0, recordsUpdated: 0, recordsDeleted: 0 });
    await expectTheEmulatorsData();
  });
});

describe("Pipedrive check call", () => {
  const client = (key: string) =>
    createHttpClient({
      provider: "pipedrive",
      baseUrl: emulator.url,
      allowPrivateAddresses: true,
      auth: pipedrive.auth,
      credentials: { type: "api_key", key },
      maxAttempts: 1,
    });

  it("accepts the emulator's API token and refuses another with Pipedrive's message", async () => {
    const good = client(emulator.tokens[0]!);
    await expect(pipedrive.checkCredentials(good)).resolves.toBeUndefined();
    const bad = client("f".repeat(40));
    const refused = pipedrive.checkCredentials(bad);
    await expect(refused).rejects.toBeInstanceOf(CredentialsRejectedError);
    await expect(pipedrive.checkCredentials(bad)).rejects.toThrow(/unauthorized access/);
    await good.close();
    await bad.close();
  });
});
