import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, it } from "vitest";
import { openStore, type Store } from "../../src/store/index.ts";
import { sharedByAllTests } from "./lifecycle.ts";
import { openTempStore } from "./temp-store.ts";

const ADMIN_URL = process.env.SWITCHYARD_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export const POSTGRES_SKIP_MESSAGE =
  `Postgres tests skipped: no server at ${ADMIN_URL}. Start one (e.g. pg_ctlcluster <version> main start) or set ` +
  "SWITCHYARD_TEST_POSTGRES_URL to an admin connection string. On CI (CI=true) they never skip.";

/** Whether the test Postgres answers; on CI a missing server is an error, not a skip. */
export async function postgresAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    return true;
  } catch (error) {
    if (process.env.CI)
      throw new Error(`CI must run the Postgres tests, but ${ADMIN_URL} is unreachable: ${error}`);
    console.warn(POSTGRES_SKIP_MESSAGE);
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Creates a database of its own for this test run; `drop` removes it. */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `switchyard_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/**
 * A store on a Postgres database of its own, opened before the enclosing block's tests and closed (its
 * database dropped) after them. Call it inside `describe.skipIf(!available)(…)`; read `.store` in the tests.
 */
export function postgresStoreForTests(): { readonly store: Store } {
  const current = sharedByAllTests(
    "postgresStoreForTests's store",
    async () => {
      const database = await createTestDatabase();
      try {
        return { database, store: await openStore({ kind: "postgres", connectionString: database.url }) };
      } catch (error) {
        await database.drop();
        throw error;
      }
    },
    async ({ database, store }) => {
      await store.close();
      await database.drop();
    },
  );
  return {
    get store() {
      return current().store;
    },
  };
}

/**
 * Runs `scenario` as two tests of the enclosing block: "on SQLite" on a temp store, and "on Postgres" on a
 * database of its own (skipped when no test Postgres answers; the databases are dropped after the block).
 */
export function itOnSqliteAndPostgres(scenario: (store: Store) => Promise<void>): void {
  it("on SQLite", async () => {
    const { store, cleanup } = await openTempStore();
    try {
      await scenario(store);
    } finally {
      await cleanup();
    }
  });

  const pgReady = postgresAvailable();
  const drops: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const drop of drops) await drop();
  });
  it("on Postgres", async (context) => {
    if (!(await pgReady)) return context.skip();
    const database = await createTestDatabase();
    drops.push(database.drop);
    const store = await openStore({ kind: "postgres", connectionString: database.url });
    try {
      await scenario(store);
    } finally {
      await store.close();
    }
  });
}
