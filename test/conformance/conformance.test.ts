/**
 * The conformance suite: every registered provider that declares an emulator (`ProviderDefinition.emulator`)
 * is held to the same guarantees, with no test code of its own (docs/conformance.md):
 * - a full sync under 429s and 5xx lands exactly the emulator's truth in the records cache and DuckDB;
 * - a run killed at a page resumes to exactly the truth, without duplicates;
 * - after the emulator creates, updates and deletes records, one incremental sync lands the truth again;
 * - the check call accepts the emulator's credentials and refuses others;
 * - a malformed body and an HTML page with status 200 fail the run as provider_response_malformed and
 *   leave committed state untouched.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CredentialsRejectedError,
  type EmulatorHandle,
  type ProviderDefinition,
} from "../../src/core/index.ts";
import { createHttpClient } from "../../src/http/index.ts";
import { providers } from "../../src/providers/registry.ts";
import { MemoryDestination } from "../helpers/fake-provider.ts";
import { committedSnapshot, compareWithTruth, openSyncWorld, type SyncWorld } from "./sync-world.ts";

/** Small and seeded: the suite runs for every provider in CI, on two cores. */
const RECORDS = 120;
const SEED = 20_261;
const FAULTS = { rate429: 0.06, rate5xx: 0.06 };
const NO_FAULTS = { rate429: 0, rate5xx: 0, malformedRate: 0, htmlRate: 0 };

const declared = Object.values(providers).filter((provider) => provider.emulator !== undefined);

it("runs for at least one registered provider", () => {
  expect(declared.map((provider) => provider.name)).toContain("hubspot");
});

/** Every stream of the emulator landed exactly its truth, in the records cache and in DuckDB. */
async function expectTheTruth(world: SyncWorld, provider: ProviderDefinition, emulator: EmulatorHandle) {
  for (const stream of emulator.streams) {
    const landed = await compareWithTruth(world, provider, emulator, stream);
    expect(landed.truth.count, `${stream}: the emulator holds records`).toBeGreaterThan(0);
    expect(landed.cache, `records cache: ${stream}`).toEqual(landed.truth);
    expect(landed.warehouseHashes, `DuckDB: ${stream}`).toEqual(landed.cacheHashes);
    expect(landed.warehouseDuplicateKeys, `DuckDB duplicate keys: ${stream}`).toBe(0);
  }
}

function checkWith(
  provider: ProviderDefinition,
  emulator: EmulatorHandle,
  credentials = emulator.credentials,
) {
  const http = createHttpClient({
    provider: provider.name,
    baseUrl: emulator.url,
    allowPrivateAddresses: true,
    auth: provider.auth,
    credentials,
    maxAttempts: 1,
  });
  return provider.checkCredentials(http).finally(() => http.close());
}

