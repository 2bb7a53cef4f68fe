/**
 * `field_mappings` (migration 0014): field mappings of one connection (`connection_id`), or of every connection
 * of a provider in an environment (`connection_id` null). Every read is scoped to an environment.
 */
import type { Kysely, Selectable } from "kysely";
import { SwitchyardError } from "../../core/index.ts";
import type { FieldMapping, PathStep } from "../../unified/field-mappings.ts";
import type { CrmModelName } from "../../unified/mappers.ts";
import { newId, nowIso } from "../ids.ts";
import type { Database, FieldMappingsTable } from "../schema.ts";
import { isUniqueViolation } from "../transaction.ts";

type Row = Selectable<FieldMappingsTable>;

function toMapping(row: Row): FieldMapping {
  return {
    id: row.id,
    environmentId: row.environment_id,
    connectionId: row.connection_id,
    provider: row.provider,
    model: row.model as CrmModelName,
    targetFieldName: row.target_field_name,
    targetFieldDescription: row.target_field_description,
    traversalPath: JSON.parse(row.traversal_path) as PathStep[],
    remoteMethod: row.remote_method,
    remoteUrlPath: row.remote_url_path,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function scopeOf(mapping: Pick<FieldMapping, "connectionId" | "provider">): string {
  return mapping.connectionId === null
    ? `provider:${mapping.provider}`
    : `connection:${mapping.connectionId}`;
}

export type NewFieldMapping = Omit<FieldMapping, "id" | "createdAt" | "updatedAt">;

function duplicate(mapping: Pick<FieldMapping, "connectionId" | "provider" | "model" | "targetFieldName">) {
  const owner =
    mapping.connectionId === null ? `the environment's ${mapping.provider} connections` : "this connection";
  return new SwitchyardError(
    "conflict",
    `${mapping.model} already has a mapping onto "${mapping.targetFieldName}" for ${owner}.`,
    { hint: "Change that mapping (PATCH) or delete it first, or pick another target_field_name." },
  );
}

/** Stores a new mapping; `conflict` when its scope already maps that target of the model. */
export async function insertFieldMapping(
  db: Kysely<Database>,
  mapping: NewFieldMapping,
): Promise<FieldMapping> {
  const now = nowIso();
  const row: Row = {
    id: newId("fm"),
    environment_id: mapping.environmentId,
    connection_id: mapping.connectionId,
    provider: mapping.provider,
    scope: scopeOf(mapping),
    model: mapping.model,
    target_field_name: mapping.targetFieldName,
    target_field_description: mapping.targetFieldDescription,
    traversal_path: JSON.stringify(mapping.traversalPath),
    remote_method: mapping.remoteMethod,
    remote_url_path: mapping.remoteUrlPath,
    created_at: now,
    updated_at: now,
  };
  try {
    await db.insertInto("field_mappings").values(row).execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicate(mapping);
    throw error;
  }
  return toMapping(row);
}

/**
 * Every mapping that can matter to the connection: its own, and the environment-wide ones of its environment
 * (of every provider: they also say which targets are the organization's). One indexed query.
 */
export async function listFieldMappingsForConnection(
  db: Kysely<Database>,
  connectionId: string,
): Promise<FieldMapping[]> {
  const rows = await db
    .selectFrom("field_mappings")
    .selectAll()
    .where((eb) =>
      eb.or([
        eb("connection_id", "=", connectionId),
        eb.and([
          eb("connection_id", "is", null),
          eb(
            "environment_id",
            "=",
            eb.selectFrom("connections").select("environment_id").where("id", "=", connectionId),
          ),
        ]),
      ]),
    )
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  return rows.map(toMapping);
}

/** The environment's mappings, environment-wide and per connection, optionally of one provider. */
export async function listFieldMappingsOfEnvironment(
  db: Kysely<Database>,
  environmentId: string,
  filter: { provider?: string; connectionId?: string } = {},
): Promise<FieldMapping[]> {
  let query = db.selectFrom("field_mappings").selectAll().where("environment_id", "=", environmentId);
  if (filter.provider !== undefined) query = query.where("provider", "=", filter.provider);
  if (filter.connectionId !== undefined) query = query.where("connection_id", "=", filter.connectionId);
  const rows = await query.orderBy("created_at").orderBy("id").execute();
  return rows.map(toMapping);
}

/** One mapping of the environment; `not_found` when it has none with that id. */
export async function getFieldMappingIn(
  db: Kysely<Database>,
  environmentId: string,
  id: string,
): Promise<FieldMapping> {
  const row = await db
    .selectFrom("field_mappings")
    .selectAll()
    .where("environment_id", "=", environmentId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (!row) {
    throw new SwitchyardError("not_found", `No field mapping with id ${id} in this environment.`, {
      hint: "Use an `id` that listing the field mappings returned.",
    });
  }
  return toMapping(row);
}

export interface FieldMappingChange {
  traversalPath?: PathStep[];
  remoteMethod?: string;
  remoteUrlPath?: string;
  targetFieldDescription?: string;
}

/** Changes where a mapping reads from; returns it as stored. */
export async function updateFieldMapping(
  db: Kysely<Database>,
  mapping: FieldMapping,
  change: FieldMappingChange,
): Promise<FieldMapping> {
  const updated: FieldMapping = {
    ...mapping,
    ...Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined)),
    updatedAt: nowIso(),
  };
  await db
    .updateTable("field_mappings")
    .set({
      traversal_path: JSON.stringify(updated.traversalPath),
      remote_method: updated.remoteMethod,
      remote_url_path: updated.remoteUrlPath,
      target_field_description: updated.targetFieldDescription,
      updated_at: updated.updatedAt,
    })
    .where("id", "=", mapping.id)
    .where("environment_id", "=", mapping.environmentId)
    .execute();
  return updated;
}

export async function deleteFieldMapping(db: Kysely<Database>, mapping: FieldMapping): Promise<void> {
  await db
    .deleteFrom("field_mappings")
    .where("id", "=", mapping.id)
    .where("environment_id", "=", mapping.environmentId)
    .execute();
}

/** Removes a connection's own mappings (its environment's stay). */
export async function deleteFieldMappingsOfConnection(
  db: Kysely<Database>,
  connectionId: string,
): Promise<void> {
  await db.deleteFrom("field_mappings").where("connection_id", "=", connectionId).execute();
}

/**
 * The most recently changed live payloads of a stream, newest first (the `records_by_change` index, read
 * backwards): what remote fields are discovered from.
 */
export async function sampleRecordPayloads(
  db: Kysely<Database>,
  connectionId: string,
  stream: string,
  limit: number,
): Promise<string[]> {
  const rows = await db
    .selectFrom("records")
    .select("payload")
    .where("connection_id", "=", connectionId)
    .where("stream", "=", stream)
    .where("deleted", "=", 0)
    .orderBy("updated_at", "desc")
    .orderBy("pk", "desc")
    .limit(limit)
    .execute();
  return rows.map((row) => row.payload);
}
