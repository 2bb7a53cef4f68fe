import { chmodSync, existsSync } from "node:fs";

/** Warehouse files hold customer data: owner read/write only, like the vault's key files. */
const PRIVATE_MODE = 0o600;
/** The umask that gives files DuckDB creates (the database, its `.wal`) mode 0600. */
const PRIVATE_UMASK = 0o077;

let holders = 0;
let savedUmask: number | undefined;

/**
 * Runs `work` with the process umask at 077, so every file DuckDB creates meanwhile (it opens them 0666,
 * minus the umask) is private. DuckDB offers no file-mode setting, and its `.wal` comes and goes with each
 * checkpoint, so a chmod after the fact would leave windows. Nested and concurrent calls share one change;
 * the previous umask comes back when the last one ends. Where the umask cannot be set (a worker thread),
 * `work` runs as is and `makePrivate` tightens the files afterwards.
 */
export async function withPrivateFiles<T>(work: () => Promise<T>): Promise<T> {
  if (holders === 0) {
    try {
      savedUmask = process.umask(PRIVATE_UMASK);
    } catch {
      savedUmask = undefined;
    }
  }
  holders++;
  try {
    return await work();
  } finally {
    holders--;
    if (holders === 0 && savedUmask !== undefined) {
      process.umask(savedUmask);
      savedUmask = undefined;
    }
  }
}

/** Sets the warehouse file and its write-ahead log, when they exist, to 0600 (files made before this rule). */
export function makePrivate(path: string): void {
  for (const file of [path, `${path}.wal`]) {
    if (existsSync(file)) chmodSync(file, PRIVATE_MODE);
  }
}
