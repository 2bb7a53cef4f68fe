/**
 * Reliability: faults (docs/reliability.md). Every registered provider with an emulator (HubSpot, Pipedrive,
 * Salesforce) is synced over OAuth2 while its emulator answers 10% of requests 429, 5% 5xx, drops 1% of
 * connections and expires the access token every 500 requests (every 50 at CI's size). Several runs in a row, each under the fault
 * sequence of another seed (the first a full sync, the next ones incremental after the emulator changed
 * records): after each, the records cache and DuckDB hold exactly the emulator's truth (count and checksum),
 * and no record was delivered twice to a destination within a run.
 *
 * Replay: RELIABILITY_SEEDS=<seeds printed by the failing run>; more: RELIABILITY_FAULT_RUNS, _RECORDS, RELIABILITY_TOKEN_EXPIRES_AFTER.
 */
import { describe, expect, it } from "vitest";
import type { EmulatorHandle, ProviderDefinition, RecordBatch } from "../../src/core/index.ts";
import { compareWithTruth, openSyncWorld, type SyncWorld } from "../conformance/sync-world.ts";
import { providersWithEmulators, startEmulator } from "../helpers/emulators.ts";
import { MemoryDestination } from "../helpers/fake-provider.ts";
import { oauthConnectionTo, reliabilitySeeds, sizeFromEnv } from "../helpers/reliability.ts";

/** CI size: 10 runs per provider on small datasets (about this many records per stream). */
const RUNS = sizeFromEnv("RELIABILITY_FAULT_RUNS", 10);
const RECORDS = sizeFromEnv("RELIABILITY_FAULT_RECORDS", 40);
/**
 * The benchmark-sized run expires tokens every 500 requests; CI's small datasets make a few hundred requests
 * in all, so it expires them every 50 (scaled like the record counts) to meet expiry several times.
 */
const TOKEN_EXPIRES_AFTER = sizeFromEnv("RELIABILITY_TOKEN_EXPIRES_AFTER", 50);
const SEEDS = reliabilitySeeds("faults", RUNS, 41_000);
const FAULTS = { rate429: 0.1, rate5xx: 0.05, dropRate: 0.01, tokenExpiresAfter: TOKEN_EXPIRES_AFTER };
/** Short retry waits (a 429's reset is still waited out); batches of a whole stream at this size. */
const SYNC_TUNING = { http: { maxAttempts: 10, retryDelay: { baseMs: 5, maxMs: 200 } }, batchSize: 500 };
const BETWEEN_RUNS = { creates: 5, updates: 8, deletes: 3 };

/**
 * A destination beside the warehouse that counts how often each version of a record (key and content hash)
 * was delivered since `deliveries` was last cleared. A record that changed twice within a run is delivered
 * once per version; the same version twice is a duplicate. It keeps its marks across runs, as a real
 * destination does (so it is caught up once, not at every run).
 */
class DeliveryCounter extends MemoryDestination {
  readonly deliveries = new Map<string, number>();
  override async write(batch: RecordBatch): Promise<void> {
    for (const record of batch.records) {
      const key = `${batch.target.stream}/${record.pk}/${record.hash}`;
      this.deliveries.set(key, (this.deliveries.get(key) ?? 0) + 1);
    }
    await super.write(batch);
  }
}

async function expectTheTruth(
  world: SyncWorld,
  provider: ProviderDefinition,
  emulator: EmulatorHandle,
  seed: number,
) {
  for (const stream of emulator.streams) {
    const landed = await compareWithTruth(world, provider, emulator, stream);
    const where = `${provider.name}.${stream}, fault seed ${seed}`;
    expect(landed.truth.count, `${where}: the emulator holds records`).toBeGreaterThan(0);
    expect(landed.cache, `records cache, ${where}`).toEqual(landed.truth);
    expect(landed.warehouseHashes, `DuckDB, ${where}`).toEqual(landed.cacheHashes);
    expect(landed.warehouseDuplicateKeys, `DuckDB duplicate keys, ${where}`).toBe(0);
  }
}

// Concurrent: most of a run under faults is waiting out 429s, so the providers' runs overlap well.
describe.concurrent("under 429s, 5xx, dropped connections and token expiry", () => {
  it.each(providersWithEmulators())(
    `$name lands exactly the truth, each record version delivered once, in ${RUNS} runs with different fault seeds`,
    async (provider) => {
      const opened: { close(): Promise<void> }[] = [];
      try {
        await syncUnderFaults(provider, opened);
      } finally {
        for (const resource of opened.reverse()) await resource.close();
      }
    },
    // Most of it is waiting out 429 resets; a busy machine makes the rest slow.
    300_000,
  );
});

async function syncUnderFaults(provider: ProviderDefinition, opened: { close(): Promise<void> }[]) {
  const emulator = await startEmulator(provider, { seed: SEEDS[0], records: RECORDS, unlimited: true });
  opened.push(emulator);
  const oauth = await oauthConnectionTo(provider, emulator);
  const world = await openSyncWorld(
    provider,
    {
      url: emulator.url,
      credentials: oauth.credentials,
      streams: emulator.streams,
      tokens: oauth.tokens,
    },
    SYNC_TUNING,
  );
  opened.push(world);
  await emulator.setFaults(FAULTS);
  let retries = 0;
  const counter = new DeliveryCounter();
  for (const [index, seed] of SEEDS.entries()) {
    if (index > 0)
      await emulator.mutate(Object.fromEntries(emulator.streams.map((stream) => [stream, BETWEEN_RUNS])));
    await emulator.setFaults({ seed });
    counter.deliveries.clear();
    const run = await world.sync({ fullRefresh: index === 0, extra: [counter] });
    expect(run.error, `${provider.name}, fault seed ${seed}: ${JSON.stringify(run.error)}`).toBeNull();
    expect(run.status).toBe("succeeded");
    const twice = [...counter.deliveries].filter(([, count]) => count > 1).map(([key]) => key);
    expect(twice, `${provider.name}, fault seed ${seed}: delivered more than once in one run`).toEqual([]);
    await expectTheTruth(world, provider, emulator, seed);
    retries += run.stats.retries;
  }
  // The faults happened and were ridden out, the token expiry included.
  expect(retries, "requests retried").toBeGreaterThan(RUNS);
  expect(oauth.tokens.refreshes, "access tokens refreshed after expiring").toBeGreaterThan(0);
  console.log(
    JSON.stringify({
      reliability: "faults",
      provider: provider.name,
      runs: RUNS,
      records_per_stream: RECORDS,
      token_expires_after: TOKEN_EXPIRES_AFTER,
      retries,
      token_refreshes: oauth.tokens.refreshes,
    }),
  );
}
