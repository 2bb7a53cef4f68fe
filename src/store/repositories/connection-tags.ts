import type { Kysely } from "kysely";
import type { Database } from "../schema.ts";

/** Replaces a connection's tags with `tags` (deduplicated), atomically (joining the caller's transaction if any). */
export async function setConnectionTags(
  db: Kysely<Database>,
  connectionId: string,
  tags: readonly string[],
): Promise<void> {
  const replace = async (trx: Kysely<Database>) => {
    await trx.deleteFrom("connection_tags").where("connection_id", "=", connectionId).execute();
    const unique = [...new Set(tags)];
    if (unique.length > 0) {
      await trx
        .insertInto("connection_tags")
        .values(unique.map((tag) => ({ connection_id: connectionId, tag })))
        .execute();
    }
  };
  if (db.isTransaction) await replace(db);
  else await db.transaction().execute(replace);
}

/** The tags of each connection, sorted; connections without tags map to an empty list. */
export async function tagsOfConnections(
  db: Kysely<Database>,
  connectionIds: readonly string[],
): Promise<Map<string, string[]>> {
  const tags = new Map<string, string[]>(connectionIds.map((id) => [id, []]));
  if (connectionIds.length === 0) return tags;
  const rows = await db
    .selectFrom("connection_tags")
    .select(["connection_id", "tag"])
    .where("connection_id", "in", connectionIds)
    .orderBy("tag")
    .execute();
  for (const row of rows) tags.get(row.connection_id)?.push(row.tag);
  return tags;
}
