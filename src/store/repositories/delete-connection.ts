import type { Kysely } from "kysely";
import { deleteFlowRows, flowDb } from "../../flows/app-to-app/store.ts";
import { deleteConnectionParts } from "../../flows/embedded/store.ts";
import { deleteSyncRows, retlDb } from "../../flows/reverse-etl/store.ts";
import type { Database } from "../schema.ts";

/**
 * Deletes a connection and everything stored for it, in one transaction: its cached records (and the
 * unified objects mapped from them), stream state, runs and their log lines, syncs, tags, its account id at
 * the provider (inbound webhook routing), its part of every embedded sync (snapshot, links, runs, its own
 * mapping), the reverse-ETL syncs that write into it and the flows from or to it (each with its runs, links
 * and snapshot: none can run without the connection), and the row holding its sealed credentials. Issues
 * and run samples go by foreign-key cascade. Tables added later that reference a connection must be cleared
 * here too. Returns the ids of the reverse-ETL syncs deleted (their snapshot files are the caller's).
 */
export async function deleteConnectionCascade(
  db: Kysely<Database>,
  connectionId: string,
): Promise<{ reverseEtlSyncIds: string[] }> {
  return db.transaction().execute(async (trx) => {
    const connection = await trx
      .selectFrom("connections")
      .select(["id", "environment_id"])
      .where("id", "=", connectionId)
      .executeTakeFirst();
    if (connection) await deleteConnectionParts(trx, connection);
    const retl = retlDb(trx);
    const reverseEtlSyncs = await retl
      .selectFrom("retl_syncs")
      .select("id")
      .where("connection_id", "=", connectionId)
      .execute();
    for (const sync of reverseEtlSyncs) await deleteSyncRows(retl, sync.id);
    const flows = flowDb(trx);
    const connectedFlows = await flows
      .selectFrom("flows")
      .select("id")
      .where((eb) =>
        eb.or([eb("from_connection_id", "=", connectionId), eb("to_connection_id", "=", connectionId)]),
      )
      .execute();
    for (const flow of connectedFlows) await deleteFlowRows(flows, flow.id);
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
    return { reverseEtlSyncIds: reverseEtlSyncs.map((sync) => sync.id) };
  });
}
