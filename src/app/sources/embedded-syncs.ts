/**
 * Embedded syncs: one definition that sends a source's records into a unified model (CRM Contact, Account,
 * Opportunity) of every connection of the environment, whichever CRM each customer uses, optionally only some
 * end users' or providers' connections, with per-connection field mappings on top. Saving one checks the
 * mapping against the writer of each connection it covers today.
 */
import { sql } from "kysely";
import { NotFoundError, RequestInvalidError } from "../../core/index.ts";
import type { EmbeddedSyncInput } from "../../flows/embedded/definitions.ts";
import { mappingFor } from "../../flows/embedded/definitions.ts";
import { type EmbeddedSyncsTable, embeddedDb, partKey } from "../../flows/embedded/store.ts";
import type { FieldMap, SyncMode } from "../../flows/reverse-etl/definitions.ts";
import { type ConnectionRow, newId, nowIso } from "../../store/index.ts";
import { nextRunOf } from "../reverse-etl/syncs.ts";
import { resolveTarget, type TargetDeps } from "../reverse-etl/targets.ts";
import { sourceRow } from "./sources.ts";

export interface EmbeddedSync {
  id: string;
  source_id: string;
  model: EmbeddedSyncInput["model"];
  mode: SyncMode;
  mapping: FieldMap[];
  filter: EmbeddedSyncInput["filter"];
  connection_mappings: Record<string, FieldMap[]>;
  frequency: string | null;
  time_zone: string | null;
  next_run_at: string | null;
  created_at: string;
  updated_at: string;
}

function invalid(path: string, message: string, hint: string): RequestInvalidError {
  return new RequestInvalidError([{ location: "body", path, message }], hint);
}

/** The environment's connections the sync covers (its filter), oldest first; paused ones included. */
export async function connectionsOf(
  deps: Pick<TargetDeps, "db">,
  environmentId: string,
  filter: EmbeddedSync["filter"],
): Promise<ConnectionRow[]> {
  let query = deps.db.selectFrom("connections").selectAll().where("environment_id", "=", environmentId);
  if (filter.end_user_ids?.length) query = query.where("end_user_id", "in", filter.end_user_ids);
  if (filter.providers?.length) query = query.where("provider", "in", filter.providers);
  return query.orderBy("created_at").orderBy("id").execute();
}

/**
 * Checks the definition: its source, schedule, per-connection mappings (connections of this environment), and
 * each covered connection's mapping against the fields its provider's writer takes. Answers the source's id.
 */
async function check(deps: TargetDeps, environmentId: string, input: EmbeddedSyncInput): Promise<string> {
  const source = await sourceRow(deps, environmentId, input.source);
  nextRunOf(input, new Date());
  const covered = await connectionsOf(deps, environmentId, input.filter);
  const all = new Map(
    (await connectionsOf(deps, environmentId, {})).map((connection) => [connection.id, connection]),
  );
  for (const id of Object.keys(input.connection_mappings)) {
    if (!all.has(id))
      throw invalid(
        `connection_mappings.${id}`,
        `No connection ${id} in this environment.`,
        "Key per-connection mappings by the ids GET /v1/connections lists.",
      );
  }
  for (const connection of covered) {
    if (!deps.writers.find(connection.provider, input.model)) continue; // Skipped by runs, saying why.
    const target = resolveTarget(deps, connection, { type: "unified", model: input.model });
    const own = input.connection_mappings[connection.id];
    for (const [i, map] of mappingFor(input.mapping, own).entries()) {
      const problem = target.checkField(map.field);
      if (!problem) continue;
      const inOwn = own?.includes(map) ?? false;
      throw invalid(
        inOwn ? `connection_mappings.${connection.id}.${own!.indexOf(map)}.field` : `mapping.${i}.field`,
        `${target.describe} (connection ${connection.id}): ${problem}.`,
        "Map onto fields every covered connection's provider writes, or give that connection its own mapping.",
      );
    }
  }
  return source.id;
}

export async function createEmbeddedSync(
  deps: TargetDeps,
  environmentId: string,
  input: EmbeddedSyncInput,
): Promise<EmbeddedSync> {
  const sourceId = await check(deps, environmentId, input);
  const now = nowIso();
  const row: EmbeddedSyncsTable = {
    id: newId("emb"),
    environment_id: environmentId,
    source_id: sourceId,
    ...definitionColumns(input),
    next_run_at: nextRunOf(input, new Date(now)),
    created_at: now,
    updated_at: now,
  };
  await embeddedDb(deps.db).insertInto("embedded_syncs").values(row).execute();
  return toSync(row);
}

