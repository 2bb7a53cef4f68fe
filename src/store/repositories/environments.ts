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
  const row: Environment = { id: newId("env"), name, created_at: nowIso() };
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
