/**
 * Test helper (not shipped behaviour) for the conformance suite: one connection of a provider to its
 * running emulator, with a temp store and a DuckDB warehouse, and what the runs landed compared with what
 * the emulator holds (`EmulatorHandle.truth`), whatever the provider.
 */
import { createHash } from "node:crypto";
import type { Destination, EmulatorHandle, ProviderDefinition, SyncRecord } from "../../src/core/index.ts";
import { createDuckDbDestination, type DuckDbDestination } from "../../src/destinations/duckdb/index.ts";
import { canonicalJson } from "../../src/engine/canonical-json.ts";
import { runSync, type SyncJob } from "../../src/engine/index.ts";
import {
  createConnection,
  ensureEnvironment,
  listRecords,
  type Run,
  type Store,
} from "../../src/store/index.ts";
import { openTempStore } from "../helpers/temp-store.ts";

export interface SyncWorld {
  store: Store;
  warehouse: DuckDbDestination;
  connectionId: string;
  /**
   * One run of the emulator's streams into the records cache, DuckDB and `extra` destinations;
   * `abortAfterPages` kills it (its AbortSignal) once it has read that many pages.
   */
  sync(options?: {
    fullRefresh?: boolean;
    extra?: readonly Destination[];
    abortAfterPages?: number;
  }): Promise<Run>;
  close(): Promise<void>;
}

/**
 * `tuning` replaces the suite's short retry waits and small batches (which let a run be killed between
 * commits) for tests that sync larger datasets.
 */
export async function openSyncWorld(
  provider: ProviderDefinition,
  emulator: Pick<EmulatorHandle, "url" | "credentials"> & {
    streams?: readonly string[];
    /** For OAuth2 credentials: the access-token source that renews them after a 401. */
    tokens?: SyncJob["connection"]["tokens"];
  },
  tuning: Pick<SyncJob, "http" | "batchSize"> = {},
): Promise<SyncWorld> {
  const { store, dir, cleanup } = await openTempStore();
  const warehouse = await createDuckDbDestination({ path: `${dir}/warehouse.duckdb` });
  const env = await ensureEnvironment(store.db, "test");
  const connection = await createConnection(store.db, {
    environmentId: env.id,
    provider: provider.name,
    sealedCredentials: "sealed",
  });
  return {
    store,
    warehouse,
    connectionId: connection.id,
    sync: (options = {}) => {
      const kill = new AbortController();
      return runSync({
        store,
        provider,
        connection: {
          id: connection.id,
          credentials: emulator.credentials,
          baseUrl: emulator.url,
          // The emulator listens on loopback.
          allowPrivateAddresses: true,
          ...(emulator.tokens ? { tokens: emulator.tokens } : {}),
        },
        streams: emulator.streams,
        destinations: [warehouse, ...(options.extra ?? [])],
        fullRefresh: options.fullRefresh ?? false,
        // Short waits keep the suite fast; enough attempts to ride out a few % of faults.
        http: { maxAttempts: 10, retryDelay: { baseMs: 5, maxMs: 200 } },
        // Small batches: a small dataset still commits in several, so a run can be killed between them.
        batchSize: 20,
        ...tuning,
        signal: kill.signal,
        onProgress: (stats) => {
          if (options.abortAfterPages !== undefined && stats.pages >= options.abortAfterPages) kill.abort();
        },
      });
    },
    async close() {
      await warehouse.close();
      await cleanup();
    },
  };
}

/** Count and checksum of a set of lines (order does not matter), with a few lines to show when they differ. */
export interface Digest {
  count: number;
  checksum: string;
  sample: string[];
}

export function digest(lines: string[]): Digest {
  lines.sort();
  return {
    count: lines.length,
    checksum: createHash("sha256").update(lines.join("\n")).digest("hex"),
    sample: lines.slice(0, 3),
  };
}

/** Rows of a query on one table of the connection (`$1`); none while a run has not yet created the table. */
async function warehouseQuery(world: SyncWorld, table: string, sql: string) {
  const [exists] = await world.warehouse.query(
    "SELECT count(*) AS n FROM information_schema.tables WHERE table_name = $1",
    [table],
  );
  return Number(exists?.n) > 0 ? world.warehouse.query(sql, [world.connectionId]) : [];
}

