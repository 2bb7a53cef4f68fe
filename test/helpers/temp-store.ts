import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Kysely } from "kysely";
import {
  createConnection,
  type Database,
  ensureEnvironment,
  openStore,
  type Store,
} from "../../src/store/index.ts";
import { freshForEachTest } from "./lifecycle.ts";

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix = "switchyard-test-"): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** A migrated SQLite store in its own temp directory. */
export async function openTempStore(): Promise<{ store: Store; dir: string; cleanup: () => Promise<void> }> {
  const dir = tempDir();
  const store = await openStore({ kind: "sqlite", path: join(dir.path, "switchyard.sqlite") });
  return {
    store,
    dir: dir.path,
    cleanup: async () => {
      await store.close();
      dir.cleanup();
    },
  };
}

/** A temp store holding one connection of `provider` in environment "test". */
export async function openTempStoreWithConnection(
  provider = "fake",
): Promise<{ store: Store; connectionId: string; cleanup: () => Promise<void> }> {
  const { store, cleanup } = await openTempStore();
  const connectionId = await addTestConnection(store.db, "test", provider);
  return { store, connectionId, cleanup };
}

/** Adds a connection of `provider` (placeholder credentials) in `environment`, made if missing; its id. */
export async function addTestConnection(
  db: Kysely<Database>,
  environment: string,
  provider = "fake",
): Promise<string> {
  const env = await ensureEnvironment(db, environment);
  const connection = await createConnection(db, {
    environmentId: env.id,
    provider,
    sealedCredentials: "sealed",
  });
  return connection.id;
}

/**
 * Gives each test of the file a fresh temp store holding one connection of `provider` (opened before the
 * test, removed after it); the returned object always stands for the current test's store.
 */
export function storeWithConnectionPerTest(provider = "fake"): {
  readonly store: Store;
  readonly connectionId: string;
} {
  const current = freshForEachTest(
    "storeWithConnectionPerTest's store",
    () => openTempStoreWithConnection(provider),
    (opened) => opened.cleanup(),
  );
  return {
    get store() {
      return current().store;
    },
    get connectionId() {
      return current().connectionId;
    },
  };
}
