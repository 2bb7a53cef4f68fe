/**
 * Reverse-ETL syncs: a model into one object of a connection. Saving one checks it whole against what it
 * names: the model's columns, the connection's provider, the target's field list (the actions' input schemas
 * or the unified writer's fields), the matching rule, and that mirror mode has a way to delete.
 */
import { NotFoundError, RequestInvalidError, SwitchyardError } from "../../core/index.ts";
import {
  type FieldMap,
  type SyncInput,
  type SyncMatch,
  type SyncMode,
  type SyncTarget,
  syncMatch,
  syncTarget,
} from "../../flows/reverse-etl/definitions.ts";
import { deleteSyncData, type RetlSyncsTable, retlDb } from "../../flows/reverse-etl/store.ts";
import { nextRunAfter, parseFrequency } from "../../scheduler/frequency.ts";
import { parseTimeZone } from "../../scheduler/time-zone.ts";
import { getConnection, newId, nowIso } from "../../store/index.ts";
import { findProvider } from "../platform.ts";
import type { WarehouseAccess } from "../warehouse/query.ts";
import { getModel, type Model } from "./models.ts";
import { removeSnapshotFile, snapshotFilePath } from "./snapshot-file.ts";
import { resolveTarget, type TargetDeps } from "./targets.ts";

export interface ReverseEtlSync {
  id: string;
  model_id: string;
  connection_id: string;
  mode: SyncMode;
  target: SyncTarget;
  match: SyncMatch;
  mapping: FieldMap[];
  /** The schedule: null when it runs only when asked. */
  frequency: string | null;
  time_zone: string | null;
  /** When the scheduler runs it next (ISO-8601), or null. */
  next_run_at: string | null;
  created_at: string;
  updated_at: string;
}

/** When a sync with this schedule runs next after `from`; null without a frequency. Throws request_invalid. */
export function nextRunOf(input: Pick<SyncInput, "frequency" | "time_zone">, from: Date): string | null {
  if (input.frequency === null) return null;
  let zone: string | null = null;
  try {
    zone = input.time_zone === null ? null : parseTimeZone(input.time_zone);
  } catch (error) {
    throw invalid("time_zone", (error as Error).message, "Use an IANA zone name such as Europe/Paris.");
  }
  try {
    return nextRunAfter(parseFrequency(input.frequency, zone), from)?.toISOString() ?? null;
  } catch (error) {
    const hint = error instanceof SwitchyardError && error.hint ? error.hint : "";
    throw invalid(
      "frequency",
      (error as Error).message,
      hint || "Use an interval (15m) or a cron expression.",
    );
  }
}

function invalid(field: string, message: string, hint: string): RequestInvalidError {
  return new RequestInvalidError([{ location: "body", path: field, message }], hint);
}

/** Checks the sync against its model, connection and target; the model it sends. */
async function check(deps: TargetDeps, environmentId: string, input: SyncInput): Promise<Model> {
  const model = await getModel(deps, environmentId, input.model_id);
  const connection = await getConnection(deps.db, input.connection_id).catch(() => undefined);
  if (!connection || connection.environment_id !== environmentId)
    throw new NotFoundError("Connection", input.connection_id);
  const target = resolveTarget(deps, connection, input.target);
  const columns = new Set(model.columns.map((c) => c.name));
  const columnHint = `The model's columns are: ${[...columns].join(", ")}.`;
  input.mapping.forEach((map, i) => {
    if (!columns.has(map.column))
      throw invalid(`mapping.${i}.column`, `The model has no column "${map.column}".`, columnHint);
    const problem = target.checkField(map.field);
    if (problem)
      throw invalid(
        `mapping.${i}.field`,
        `${target.describe}: ${problem}.`,
        "Map columns onto the fields the target takes.",
      );
  });
  if (input.match.by !== "link" && !columns.has(input.match.column))
    throw invalid("match.column", `The model has no column "${input.match.column}".`, columnHint);
  if (input.match.by === "natural_key") {
    const stream = input.match.stream ?? target.stream;
    const streams = findProvider(deps.providers, connection.provider).streams.map((s) => s.name);
    if (!stream || !streams.includes(stream)) {
      throw invalid(
        "match.stream",
        stream
          ? `${connection.provider} has no stream "${stream}".`
          : "A natural key needs the stream whose cached records it is looked up in.",
        `Set match.stream to one of: ${streams.join(", ")} (the connection's syncs must cache it).`,
      );
    }
  }
  if (input.mode === "mirror" && target.cannotDelete) {
    throw invalid(
      "mode",
      `Mirror mode is not possible here: ${target.cannotDelete}.`,
      "Use mode upsert (rows that leave the model are left at the provider), or name the delete action.",
    );
  }
  return model;
}