/** The records cache's live records of a stream, with their content hashes. */
async function cachedLive(
  world: SyncWorld,
  stream: string,
): Promise<{ pk: string; hash: string; record: SyncRecord }[]> {
  const rows: { pk: string; hash: string; record: SyncRecord }[] = [];
  let afterPk: string | undefined;
  for (;;) {
    const page = await listRecords(world.store.db, world.connectionId, stream, {
      limit: 1000,
      ...(afterPk !== undefined ? { afterPk } : {}),
    });
    if (page.length === 0) return rows;
    for (const row of page) rows.push({ pk: row.pk, hash: row.hash, record: JSON.parse(row.payload) });
    afterPk = page[page.length - 1]!.pk;
  }
}

/** The cached record reduced to the fields the truth vouches for, as one line. */
function projected(pk: string, record: SyncRecord, fields: readonly string[]): string {
  const kept: SyncRecord = {};
  for (const field of fields) kept[field] = Object.hasOwn(record, field) ? record[field] : "<missing>";
  return `${pk}|${canonicalJson(kept)}`;
}

/**
 * What a stream landed next to the emulator's truth: the truth's live records, the cache's live records on
 * the same fields, the cache's live keys and hashes next to DuckDB's, and DuckDB's duplicate keys.
 */
export async function compareWithTruth(
  world: SyncWorld,
  provider: ProviderDefinition,
  emulator: EmulatorHandle,
  stream: string,
) {
  const truth = await emulator.truth(stream);
  const truthLines = [...truth.live].map(([pk, record]) => `${pk}|${canonicalJson(record)}`);
  const cached = await cachedLive(world, stream);
  const cacheLines = cached.map(({ pk, record }) =>
    projected(pk, record, Object.keys(truth.live.get(pk) ?? {})),
  );
  const primaryKey = provider.streams.find((candidate) => candidate.name === stream)?.primaryKey;
  if (!primaryKey) throw new Error(`${provider.name} has no stream "${stream}"`);
  const table = `${provider.name}_${stream}`;
  const warehouseRows = await warehouseQuery(
    world,
    table,
    `SELECT CAST("${primaryKey}" AS VARCHAR) AS pk, _hash FROM ${table} WHERE _connection_id = $1 AND NOT coalesce(_deleted, false)`,
  );
  const [dupes] = await warehouseQuery(
    world,
    table,
    `SELECT count(*) - count(DISTINCT "${primaryKey}") AS n FROM ${table} WHERE _connection_id = $1`,
  );
  return {
    truth: digest(truthLines),
    cache: digest(cacheLines),
    cacheHashes: digest(cached.map(({ pk, hash }) => `${pk}|${hash}`)),
    warehouseHashes: digest(warehouseRows.map((row) => `${row.pk}|${row._hash}`)),
    warehouseDuplicateKeys: Number(dupes?.n ?? 0),
  };
}

/** Everything a run commits for a connection: stream states and every record (deleted ones too) of the cache and DuckDB. */
export async function committedSnapshot(
  world: SyncWorld,
  provider: ProviderDefinition,
  streams: readonly string[],
) {
  const states = await world.store.db
    .selectFrom("stream_states")
    .select(["stream", "state"])
    .where("connection_id", "=", world.connectionId)
    .orderBy("stream")
    .execute();
  const records: Record<string, Digest> = {};
  for (const stream of streams) {
    const rows = await listRecords(world.store.db, world.connectionId, stream, {
      limit: 1_000_000,
      includeDeleted: true,
    });
    records[`cache:${stream}`] = digest(rows.map((row) => `${row.pk}|${row.hash}|${row.deleted}`));
    const primaryKey = provider.streams.find((candidate) => candidate.name === stream)!.primaryKey;
    const table = `${provider.name}_${stream}`;
    const warehouseRows = await warehouseQuery(
      world,
      table,
      `SELECT CAST("${primaryKey}" AS VARCHAR) AS pk, _hash, _deleted FROM ${table} WHERE _connection_id = $1`,
    );
    records[`duckdb:${stream}`] = digest(
      warehouseRows.map((row) => `${row.pk}|${row._hash}|${row._deleted}`),
    );
  }
  return { states, records };
}
