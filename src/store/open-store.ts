import { chmodSync, closeSync, existsSync, openSync } from "node:fs";
import Database from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from "kysely";
import { ConfigError } from "../core/index.ts";
import { migrationProvider } from "./migrations/index.ts";
import type { Database as Schema } from "./schema.ts";
import { withStatementCache } from "./sqlite-statement-cache.ts";

export type StoreConfig = { kind: "sqlite"; path: string } | { kind: "postgres"; connectionString: string };

export interface Store {
  readonly db: Kysely<Schema>;
  readonly kind: StoreConfig["kind"];
  close(): Promise<void>;
}

/** Opens the control-plane database and brings its schema up to date; fails with ConfigError if unreachable. */
export async function openStore(config: StoreConfig): Promise<Store> {
  const db = new Kysely<Schema>({ dialect: await createDialect(config) });
  // Unordered: migrations added on parallel branches may land in any order.
  const migrator = new Migrator({ db, provider: migrationProvider, allowUnorderedMigrations: true });
  const { error } = await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    throw new ConfigError(
      `Could not prepare the ${config.kind} database: ${error instanceof Error ? error.message : String(error)}`,
      config.kind === "sqlite"
        ? "Check that the data directory is writable and not used by a newer Switchyard version."
        : "Check the Postgres connection string and that the user may create tables.",
    );
  }
  return {
    db,
    kind: config.kind,
    close: () => db.destroy(),
  };
}

/** New SQLite files get 16 KiB pages: the records cache's rows carry ~1 KiB payloads (measured in bench/). */
const SQLITE_PAGE_SIZE = 16_384;

/**
 * The control plane holds tokens' metadata and the records cache: owner read/write only, like the key files.
 * The file is created 0600 before SQLite opens it, as SQLite gives its `-wal` and `-shm` the main file's
 * mode; a file made before this rule is tightened, with the side files it left.
 */
function makePrivateDatabaseFile(path: string): void {
  if (path === ":memory:" || path === "") return;
  if (!existsSync(path)) closeSync(openSync(path, "a", 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) {
    if (existsSync(file)) chmodSync(file, 0o600);
  }
}

async function createDialect(config: StoreConfig) {
  if (config.kind === "sqlite") {
    makePrivateDatabaseFile(config.path);
    const sqlite = new Database(config.path);
    // Takes effect only while the file is empty; an existing store keeps its page size.
    sqlite.pragma(`page_size = ${SQLITE_PAGE_SIZE}`);
    // WAL lets readers (API, CLI) look while a sync writes; NORMAL is durable across process crashes.
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("synchronous = NORMAL");
    sqlite.pragma("busy_timeout = 5000");
    sqlite.pragma("foreign_keys = ON");
    // Page cache of 4,000 KiB instead of better-sqlite3's 16,000: a sync mostly appends, and the rest of the
    // cache only sat resident (docs/benchmarks.md, sync-throughput peak RSS).
    sqlite.pragma("cache_size = -4000");
    return new SqliteDialect({ database: withStatementCache(sqlite) });
  }
  // Loaded only when used: the driver costs an embedded (SQLite) process ~10 MB of memory for nothing.
  const { default: pg } = await import("pg");
  const pool = new pg.Pool({ connectionString: config.connectionString, max: 10 });
  // An idle connection the server closed (a restart, an administrator, a network cut) is reported on the
  // pool, and an unheard 'error' event would end the process. pg drops that connection from the pool and
  // the next query opens a new one, so there is nothing more to do here.
  pool.on("error", () => undefined);
  // A connection that breaks while checked out (mid-query, or between the queries of a transaction) has no
  // pool listener then: its query fails with the error, and pg drops it when it is released. Without this
  // listener the same break would also be an unheard 'error' event on the client, ending the process.
  pool.on("connect", (client) => client.on("error", () => undefined));
  return new PostgresDialect({ pool });
}
