import { afterAll, beforeAll } from "vitest";
import type { ProviderDefinition } from "../../src/core/index.ts";
import type { SyncJob } from "../../src/engine/index.ts";
import { openSyncWorld, type SyncWorld } from "../conformance/sync-world.ts";

/** What the sync tests need of a provider's emulator. */
interface Emulator {
  url: string;
  tokens: readonly string[];
  close(): Promise<void>;
}

/**
 * A provider's connector against its own emulator (the provider-specific one, for its knobs and ground
 * truth), for end-to-end sync tests: before all tests, starts the emulator and opens a SyncWorld on it
 * (temp store, one connection, DuckDB warehouse) with the emulator's first token; after all, closes both.
 */
export function emulatorSyncWorld<E extends Emulator>(options: {
  provider: ProviderDefinition;
  start: () => Promise<E>;
  http: SyncJob["http"];
}) {
  let inner: SyncWorld | undefined;
  const world = {
    sync: (job: { fullRefresh?: boolean } = {}) => inner!.sync(job),
  } as Omit<SyncWorld, "close"> & { emulator: E };
  beforeAll(async () => {
    world.emulator = await options.start();
    inner = await openSyncWorld(
      options.provider,
      { url: world.emulator.url, credentials: { type: "bearer", token: world.emulator.tokens[0]! } },
      { http: options.http, batchSize: 500 },
    );
    Object.assign(world, {
      store: inner.store,
      warehouse: inner.warehouse,
      connectionId: inner.connectionId,
    });
  });
  afterAll(async () => {
    await inner?.close();
    await world.emulator?.close();
  });
  return world;
}