export async function createReverseEtlSync(
  deps: TargetDeps,
  environmentId: string,
  input: SyncInput,
): Promise<ReverseEtlSync> {
  const model = await check(deps, environmentId, input);
  const now = nowIso();
  const next_run_at = nextRunOf(input, new Date(now));
  const row: RetlSyncsTable = {
    id: newId("retl"),
    environment_id: environmentId,
    model_id: model.id,
    connection_id: input.connection_id,
    mode: input.mode,
    target: JSON.stringify(input.target),
    match: JSON.stringify(input.match),
    mapping: JSON.stringify(input.mapping),
    created_at: now,
    updated_at: now,
    frequency: input.frequency,
    time_zone: input.time_zone,
    next_run_at,
  };
  await retlDb(deps.db).insertInto("retl_syncs").values(row).execute();
  return toSync(row);
}

/**
 * Replaces a sync's definition (checked as on create). The snapshot stays: rows whose sent values change
 * under the new mapping are sent again by the next run, the others are not.
 */
export async function updateReverseEtlSync(
  deps: TargetDeps,
  environmentId: string,
  id: string,
  input: SyncInput,
): Promise<ReverseEtlSync> {
  const existing = await getReverseEtlSync(deps, environmentId, id);
  const model = await check(deps, environmentId, input);
  if (input.connection_id !== existing.connection_id) {
    throw invalid(
      "connection_id",
      "A sync's connection cannot change: its links are ids of that account.",
      "Create a new sync for the other connection.",
    );
  }
  const changes = {
    model_id: model.id,
    mode: input.mode,
    target: JSON.stringify(input.target),
    match: JSON.stringify(input.match),
    mapping: JSON.stringify(input.mapping),
    frequency: input.frequency,
    time_zone: input.time_zone,
    next_run_at: nextRunOf(input, new Date()),
    updated_at: nowIso(),
  };
  await retlDb(deps.db).updateTable("retl_syncs").set(changes).where("id", "=", existing.id).execute();
  return getReverseEtlSync(deps, environmentId, id);
}

export async function getReverseEtlSync(
  deps: Pick<TargetDeps, "db">,
  environmentId: string,
  id: string,
): Promise<ReverseEtlSync> {
  const row = await retlDb(deps.db)
    .selectFrom("retl_syncs")
    .selectAll()
    .where("id", "=", id)
    .where("environment_id", "=", environmentId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError("Reverse-ETL sync", id);
  return toSync(row);
}

export async function listReverseEtlSyncs(
  deps: Pick<TargetDeps, "db">,
  environmentId: string,
): Promise<ReverseEtlSync[]> {
  const rows = await retlDb(deps.db)
    .selectFrom("retl_syncs")
    .selectAll()
    .where("environment_id", "=", environmentId)
    .orderBy("created_at")
    .execute();
  return rows.map(toSync);
}

/**
 * Deletes the sync with its snapshot (its entries, and its file when the warehouse is given), links, runs and
 * results (nothing at the provider is touched).
 */
export async function deleteReverseEtlSync(
  deps: Pick<TargetDeps, "db"> & { warehouse?: WarehouseAccess | undefined },
  environmentId: string,
  id: string,
): Promise<void> {
  const sync = await getReverseEtlSync(deps, environmentId, id);
  await deleteSyncData(retlDb(deps.db), sync.id);
  if (deps.warehouse) await removeSnapshotFile(snapshotFilePath(deps.warehouse.path, sync.id));
}

function toSync(row: RetlSyncsTable): ReverseEtlSync {
  return {
    id: row.id,
    model_id: row.model_id,
    connection_id: row.connection_id,
    mode: row.mode as SyncMode,
    target: syncTarget.parse(JSON.parse(row.target)),
    match: syncMatch.parse(JSON.parse(row.match)),
    mapping: JSON.parse(row.mapping) as FieldMap[],
    frequency: row.frequency,
    time_zone: row.time_zone,
    next_run_at: row.next_run_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
