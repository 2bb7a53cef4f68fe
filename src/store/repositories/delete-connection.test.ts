import { describe, expect } from "vitest";
import { itOnSqliteAndPostgres } from "../../../test/helpers/postgres.ts";
import { flowDb } from "../../flows/app-to-app/store.ts";
import { embeddedDb, partKey } from "../../flows/embedded/store.ts";
import { retlDb } from "../../flows/reverse-etl/store.ts";
import type { Store } from "../open-store.ts";
import { createConnection } from "./connections.ts";
import { deleteConnectionCascade } from "./delete-connection.ts";
import { ensureEnvironment } from "./environments.ts";

const AT = "2026-01-01T00:00:00.000Z";

/** An embedded sync with a part (snapshot, link, run with pending diff and row result) for each connection. */
async function embeddedSyncOver(store: Store, environmentId: string, connectionIds: string[]) {
  const db = embeddedDb(store.db);
  await db
    .insertInto("sources")
    .values({
      id: "src_1",
      environment_id: environmentId,
      name: "users",
      kind: "api",
      primary_key: "id",
      connection_string: null,
      table_name: null,
      query: null,
      records_changed_at: null,
      created_at: AT,
      updated_at: AT,
    })
    .execute();
  const mappings = Object.fromEntries(
    connectionIds.map((id) => [id, [{ column: "nick", field: "first_name" }]]),
  );
  await db
    .insertInto("embedded_syncs")
    .values({
      id: "esync_1",
      environment_id: environmentId,
      source_id: "src_1",
      model: "Contact",
      mode: "upsert",
      mapping: JSON.stringify([{ column: "email", field: "email_addresses.0.email_address" }]),
      filter: "{}",
      connection_mappings: JSON.stringify(mappings),
      frequency: null,
      time_zone: null,
      next_run_at: null,
      created_at: AT,
      updated_at: AT,
    })
    .execute();
  for (const connectionId of connectionIds) {
    const part = partKey("esync_1", connectionId);
    const runId = `rrun_${connectionId}`;
    await db.insertInto("retl_snapshots").values({ sync_id: part, pk: "u1", hash: "h" }).execute();
    await db
      .insertInto("retl_links")
      .values({ sync_id: part, pk: "u1", remote_id: "r1", updated_at: AT })
      .execute();
    await db
      .insertInto("retl_runs")
      .values({
        id: runId,
        sync_id: part,
        dry_run: 0,
        status: "succeeded",
        stats: "{}",
        error: null,
        started_at: AT,
        heartbeat_at: AT,
        finished_at: AT,
        holder: null,
      })
      .execute();
    await db
      .insertInto("retl_pending")
      .values({ run_id: runId, pk: "u1", change: "added", hash: "h", row: "{}" })
      .execute();
    await db
      .insertInto("retl_run_rows")
      .values({
        run_id: runId,
        pk: "u1",
        operation: "create",
        status: "succeeded",
        remote_id: "r1",
        message: null,
        at: AT,
      })
      .execute();
  }
}

/** What is stored for `connectionId` in the embedded-sync tables and the inbound-webhook account table. */
async function leftFor(store: Store, connectionId: string) {
  const db = embeddedDb(store.db);
  const part = partKey("esync_1", connectionId);
  const runId = `rrun_${connectionId}`;
  const count = async (table: "retl_snapshots" | "retl_links" | "retl_runs", column: "sync_id") =>
    (await db.selectFrom(table).select(column).where(column, "=", part).execute()).length;
  const sync = await db.selectFrom("embedded_syncs").select("connection_mappings").executeTakeFirstOrThrow();
  return {
    snapshots: await count("retl_snapshots", "sync_id"),
    links: await count("retl_links", "sync_id"),
    runs: await count("retl_runs", "sync_id"),
    pending: (await db.selectFrom("retl_pending").select("pk").where("run_id", "=", runId).execute()).length,
    runRows: (await db.selectFrom("retl_run_rows").select("pk").where("run_id", "=", runId).execute()).length,
    ownMapping: connectionId in (JSON.parse(sync.connection_mappings) as Record<string, unknown>),
    account: (
      await store.db
        .selectFrom("inbound_webhook_accounts")
        .select("account_id")
        .where("connection_id", "=", connectionId)
        .execute()
    ).length,
  };
}

