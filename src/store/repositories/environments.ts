import type { Kysely, Selectable } from "kysely";
import { newId, nowIso } from "../ids.ts";
import type { Database, EnvironmentsTable } from "../schema.ts";

export type Environment = Selectable<EnvironmentsTable>;

/** Returns the environment with this name, creating it first if needed. */
export async function ensureEnvironment(db: Kysely<Database>, name: string): Promise<Environment> {
  const existing = await db
    .selectFrom("environments")
    .selectAll()
    .where("name", "=", name)
    .executeTakeFirst();
  if (existing) return existing;
  const row: Environment = { id: newId("env"), name, created_at: nowIso(), allow_private_network: 0 };
  await db
    .insertInto("environments")
    .values(row)
    .onConflict((oc) => oc.column("name").doNothing())
    .execute();
  return db.selectFrom("environments").selectAll().where("name", "=", name).executeTakeFirstOrThrow();
}

/** Every environment, oldest first. */
export async function listEnvironments(db: Kysely<Database>): Promise<Environment[]> {
  return db.selectFrom("environments").selectAll().orderBy("created_at").orderBy("name").execute();
}

/** The environment with this name, if any. */
export async function findEnvironment(db: Kysely<Database>, name: string): Promise<Environment | undefined> {
  return db.selectFrom("environments").selectAll().where("name", "=", name).executeTakeFirst();
}

/**
 * Whether the environment's connections may reach loopback, private and link-local addresses
 * (off unless turned on: `npm start` does it for its demo environment, whose emulator is on 127.0.0.1).
 */
export async function environmentAllowsPrivateNetwork(
  db: Kysely<Database>,
  environmentId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom("environments")
    .select("allow_private_network")
    .where("id", "=", environmentId)
    .executeTakeFirst();
  return row?.allow_private_network === 1;
}

/** Turns the environment's private-network setting on or off. */
export async function setEnvironmentPrivateNetwork(
  db: Kysely<Database>,
  environmentId: string,
  allowed: boolean,
): Promise<void> {
  await db
    .updateTable("environments")
    .set({ allow_private_network: allowed ? 1 : 0 })
    .where("id", "=", environmentId)
    .execute();
}
