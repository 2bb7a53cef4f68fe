import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { reapDeadRuns } from "../engine/index.ts";
import { openStore, type Store } from "../store/index.ts";
import { loadVault, type Vault } from "../vault/index.ts";

/** Everything an embedded process works with: one data directory holding SQLite, DuckDB and the vault key. */
export interface Workspace {
  dataDir: string;
  store: Store;
  vault: Vault;
  /** Default DuckDB warehouse file. */
  warehousePath: string;
  close(): Promise<void>;
}

/** Where embedded data lives: the argument, else SWITCHYARD_DATA_DIR, else ./.switchyard. */
export function resolveDataDir(dataDir?: string): string {
  return resolve(dataDir ?? process.env.SWITCHYARD_DATA_DIR ?? ".switchyard");
}

/** The DuckDB warehouse file of a data directory (scale-out processes read reverse-ETL models from it too). */
export function warehouseFileIn(dataDir: string): string {
  return join(dataDir, "warehouse.duckdb");
}

/** Opens (creating if needed) the embedded workspace and migrates its database. */
export async function openWorkspace(options: { dataDir?: string } = {}): Promise<Workspace> {
  const dataDir = resolveDataDir(options.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const vault = loadVault({ dataDir });
  const store = await openStore({ kind: "sqlite", path: join(dataDir, "switchyard.sqlite") });
  // Runs left `running` by a process that died (a killed CLI) are marked interrupted, so history is true.
  await reapDeadRuns(store.db);
  return {
    dataDir,
    store,
    vault,
    warehousePath: warehouseFileIn(dataDir),
    close: () => store.close(),
  };
}