/**
 * Replaces the definition (checked as on create; its source stays). The per-connection snapshots stay: the
 * next run sends the records whose sent values changed under the new mapping.
 */
export async function updateEmbeddedSync(
  deps: TargetDeps,
  environmentId: string,
  id: string,
  input: EmbeddedSyncInput,
): Promise<EmbeddedSync> {
  const existing = await getEmbeddedSync(deps, environmentId, id);
  const sourceId = await check(deps, environmentId, input);
  if (sourceId !== existing.source_id)
    throw invalid(
      "source",
      "An embedded sync's source cannot change: its links are keyed by that source's records.",
      "Create a new embedded sync for the other source.",
    );
  const changes = {
    ...definitionColumns(input),
    next_run_at: nextRunOf(input, new Date()),
    updated_at: nowIso(),
  };
  await embeddedDb(deps.db)
    .updateTable("embedded_syncs")
    .set(changes)
    .where("id", "=", existing.id)
    .execute();
  return getEmbeddedSync(deps, environmentId, id);
}

function definitionColumns(input: EmbeddedSyncInput) {
  return {
    model: input.model,
    mode: input.mode,
    mapping: JSON.stringify(input.mapping),
    filter: JSON.stringify(input.filter),
    connection_mappings: JSON.stringify(input.connection_mappings),
    frequency: input.frequency,
    time_zone: input.time_zone,
  };
}

export async function getEmbeddedSync(
  deps: Pick<TargetDeps, "db">,
  environmentId: string,
  id: string,
): Promise<EmbeddedSync> {
  const row = await embeddedDb(deps.db)
    .selectFrom("embedded_syncs")
    .selectAll()
    .where("id", "=", id)
    .where("environment_id", "=", environmentId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError("Embedded sync", id);
  return toSync(row);
}

export async function listEmbeddedSyncs(
  deps: Pick<TargetDeps, "db">,
  environmentId: string,
): Promise<EmbeddedSync[]> {
  const rows = await embeddedDb(deps.db)
    .selectFrom("embedded_syncs")
    .selectAll()
    .where("environment_id", "=", environmentId)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  return rows.map(toSync);
}

/** The key of one connection's part of a sync (the reverse-ETL tables' sync_id), as run.ts needs it. */
export { partKey };

/** `substr(sync_id, …)`: compared with partKey(syncId, "") it selects the rows of every part of the sync. */
export function partsOf(syncId: string) {
  return sql<string>`substr(sync_id, 1, ${sql.lit(partKey(syncId, "").length)})`;
}

/** Deletes the sync with every connection's snapshot, links, runs and results (nothing at the providers). */
export async function deleteEmbeddedSync(
  deps: Pick<TargetDeps, "db">,
  environmentId: string,
  id: string,
): Promise<void> {
  const sync = await getEmbeddedSync(deps, environmentId, id);
  const ofSync = partsOf(sync.id);
  await embeddedDb(deps.db)
    .transaction()
    .execute(async (trx) => {
      const runs = trx.selectFrom("retl_runs").select("id").where(ofSync, "=", partKey(sync.id, ""));
      await trx.deleteFrom("retl_run_rows").where("run_id", "in", runs).execute();
      await trx.deleteFrom("retl_pending").where("run_id", "in", runs).execute();
      await trx.deleteFrom("retl_runs").where(ofSync, "=", partKey(sync.id, "")).execute();
      await trx.deleteFrom("retl_links").where(ofSync, "=", partKey(sync.id, "")).execute();
      await trx.deleteFrom("retl_snapshots").where(ofSync, "=", partKey(sync.id, "")).execute();
      await trx.deleteFrom("embedded_syncs").where("id", "=", sync.id).execute();
    });
}

function toSync(row: EmbeddedSyncsTable): EmbeddedSync {
  return {
    id: row.id,
    source_id: row.source_id,
    model: row.model as EmbeddedSync["model"],
    mode: row.mode as SyncMode,
    mapping: JSON.parse(row.mapping) as FieldMap[],
    filter: JSON.parse(row.filter) as EmbeddedSync["filter"],
    connection_mappings: JSON.parse(row.connection_mappings) as Record<string, FieldMap[]>,
    frequency: row.frequency,
    time_zone: row.time_zone,
    next_run_at: row.next_run_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
