/**
 * Test helper for files that drive the real CLI: a HubSpot emulator and a data directory shared by the
 * file's tests, and a way to look into that directory's SQLite store from outside the CLI processes.
 */
import { join } from "node:path";
import Database from "better-sqlite3";
import {
  type HubSpotEmulator,
  type HubSpotEmulatorOptions,
  startHubSpotEmulator,
} from "../../src/providers/hubspot/emulator/index.ts";
import { sharedByAllTests } from "./lifecycle.ts";
import { tempDir } from "./temp-store.ts";

export interface CliWorld {
  readonly emulator: HubSpotEmulator;
  readonly dataDir: string;
  /**
   * `switchyard sync hubspot` against the emulator (its first token) into the data directory, then the
   * world's own sync arguments, then `extra`.
   */
  syncArgs(...extra: string[]): string[];
}

/**
 * Starts the emulator and makes the data directory before the file's tests; closes and removes them after.
 * `syncArgs` are added to every `world.syncArgs()` (such as a batch size).
 */
export function cliWorld(options: { emulator: HubSpotEmulatorOptions; syncArgs?: string[] }): CliWorld {
  const started = sharedByAllTests(
    "cliWorld's emulator",
    async () => ({ emulator: await startHubSpotEmulator(options.emulator), dir: tempDir() }),
    async ({ emulator, dir }) => {
      await emulator.close();
      dir.cleanup();
    },
  );
  return {
    get emulator() {
      return started().emulator;
    },
    get dataDir() {
      return started().dir.path;
    },
    syncArgs(...extra) {
      const { emulator, dir } = started();
      return [
        "sync",
        "hubspot",
        "--token",
        emulator.tokens[0]!,
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