describe.each(declared)("$name conforms", (provider) => {
  let emulator: EmulatorHandle;
  /** The connection the ordered tests below share: full sync, then changes, then bad bodies. */
  let world: SyncWorld;

  beforeAll(async () => {
    emulator = await provider.emulator!({ seed: SEED, records: RECORDS, unlimited: true });
    world = await openSyncWorld(provider, emulator);
  });
  afterAll(async () => {
    await world?.close();
    await emulator?.close();
  });

  /** How many batches a full sync writes to a destination, and how many pages it reads: where the resume tests kill it. */
  let batches = 0;
  let pages = 0;

  it("lands exactly the emulator's truth after a full sync under 429s and 5xx", async () => {
    await emulator.setFaults(FAULTS);
    // A small dataset takes few requests: full syncs repeat (each must land the truth) until faults were met.
    let retries = 0;
    for (let attempt = 0; attempt < 4 && retries === 0; attempt++) {
      const counter = new MemoryDestination();
      const run = await world.sync({ fullRefresh: true, extra: [counter] });
      expect(run.error, JSON.stringify(run.error)).toBeNull();
      expect(run.status).toBe("succeeded");
      await expectTheTruth(world, provider, emulator);
      if (attempt === 0) [batches, pages] = [counter.writes, run.stats.pages];
      retries += run.stats.retries;
    }
    await emulator.setFaults(NO_FAULTS);
    // The faults happened and were ridden out.
    expect(retries).toBeGreaterThan(0);
  });

  it("lands exactly the truth again with one incremental sync after creates, updates and deletes", async () => {
    const change = { creates: 6, updates: 9, deletes: 4 };
    await emulator.mutate(Object.fromEntries(emulator.streams.map((stream) => [stream, change])));
    const run = await world.sync();
    expect(run.error, JSON.stringify(run.error)).toBeNull();
    expect(run.fullRefresh).toBe(false);
    expect(run.stats.recordsAdded).toBeGreaterThan(0);
    expect(run.stats.recordsUpdated).toBeGreaterThan(0);
    await expectTheTruth(world, provider, emulator);
  });

  for (const [fault, knobs] of [
    ["a malformed JSON body", { malformedRate: 1 }],
    ["an HTML page with status 200", { htmlRate: 1 }],
  ] as const) {
    it(`fails the run on ${fault} as provider_response_malformed, committed state untouched`, async () => {
      await emulator.mutate(Object.fromEntries(emulator.streams.map((stream) => [stream, { updates: 3 }])));
      const before = await committedSnapshot(world, provider, emulator.streams);
      await emulator.setFaults(knobs);
      const run = await world.sync();
      await emulator.setFaults(NO_FAULTS);
      expect(run.status).toBe("failed");
      expect(run.error?.code, JSON.stringify(run.error)).toBe("provider_response_malformed");
      expect(await committedSnapshot(world, provider, emulator.streams)).toEqual(before);
      // Nothing was lost: the next run picks up where the last good one left off.
      const next = await world.sync();
      expect(next.error, JSON.stringify(next.error)).toBeNull();
      await expectTheTruth(world, provider, emulator);
    });
  }

  it("resumes a full sync killed at its second, middle or last batch to exactly the truth, without duplicates", async () => {
    expect(batches, "a full sync writes at least two batches").toBeGreaterThanOrEqual(2);
    for (const failingBatch of new Set([2, Math.ceil(batches / 2), batches].filter((n) => n >= 2))) {
      const killed = await openSyncWorld(provider, emulator);
      try {
        const tripwire = new MemoryDestination();
        tripwire.failOnWrite = failingBatch;
        const first = await killed.sync({ fullRefresh: true, extra: [tripwire] });
        expect(first.status, `killed at batch ${failingBatch}`).toBe("failed");
        // Killed midway: the batches before it were committed, with a checkpoint.
        expect((await committedSnapshot(killed, provider, emulator.streams)).states.length).toBeGreaterThan(
          0,
        );
        const resumed = await killed.sync({ extra: [tripwire] });
        expect(resumed.error, JSON.stringify(resumed.error)).toBeNull();
        expect(resumed.status).toBe("succeeded");
        await expectTheTruth(killed, provider, emulator);
      } finally {
        await killed.close();
      }
    }
  });

  it("resumes a full sync aborted after its first or middle page to exactly the truth, without duplicates", async () => {
    expect(pages, "a full sync reads pages").toBeGreaterThanOrEqual(1);
    for (const afterPages of new Set([1, Math.ceil(pages / 2)])) {
      const killed = await openSyncWorld(provider, emulator);
      try {
        const first = await killed.sync({ fullRefresh: true, abortAfterPages: afterPages });
        expect(first.error?.code, `aborted after ${afterPages} pages`).toBe("run_aborted");
        const resumed = await killed.sync();
        expect(resumed.error, JSON.stringify(resumed.error)).toBeNull();
        await expectTheTruth(killed, provider, emulator);
      } finally {
        await killed.close();
      }
    }
  });

  it("accepts the emulator's credentials and refuses others in the check call", async () => {
    await expect(checkWith(provider, emulator)).resolves.toBeUndefined();
    await expect(checkWith(provider, emulator, emulator.rejectedCredentials)).rejects.toBeInstanceOf(
      CredentialsRejectedError,
    );
  });
});
