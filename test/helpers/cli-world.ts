/**
 * Test helper for files that drive the real CLI: a provider's emulator (started through its declaration,
 * `ProviderDefinition.emulator`) and a data directory shared by the file's tests, and a way to look into that
 * directory's SQLite store from outside the CLI processes.
 */
import { join } from "node:path";
import Database from "better-sqlite3";
import type {
  EmulatorFaults,
  EmulatorHandle,
  EmulatorStartOptions,
  ProviderDefinition,
} from "../../src/core/index.ts";
import { startEmulator, tokenOf } from "./emulators.ts";
import { sharedByAllTests } from "./lifecycle.ts";
import { tempDir } from "./temp-store.ts";

export interface CliWorld {
  readonly emulator: EmulatorHandle;
  /** The token (or API key) the emulator accepts, as `switchyard sync --token` takes it. */
  readonly token: string;
  readonly dataDir: string;
  /**
   * `switchyard sync <provider>` against the emulator (its token) into the data directory, then the world's
   * own sync arguments, then `extra`.
   */
  syncArgs(...extra: string[]): string[];
}

/**
 * Starts the provider's emulator (with `faults` set) and makes the data directory before the file's tests;
 * closes and removes them after. `syncArgs` are added to every `world.syncArgs()` (such as a batch size).
 */
export function cliWorld(options: {
  provider: ProviderDefinition;
  emulator?: EmulatorStartOptions;
  faults?: EmulatorFaults;
  syncArgs?: string[];
}): CliWorld {
  const started = sharedByAllTests(
    "cliWorld's emulator",
    async () => {
      const emulator = await startEmulator(options.provider, options.emulator);
      if (options.faults) await emulator.setFaults(options.faults);
      return { emulator, dir: tempDir() };
    },
    async ({ emulator, dir }) => {
      await emulator.close();
      dir.cleanup();
    },
  );
  return {
    get emulator() {
      return started().emulator;
    },
    get token() {
      return tokenOf(started().emulator.credentials);
    },
    get dataDir() {
      return started().dir.path;
    },
    syncArgs(...extra) {
      const { emulator, dir } = started();
      return [
        "sync",
        options.provider.name,
        "--token",
        tokenOf(emulator.credentials),
        "--base-url",
        emulator.url,
        // The emulator is on loopback: the environment must allow private addresses.
        "--allow-private-network",
        "--data-dir",
        dir.path,
        ...(options.syncArgs ?? []),
        ...extra,
      ];
    },
  };
}

/**
 * Reads the SQLite store of a CLI data directory from outside the CLI processes (read-only); undefined while
 * the file does not exist yet or cannot be read.
 */
export function readDataDirStore<T>(dataDir: string, read: (db: Database.Database) => T): T | undefined {
  try {
    const db = new Database(join(dataDir, "switchyard.sqlite"), { readonly: true, fileMustExist: true });
    try {
      return read(db);
    } finally {
      db.close();
    }
  } catch {
    return undefined;
  }
}
