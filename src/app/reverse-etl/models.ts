/**
 * Reverse-ETL models: a SQL query on the warehouse with a primary-key column. Saving one runs the query with
 * LIMIT 0 on the environment's warehouse (its tables copied empty: only the columns matter), so a model that
 * does not parse, names a missing table, or lacks its key column is refused when it is saved, not at its
 * first run.
 */
import { NotFoundError, SwitchyardError } from "../../core/index.ts";
import type { ModelInput } from "../../flows/reverse-etl/definitions.ts";
import { type RetlModelsTable, retlDb } from "../../flows/reverse-etl/store.ts";
import { isUniqueViolation, newId, nowIso } from "../../store/index.ts";
import type { PlatformDeps } from "../platform.ts";
import { queryEnvironmentWarehouse } from "../warehouse/query.ts";

export type ModelDeps = Pick<PlatformDeps, "db" | "warehouse">;

export interface Model {
  id: string;
  name: string;
  sql: string;
  primary_key: string;
  columns: { name: string; type: string }[];
  created_at: string;
  updated_at: string;
}

/** The model's SQL without trailing semicolons, so it can be wrapped (`SELECT * FROM (…) AS model`). */
export function modelSql(sql: string): string {
  return sql.trim().replace(/(\s*;)+$/, "");
}

/** The model's columns, by running it with LIMIT 0; argument_invalid when it fails or lacks `primaryKey`. */
export async function modelColumns(
  deps: ModelDeps,
  environmentId: string,
  sql: string,
  primaryKey: string,
): Promise<Model["columns"]> {
  const { columns } = await queryEnvironmentWarehouse(deps.db, deps.warehouse, environmentId, {
    sql: `SELECT * FROM (${modelSql(sql)}) AS model LIMIT 0`,
    maxRows: 1,
    // The check needs the columns only: copying a million-row table for them took over the 10 s allowed.
    schemaOnly: true,
  });
  if (!columns.some((column) => column.name === primaryKey)) {
    throw new SwitchyardError(
      "argument_invalid",
      `The model's query has no column "${primaryKey}" for its primary key.`,
      {
        hint: `Its columns are: ${columns.map((c) => c.name).join(", ")}. Set primary_key to one of them (or alias a column AS ${primaryKey}).`,
        details: { field: "primary_key" },
      },
    );
  }
  return columns;
}

/** Saves a model after checking it on the warehouse; conflict when the name is taken. */
export async function createModel(deps: ModelDeps, environmentId: string, input: ModelInput): Promise<Model> {
  const columns = await modelColumns(deps, environmentId, input.sql, input.primary_key);
  const now = nowIso();
  const row = {
    id: newId("model"),
    environment_id: environmentId,
    name: input.name,
    sql: modelSql(input.sql),
    primary_key: input.primary_key,
    columns: JSON.stringify(columns),
    created_at: now,
    updated_at: now,
  };
  try {
    await retlDb(deps.db).insertInto("retl_models").values(row).execute();
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new SwitchyardError("conflict", `A model named "${input.name}" exists already.`, {
        hint: "Pick another name, or delete that model first.",
      });
    }
    throw error;
  }
  return toModel(row);
}

/**
 * Replaces a model's SQL and key (checked as on create; the name is its own). Refused (conflict) when a sync
 * maps or matches a column the new query no longer has. The syncs' snapshots stay: the next run sends the rows
 * whose sent values changed.
 */
export async function updateModel(
  deps: ModelDeps,
  environmentId: string,
  id: string,
  input: Omit<ModelInput, "name">,
): Promise<Model> {
  const model = await getModel(deps, environmentId, id);
  const columns = await modelColumns(deps, environmentId, input.sql, input.primary_key);
  const names = new Set(columns.map((c) => c.name));
  const db = retlDb(deps.db);
  const syncs = await db
    .selectFrom("retl_syncs")
    .select(["id", "mapping", "match"])
    .where("model_id", "=", model.id)
    .execute();
  for (const sync of syncs) {
    const used = [
      ...(JSON.parse(sync.mapping) as { column: string }[]).map((m) => m.column),
      ...[(JSON.parse(sync.match) as { column?: string }).column].filter((c): c is string => c !== undefined),
    ];
    const missing = used.filter((column) => !names.has(column));
    if (missing.length > 0) {
      throw new SwitchyardError(
        "conflict",
        `Reverse-ETL sync ${sync.id} uses column(s) the new query lacks: ${missing.join(", ")}.`,
        {
          hint: "Keep those columns in the query, or change the sync's mapping first.",
        },
      );
    }
  }
  const changes = {
    sql: modelSql(input.sql),
    primary_key: input.primary_key,
    columns: JSON.stringify(columns),
    updated_at: nowIso(),
  };
  await db.updateTable("retl_models").set(changes).where("id", "=", model.id).execute();
  return { ...model, ...changes, columns };
}

export async function getModel(
  deps: Pick<ModelDeps, "db">,
  environmentId: string,
  id: string,
): Promise<Model> {
  const row = await retlDb(deps.db)
    .selectFrom("retl_models")
    .selectAll()
    .where("environment_id", "=", environmentId)
    .where((eb) => eb.or([eb("id", "=", id), eb("name", "=", id)]))
    .executeTakeFirst();
  if (!row) throw new NotFoundError("Model", id);
  return toModel(row);
}

export async function listModels(deps: Pick<ModelDeps, "db">, environmentId: string): Promise<Model[]> {
  const rows = await retlDb(deps.db)
    .selectFrom("retl_models")
    .selectAll()
    .where("environment_id", "=", environmentId)
    .orderBy("created_at")
    .execute();
  return rows.map(toModel);
}

/** Deletes a model no sync uses; conflict naming the syncs otherwise. */
export async function deleteModel(
  deps: Pick<ModelDeps, "db">,
  environmentId: string,
  id: string,
): Promise<void> {
  const model = await getModel(deps, environmentId, id);
  const db = retlDb(deps.db);
  const syncs = await db.selectFrom("retl_syncs").select("id").where("model_id", "=", model.id).execute();
  if (syncs.length > 0) {
    throw new SwitchyardError(
      "conflict",
      `Model "${model.name}" is used by ${syncs.length} reverse-ETL sync(s).`,
      {
        hint: `Delete them first: ${syncs.map((s) => s.id).join(", ")}.`,
      },
    );
  }
  await db.deleteFrom("retl_models").where("id", "=", model.id).execute();
}

function toModel(row: Omit<RetlModelsTable, "environment_id">): Model {
  const { id, name, sql, primary_key, created_at, updated_at } = row;
  return {
    id,
    name,
    sql,
    primary_key,
    columns: JSON.parse(row.columns) as Model["columns"],
    created_at,
    updated_at,
  };
}
