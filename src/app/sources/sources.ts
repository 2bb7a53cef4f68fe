/**
 * Sources: the product's own records, per environment, that embedded syncs send into every customer's app.
 * A source is `api` (the product pushes records) or `postgres` (read from a table or read-only query of the
 * product's database, whose connection string is sealed by the vault and never answered back).
 */
import { NotFoundError, RequestInvalidError, SwitchyardError } from "../../core/index.ts";
import type { SourceInput } from "../../flows/embedded/definitions.ts";
import { embeddedDb, type SourcesTable } from "../../flows/embedded/store.ts";
import { assertBaseUrlAllowed } from "../../http/index.ts";
import { environmentAllowsPrivateNetwork, isUniqueViolation, newId, nowIso } from "../../store/index.ts";
import type { PlatformDeps } from "../platform.ts";
import { modelSql } from "../reverse-etl/models.ts";

export type SourceDeps = Pick<PlatformDeps, "db" | "vault">;

export interface Source {
  id: string;
  name: string;
  kind: "api" | "postgres";
  primary_key: string;
  /** postgres: the table read, or the query (the connection string is never answered). */
  table: string | null;
  query: string | null;
  records: number;
  records_changed_at: string | null;
  created_at: string;
  updated_at: string;
}

/**
 * The connection string's host may be reached under the environment's address policy (as a connection's base
 * URL): public addresses, and private ones only where the environment allows them.
 */
export async function checkConnectionString(
  deps: SourceDeps,
  environmentId: string,
  value: string,
): Promise<void> {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new RequestInvalidError(
      [{ location: "body", path: "connection_string", message: "is not a valid connection string" }],
      "Use postgres://user:password@host:5432/database.",
    );
  }
  url.username = "";
  url.password = "";
  await assertBaseUrlAllowed(url.toString(), {
    allowPrivateAddresses: await environmentAllowsPrivateNetwork(deps.db, environmentId),
  });
}

/** The stored columns of a source's definition (its connection string sealed). */
async function definitionColumns(deps: SourceDeps, environmentId: string, input: SourceInput) {
  if (input.kind === "api") return { connection_string: null, table_name: null, query: null };
  await checkConnectionString(deps, environmentId, input.connection_string);
  return {
    connection_string: deps.vault.seal(input.connection_string),
    table_name: input.table ?? null,
    query: input.query === undefined ? null : modelSql(input.query),
  };
}

/** Saves a source; conflict when the name is taken. */
export async function createSource(
  deps: SourceDeps,
  environmentId: string,
  input: SourceInput,
): Promise<Source> {
  const now = nowIso();
  const row: SourcesTable = {
    id: newId("src"),
    environment_id: environmentId,
    name: input.name,
    kind: input.kind,
    primary_key: input.primary_key,
    ...(await definitionColumns(deps, environmentId, input)),
    records_changed_at: null,
    created_at: now,
    updated_at: now,
  };
  try {
    await embeddedDb(deps.db).insertInto("sources").values(row).execute();
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new SwitchyardError("conflict", `A source named "${input.name}" exists already.`, {
        hint: "Pick another name, or change that source with PUT /v1/sources/{name}.",
      });
    }
    throw error;
  }
  return toSource(row, 0);
}

/**
 * Replaces a source's definition (its name and kind stay). A new primary key is refused while it holds
 * records: their keys were taken from the old one.
 */
export async function updateSource(
  deps: SourceDeps,
  environmentId: string,
  nameOrId: string,
  input: SourceInput,
): Promise<Source> {
  const existing = await sourceRow(deps, environmentId, nameOrId);
  const refuse = (path: string, message: string, hint: string) =>
    new RequestInvalidError([{ location: "body", path, message }], hint);
  if (input.name !== existing.name)
    throw refuse("name", "A source's name cannot change.", "Create a new source under the other name.");
  if (input.kind !== existing.kind)
    throw refuse("kind", "A source's kind cannot change.", "Create a new source of the other kind.");
  const count = await recordCount(deps, existing.id);
  if (input.primary_key !== existing.primary_key && count > 0 && input.kind === "api") {
    throw refuse(
      "primary_key",
      "The primary key cannot change while the source holds records.",
      "Delete its records first (PUT with `deletes`), or create a new source.",
    );
  }
  const changes = {
    primary_key: input.primary_key,
    ...(await definitionColumns(deps, environmentId, input)),
    updated_at: nowIso(),
  };
  await embeddedDb(deps.db).updateTable("sources").set(changes).where("id", "=", existing.id).execute();
  return toSource({ ...existing, ...changes }, count);
}

/** The source's stored row (its connection string still sealed), by name or id. */
export async function sourceRow(
  deps: Pick<SourceDeps, "db">,
  environmentId: string,
  nameOrId: string,
): Promise<SourcesTable> {
  const row = await embeddedDb(deps.db)
    .selectFrom("sources")
    .selectAll()
    .where("environment_id", "=", environmentId)
    .where((eb) => eb.or([eb("name", "=", nameOrId), eb("id", "=", nameOrId)]))
    .executeTakeFirst();
  if (!row) throw new NotFoundError("Source", nameOrId);
  return row;
}

export async function getSource(
  deps: Pick<SourceDeps, "db">,
  environmentId: string,
  nameOrId: string,
): Promise<Source> {
  const row = await sourceRow(deps, environmentId, nameOrId);
  return toSource(row, await recordCount(deps, row.id));
}

export async function listSources(deps: Pick<SourceDeps, "db">, environmentId: string): Promise<Source[]> {
  const db = embeddedDb(deps.db);
  const rows = await db
    .selectFrom("sources")
    .selectAll()
    .where("environment_id", "=", environmentId)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  return Promise.all(rows.map(async (row) => toSource(row, await recordCount(deps, row.id))));
}

/** Deletes a source and its records; conflict while an embedded sync sends it. */
export async function deleteSource(
  deps: Pick<SourceDeps, "db">,
  environmentId: string,
  nameOrId: string,
): Promise<Source> {
  const source = await getSource(deps, environmentId, nameOrId);
  const db = embeddedDb(deps.db);
  const syncs = await db
    .selectFrom("embedded_syncs")
    .select("id")
    .where("source_id", "=", source.id)
    .execute();
  if (syncs.length > 0) {
    throw new SwitchyardError(
      "conflict",
      `Source "${source.name}" is sent by ${syncs.length} embedded sync(s).`,
      {
        hint: `Delete them first: ${syncs.map((s) => s.id).join(", ")}.`,
      },
    );
  }
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom("source_records").where("source_id", "=", source.id).execute();
    await trx.deleteFrom("sources").where("id", "=", source.id).execute();
  });
  return source;
}

async function recordCount(deps: Pick<SourceDeps, "db">, sourceId: string): Promise<number> {
  const row = await embeddedDb(deps.db)
    .selectFrom("source_records")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("source_id", "=", sourceId)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

function toSource(row: SourcesTable, records: number): Source {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as Source["kind"],
    primary_key: row.primary_key,
    table: row.table_name,
    query: row.query,
    records,
    records_changed_at: row.records_changed_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
