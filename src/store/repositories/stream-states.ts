import type { Kysely } from "kysely";
import type { JsonObject } from "../../core/index.ts";
import { nowIso } from "../ids.ts";
import type { Database } from "../schema.ts";

/** Reads the saved state of one stream of a connection, or undefined if it never committed. */
export async function loadStreamState(
  db: Kysely<Database>,
  connectionId: string,
  stream: string,
): Promise<JsonObject | undefined> {
  const row = await db
    .selectFrom("stream_states")
    .select("state")
    .where("connection_id", "=", connectionId)
    .where("stream", "=", stream)
    .executeTakeFirst();
  return row ? (JSON.parse(row.state) as JsonObject) : undefined;
}

/** Saves (replaces) the state of one stream; durable when the promise resolves. */
export async function saveStreamState(
  db: Kysely<Database>,
  connectionId: string,
  stream: string,
  state: JsonObject,
): Promise<void> {
  const row = { connection_id: connectionId, stream, state: JSON.stringify(state), updated_at: nowIso() };
  await db
    .insertInto("stream_states")
    .values(row)
    .onConflict((oc) =>
      oc.columns(["connection_id", "stream"]).doUpdateSet({ state: row.state, updated_at: row.updated_at }),
    )
    .execute();
}
