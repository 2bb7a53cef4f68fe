import type { Kysely } from "kysely";
import { deleteConnectionParts } from "../../flows/embedded/store.ts";
import type { Database } from "../schema.ts";

/**
 * Deletes a connection and everything stored for it, in one transaction: its cached records (and the
 * unified objects mapped from them), stream state, runs and their log lines, syncs, tags, its account id at
 * the provider (inbound webhook routing), its part of every embedded sync (snapshot, links, runs, its own
 * mapping), and the row holding its sealed credentials. Issues and run samples go by foreign-key cascade.
 * Tables added later that reference a connection must be cleared here too.
 */
export async function deleteConnectionCascade(db: Kysely<Database>, connectionId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const connection = await trx
      .selectFrom("connections")
      .select(["id", "environment_id"])
      .where("id", "=", connectionId)
      .executeTakeFirst();
    if (connection) await deleteConnectionParts(trx, connection);
    await trx.deleteFrom("inbound_webhook_accounts").where("connection_id", "=", connectionId).execute();
    await trx
      .deleteFrom("run_logs")
      .where("run_id", "in", (eb) =>
        eb.selectFrom("runs").select("id").where("connection_id", "=", connectionId),
      )
      .execute();
    await trx.deleteFrom("runs").where("connection_id", "=", connectionId).execute();
    await trx.deleteFrom("records").where("connection_id", "=", connectionId).execute();
    await trx.deleteFrom("record_streams").where("connection_id", "=", connectionId).execute();
    await trx.deleteFrom("unified_objects").where("connection_id", "=", connectionId).execute();
    await trx.deleteFrom("unified_object_keys").where("connection_id", "=", connectionId).execute();
    await trx.deleteFrom("unified_marks").where("connection_id", "=", connectionId).execute();
    await trx.deleteFrom("field_mappings").where("connection_id", "=", connectionId).execute();
    await trx.deleteFrom("stream_states").where("connection_id", "=", connectionId).execute();
    await trx.deleteFrom("sync_streams").where("connection_id", "=", connectionId).execute();
    await trx.deleteFrom("syncs").where("connection_id", "=", connectionId).execute();
    await trx.deleteFrom("connection_tags").where("connection_id", "=", connectionId).execute();
    await trx.deleteFrom("connections").where("id", "=", connectionId).execute();
  });
}
