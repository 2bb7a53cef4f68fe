import { afterAll, beforeAll } from "vitest";
import { createDuckDbDestination, type DuckDbDestination } from "../../src/destinations/duckdb/index.ts";
import { runSync, type SyncJob } from "../../src/engine/index.ts";
import type { Store } from "../../src/store/index.ts";
import { addTestConnection, openTempStore } from "./temp-store.ts";

/** What the sync tests need of a provider's emulator. */
interface Emulator {
  url: string;
  tokens: readonly string[];
  close(): Promise<void>;
}

/**
 * A provider's connector against its emulator, for end-to-end sync tests: before all tests, starts the
 * emulator and opens a temp store holding one connection of the provider and a DuckDB warehouse; after
 * all, closes them. `sync` runs the connector against the emulator (on loopback) into the warehouse.
 */
export function emulatorSyncWorld<E extends Emulator>(options: {
  provider: SyncJob["provider"];
  start: () => Promise<E>;
  http: SyncJob["http"];
}) {
  const world = {} as {
    emulator: E;
    store: Store;
    warehouse: DuckDbDestination;
    connectionId: string;
    cleanup: () => Promise<void>;
    sync: (job?: { fullRefresh?: boolean }) => ReturnType<typeof runSync>;
  };
  beforeAll(async () => {
    world.emulator = await options.start();
    const { store, cleanup, dir } = await openTempStore();
    Object.assign(world, { store, cleanup });
    world.warehouse = await createDuckDbDestination({ path: `${dir}/warehouse.duckdb` });
    world.connectionId = await addTestConnection(store.db, "test", options.provider.name);
  });
  afterAll(async () => {
    await world.warehouse?.close();
    await world.cleanup?.();
    await world.emulator?.close();
  });
  world.sync = (job = {}) =>
    runSync({
      store: world.store,
      provider: options.provider,
      connection: {
        id: world.connectionId,
        credentials: { type: "bearer", token: world.emulator.tokens[0]! },
        baseUrl: world.emulator.url,
        // The emulator listens on loopback.
        allowPrivateAddresses: true,
      },
      destinations: [world.warehouse],
      http: options.http,
      batchSize: 500,
      ...job,
    });
  return world;
}
