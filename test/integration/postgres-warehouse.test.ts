/**
 * The Postgres warehouse destination fed by real syncs from a provider's emulator (whichever the registry
 * lists first with one): after a full sync, a killed and resumed run, creates/updates/deletes, and a schema
 * change, the warehouse holds exactly the records cache (which the conformance suite holds to the
 * emulator's truth): same keys, hashes and deleted flags, count and checksum.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle, ProviderDefinition, StreamDefinition } from "../../src/core/index.ts";
import {
  createPostgresDestination,
  type PostgresDestination,
} from "../../src/destinations/postgres/index.ts";
import { providers } from "../../src/providers/registry.ts";
import { listRecords } from "../../src/store/index.ts";
import { compareWithTruth, digest, openSyncWorld, type SyncWorld } from "../conformance/sync-world.ts";
import { createTestDatabase, postgresAvailable } from "../helpers/postgres.ts";

const available = await postgresAvailable();
const base = Object.values(providers).find((provider) => provider.emulator !== undefined)!;

/** The stream with a declared column and an undeclared field added: a schema change as a provider makes one. */
function withSchemaChange(stream: StreamDefinition): StreamDefinition {
  return {
    ...stream,
    schema: { ...stream.schema, columns: { ...stream.schema.columns, switchyard_tier: "string" } },
    async *read(ctx) {
      for await (const page of stream.read(ctx)) {
        yield {
          ...page,
          records: page.records.map((record) => ({
            ...record,
            switchyard_tier: `tier-${String(record[stream.primaryKey]).length % 3}`,
            switchyard_score: String(record[stream.primaryKey]).length + 0.5,
          })),
        };
      }
    },
  };
}

describe.skipIf(!available)(`Postgres warehouse fed by ${base.name}'s emulator`, () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let emulator: EmulatorHandle;
  let warehouse: PostgresDestination;
  let world: SyncWorld;
  let changed = false;
  // The streams switch to their changed schema when `changed` is set; the world keeps this one object.
  const provider: ProviderDefinition = Object.create(base, {
    streams: { get: () => (changed ? base.streams.map(withSchemaChange) : base.streams) },
  });

  beforeAll(async () => {
    database = await createTestDatabase();
    emulator = await base.emulator!({ seed: 4_242, records: 150, unlimited: true });
    warehouse = await createPostgresDestination({ connectionString: database.url });
    world = await openSyncWorld(provider, emulator);
  });
  afterAll(async () => {
    await world?.close();
    await warehouse?.close();
    await emulator?.close();
    await database?.drop();
  });

  const sync = (options: { fullRefresh?: boolean; abortAfterPages?: number } = {}) =>
    world.sync({ ...options, extra: [warehouse] });

  /** Every record of a stream (deleted ones too) as `pk|hash|deleted`, in the records cache and in Postgres. */
  async function landed(stream: string) {
    const cached = await listRecords(world.store.db, world.connectionId, stream, {
      limit: 1_000_000,
      includeDeleted: true,
    });
    const primaryKey = provider.streams.find((candidate) => candidate.name === stream)!.primaryKey;
    const rows = await warehouse.query<{ pk: string; _hash: string; _deleted: boolean }>(
      `SELECT CAST("${primaryKey}" AS text) AS pk, _hash, _deleted FROM switchyard_warehouse."${base.name}_${stream}"
       WHERE _connection_id = $1`,
      [world.connectionId],
    );
    return {
      cache: digest(cached.map((row) => `${row.pk}|${row.hash}|${row.deleted}`)),
      postgres: digest(rows.map((row) => `${row.pk}|${row._hash}|${row._deleted}`)),
      postgresDeleted: rows.filter((row) => row._deleted).length,
    };
  }

  /** The cache equals the emulator's truth, and Postgres equals the cache, stream by stream. */
  async function expectTruthInPostgres() {
    for (const stream of emulator.streams) {
      const truth = await compareWithTruth(world, provider, emulator, stream);
      expect(truth.cache, `records cache: ${stream}`).toEqual(truth.truth);
      const result = await landed(stream);
      expect(result.postgres.count, `${stream}: records landed`).toBeGreaterThan(0);
      expect(result.postgres, `Postgres: ${stream}`).toEqual(result.cache);
    }
  }

  it("lands the emulator's truth after a run killed mid-way and resumed (replayed batches upsert, never duplicate)", async () => {
    const killed = await sync({ abortAfterPages: 2 });
    expect(killed.status).toBe("failed");
    const resumed = await sync();
    expect(resumed.error).toBeNull();
    await expectTruthInPostgres();
  });

  it("after creates, updates and deletes, an incremental sync lands the truth and flags the deleted rows", async () => {
    const changes = Object.fromEntries(
      emulator.streams.map((stream) => [stream, { creates: 5, updates: 7, deletes: 4 }]),
    );
    await emulator.mutate(changes);
    const run = await sync();
    expect(run.error).toBeNull();
    await expectTruthInPostgres();
    let deleted = 0;
    for (const stream of emulator.streams) deleted += (await landed(stream)).postgresDeleted;
    expect(deleted).toBeGreaterThanOrEqual(4);
  });

  it("after a schema change (a declared column and an undeclared field), new columns fill and the truth holds", async () => {
    changed = true;
    const run = await sync({ fullRefresh: true });
    expect(run.error).toBeNull();
    await expectTruthInPostgres();
    const [stream] = emulator.streams;
    const table = `${base.name}_${stream}`;
    const columns = await warehouse.query<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns
       WHERE table_schema = 'switchyard_warehouse' AND table_name = $1 AND column_name LIKE 'switchyard_%'`,
      [table],
    );
    expect(Object.fromEntries(columns.map((row) => [row.column_name, row.data_type]))).toEqual({
      switchyard_tier: "text",
      switchyard_score: "double precision",
    });
    const [filled] = await warehouse.query<{ live: string; tiers: string; scores: string }>(
      `SELECT count(*) AS live, count(switchyard_tier) AS tiers, count(switchyard_score) AS scores
       FROM switchyard_warehouse."${table}" WHERE NOT _deleted`,
    );
    expect(Number(filled?.live)).toBeGreaterThan(0);
    expect(filled?.tiers).toBe(filled?.live);
    expect(filled?.scores).toBe(filled?.live);
  });
});