/** The connection the test deletes, and one beside it whose rows must stay. */
async function twoConnections(store: Store, environmentId: string) {
  const connection = () =>
    createConnection(store.db, { environmentId, provider: "hubspot", sealedCredentials: "x" });
  return [await connection(), await connection()] as const;
}

describe("deleteConnectionCascade", () => {
  describe("removes the connection's part of every embedded sync and its account id, and only its own", () => {
    itOnSqliteAndPostgres(async (store) => {
      const dev = await ensureEnvironment(store.db, "dev");
      const [gone, kept] = await twoConnections(store, dev.id);
      await embeddedSyncOver(store, dev.id, [gone.id, kept.id]);
      for (const connection of [gone, kept])
        await store.db
          .insertInto("inbound_webhook_accounts")
          .values({
            connection_id: connection.id,
            environment_id: dev.id,
            provider: "hubspot",
            account_id: `portal-${connection.id}`,
            resolved_at: AT,
          })
          .execute();
      const all = { snapshots: 1, links: 1, runs: 1, pending: 1, runRows: 1, ownMapping: true, account: 1 };
      expect(await leftFor(store, gone.id)).toEqual(all);

      await deleteConnectionCascade(store.db, gone.id);

      expect(await leftFor(store, gone.id)).toEqual({
        snapshots: 0,
        links: 0,
        runs: 0,
        pending: 0,
        runRows: 0,
        ownMapping: false,
        account: 0,
      });
      expect(await leftFor(store, kept.id)).toEqual(all);
      expect(await store.db.selectFrom("connections").select("id").execute()).toEqual([{ id: kept.id }]);
    });
  });

  describe("takes the reverse-ETL syncs into the connection and the flows from or to it, and only those", () => {
    itOnSqliteAndPostgres(async (store) => {
      const dev = await ensureEnvironment(store.db, "dev");
      const [gone, kept] = await twoConnections(store, dev.id);
      const retl = retlDb(store.db);
      await retl
        .insertInto("retl_models")
        .values({
          id: "model_1",
          environment_id: dev.id,
          name: "people",
          sql: "select 1 as id",
          primary_key: "id",
          columns: "[]",
          created_at: AT,
          updated_at: AT,
        })
        .execute();
      for (const connection of [gone, kept]) {
        const syncId = `retl_${connection.id}`;
        await retl
          .insertInto("retl_syncs")
          .values({
            id: syncId,
            environment_id: dev.id,
            model_id: "model_1",
            connection_id: connection.id,
            mode: "upsert",
            target: "{}",
            match: "{}",
            mapping: "[]",
            created_at: AT,
            updated_at: AT,
            frequency: "1h",
            time_zone: null,
            next_run_at: AT,
          })
          .execute();
        await retl
          .insertInto("retl_links")
          .values({ sync_id: syncId, pk: "1", remote_id: "r1", updated_at: AT })
          .execute();
      }
      const flows = flowDb(store.db);
      const flow = (id: string, from: string, to: string) => ({
        id,
        environment_id: dev.id,
        name: id,
        definition: "{}",
        source: "api",
        module: null,
        from_connection_id: from,
        to_connection_id: to,
        enabled: 1,
        next_run_at: null,
        created_at: AT,
        updated_at: AT,
      });
      await flows
        .insertInto("flows")
        .values([
          flow("flow_out", gone.id, kept.id),
          flow("flow_in", kept.id, gone.id),
          flow("flow_kept", kept.id, kept.id),
        ])
        .execute();
      await flows
        .insertInto("flow_runs")
        .values({
          id: "frun_1",
          flow_id: "flow_out",
          trigger: "schedule",
          status: "succeeded",
          counts: "{}",
          error: null,
          started_at: AT,
          heartbeat_at: AT,
          finished_at: AT,
        })
        .execute();

      const deleted = await deleteConnectionCascade(store.db, gone.id);

      expect(deleted.reverseEtlSyncIds).toEqual([`retl_${gone.id}`]);
      expect(await retl.selectFrom("retl_syncs").select("id").execute()).toEqual([{ id: `retl_${kept.id}` }]);
      expect(await retl.selectFrom("retl_links").select("sync_id").execute()).toEqual([
        { sync_id: `retl_${kept.id}` },
      ]);
      expect(await flows.selectFrom("flows").select("id").execute()).toEqual([{ id: "flow_kept" }]);
      expect(await flows.selectFrom("flow_runs").select("id").execute()).toEqual([]);
    });
  });
});
