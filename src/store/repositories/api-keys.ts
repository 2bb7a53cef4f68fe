import type { Kysely, Selectable } from "kysely";
import { NotFoundError } from "../../core/index.ts";
import { type Page, pageNewestFirst } from "../cursor.ts";
import { newId, nowIso } from "../ids.ts";
import type { ApiKeysTable, Database } from "../schema.ts";

export type ApiKeyRow = Selectable<ApiKeysTable>;

/** Stores a new key by its hash (the secret never reaches the store) and returns the row. */
export async function insertApiKey(
  db: Kysely<Database>,
  input: { environmentId: string; name: string; prefix: string; hash: string; admin?: boolean },
): Promise<ApiKeyRow> {
  const row: ApiKeyRow = {
    id: newId("key"),
    environment_id: input.environmentId,
    name: input.name,
    prefix: input.prefix,
    hash: input.hash,
    created_at: nowIso(),
    last_used_at: null,
    revoked_at: null,
    admin: input.admin ? 1 : 0,
  };
  await db.insertInto("api_keys").values(row).execute();
  return row;
}

/** The unrevoked key with this hash and its environment's name, if any. */
export async function findActiveApiKey(
  db: Kysely<Database>,
  hash: string,
): Promise<(ApiKeyRow & { environment_name: string }) | undefined> {
  return db
    .selectFrom("api_keys")
    .innerJoin("environments", "environments.id", "api_keys.environment_id")
    .selectAll("api_keys")
    .select("environments.name as environment_name")
    .where("api_keys.hash", "=", hash)
    .where("api_keys.revoked_at", "is", null)
    .executeTakeFirst();
}

/** Records that a key was used at `at`. */
export async function touchApiKey(db: Kysely<Database>, id: string, at: string): Promise<void> {
  await db.updateTable("api_keys").set({ last_used_at: at }).where("id", "=", id).execute();
}

/** Pages through an environment's keys, newest first; revoked ones only when asked. */
export async function listApiKeys(
  db: Kysely<Database>,
  environmentId: string,
  options: { cursor?: string; limit: number; includeRevoked?: boolean },
): Promise<Page<ApiKeyRow>> {
  let query = db.selectFrom("api_keys").selectAll().where("environment_id", "=", environmentId);
  if (!options.includeRevoked) query = query.where("revoked_at", "is", null);
  return pageNewestFirst(query, { at: "created_at", id: "id" }, options, (row) => [row.created_at, row.id]);
}

/** The key with this id in this environment, or NotFoundError (keys of other environments do not exist here). */
export async function getApiKey(db: Kysely<Database>, environmentId: string, id: string): Promise<ApiKeyRow> {
  const row = await db
    .selectFrom("api_keys")
    .selectAll()
    .where("id", "=", id)
    .where("environment_id", "=", environmentId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError("API key", id);
  return row;
}

/** Revokes a key of this environment (idempotent) and returns it; NotFoundError if it is not there. */
export async function revokeApiKey(
  db: Kysely<Database>,
  environmentId: string,
  id: string,
): Promise<ApiKeyRow> {
  const row = await getApiKey(db, environmentId, id);
  if (row.revoked_at) return row;
  const revokedAt = nowIso();
  await db.updateTable("api_keys").set({ revoked_at: revokedAt }).where("id", "=", id).execute();
  return { ...row, revoked_at: revokedAt };
}
