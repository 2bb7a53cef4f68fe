/**
 * The flows tables (migration 0027) and the queries on them. The tables are typed here, beside the room
 * that owns them, and joined onto the store's Database type with Kysely's `withTables`.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../store/index.ts";
import type { SideName } from "./definitions.ts";
import type { FieldValues, LinkValues } from "./reconcile.ts";

export type FlowsTable = {
  id: string;
  environment_id: string;
  name: string;
  definition: string;
  source: string;
  module: string | null;
  from_connection_id: string;
  to_connection_id: string;
  enabled: number;
  next_run_at: string | null;
  created_at: string;
  updated_at: string;
};

export type FlowRunsTable = {
  id: string;
  flow_id: string;
  trigger: string;
  status: string;
  counts: string;
  error: string | null;
  started_at: string;
  heartbeat_at: string;
  finished_at: string | null;
};

export type FlowRunRowsTable = {
  run_id: string;
  side: string;
  pk: string;
  operation: string;
  status: string;
  remote_id: string | null;
  message: string | null;
  at: string;
};

export type FlowLinksTable = {
  flow_id: string;
  from_pk: string;
  to_pk: string;
  from_values: string;
  to_values: string;
  from_written: string | null;
  to_written: string | null;
  updated_at: string;
};

export type FlowTables = {
  flows: FlowsTable;
  flow_cursors: { flow_id: string; side: string; at: string; pk: string };
  flow_links: FlowLinksTable;
  flow_retries: { flow_id: string; side: string; pk: string; message: string | null; at: string };
  flow_runs: FlowRunsTable;
  flow_run_rows: FlowRunRowsTable;
  flow_event_cursors: { name: string; at: string; event_id: string };
};

export type FlowDb = Kysely<Database & FlowTables>;

export function flowDb(db: Kysely<Database>): FlowDb {
  return db.withTables<FlowTables>();
}

/** A link as the engine uses it. */
export interface Link {
  fromPk: string;
  toPk: string;
  values: LinkValues;
  written: { from: string | null; to: string | null };
  /** When the flow last wrote the link: a cached record older than this was taken into account already. */
  updatedAt: string;
}

function toLink(row: FlowLinksTable): Link {
  return {
    fromPk: row.from_pk,
    toPk: row.to_pk,
    values: {
      from: JSON.parse(row.from_values) as FieldValues,
      to: JSON.parse(row.to_values) as FieldValues,
    },
    written: { from: row.from_written, to: row.to_written },
    updatedAt: row.updated_at,
  };
}

/** The links of these records of one side. */
export async function linksBy(
  db: FlowDb,
  flowId: string,
  side: SideName,
  pks: readonly string[],
): Promise<Map<string, Link>> {
  if (pks.length === 0) return new Map();
  const column = side === "from" ? "from_pk" : "to_pk";
  const rows = await db
    .selectFrom("flow_links")
    .selectAll()
    .where("flow_id", "=", flowId)
    .where(column, "in", [...pks])
    .execute();
  return new Map(rows.map((row) => [row[column], toLink(row)]));
}

export async function saveLink(db: FlowDb, flowId: string, link: Omit<Link, "updatedAt">): Promise<void> {
  const row: FlowLinksTable = {
    flow_id: flowId,
    from_pk: link.fromPk,
    to_pk: link.toPk,
    from_values: JSON.stringify(link.values.from),
    to_values: JSON.stringify(link.values.to),
    from_written: link.written.from,
    to_written: link.written.to,
    updated_at: new Date().toISOString(),
  };
  const { flow_id: _f, from_pk: _p, ...changes } = row;
  await db
    .insertInto("flow_links")
    .values(row)
    .onConflict((c) => c.columns(["flow_id", "from_pk"]).doUpdateSet(changes))
    .execute();
}

/** Forgets a link (its records were deleted): a record of either side is then no longer paired. */
export async function deleteLink(db: FlowDb, flowId: string, link: Pick<Link, "fromPk">): Promise<void> {
  await db
    .deleteFrom("flow_links")
    .where("flow_id", "=", flowId)
    .where("from_pk", "=", link.fromPk)
    .execute();
}

/** Where a side's change feed was read up to (the `[updated_at, pk]` of the last record seen). */
export async function readCursor(
  db: FlowDb,
  flowId: string,
  side: SideName,
): Promise<readonly [string, string] | undefined> {
  const row = await db
    .selectFrom("flow_cursors")
    .select(["at", "pk"])
    .where("flow_id", "=", flowId)
    .where("side", "=", side)
    .executeTakeFirst();
  return row ? [row.at, row.pk] : undefined;
}

export async function saveCursor(
  db: FlowDb,
  flowId: string,
  side: SideName,
  [at, pk]: readonly [string, string],
): Promise<void> {
  await db
    .insertInto("flow_cursors")
    .values({ flow_id: flowId, side, at, pk })
    .onConflict((c) => c.columns(["flow_id", "side"]).doUpdateSet({ at, pk }))
    .execute();
}

export async function retriesOf(db: FlowDb, flowId: string, side: SideName): Promise<string[]> {
  const rows = await db
    .selectFrom("flow_retries")
    .select("pk")
    .where("flow_id", "=", flowId)
    .where("side", "=", side)
    .orderBy("pk")
    .execute();
  return rows.map((row) => row.pk);
}

export async function markRetry(
  db: FlowDb,
  flowId: string,
  side: SideName,
  pk: string,
  message: string,
): Promise<void> {
  const at = new Date().toISOString();
  await db
    .insertInto("flow_retries")
    .values({ flow_id: flowId, side, pk, message, at })
    .onConflict((c) => c.columns(["flow_id", "side", "pk"]).doUpdateSet({ message, at }))
    .execute();
}

export async function clearRetry(db: FlowDb, flowId: string, side: SideName, pk: string): Promise<void> {
  await db
    .deleteFrom("flow_retries")
    .where("flow_id", "=", flowId)
    .where("side", "=", side)
    .where("pk", "=", pk)
    .execute();
}

/** Cached records of a stream by primary key, deleted ones included, with when each last changed. */
export async function cachedRecords(
  db: FlowDb,
  connectionId: string,
  stream: string,
  pks: readonly string[],
): Promise<Map<string, { payload: string; deleted: boolean; updatedAt: string }>> {
  if (pks.length === 0) return new Map();
  const rows = await db
    .selectFrom("records")
    .select(["pk", "payload", "deleted", "updated_at"])
    .where("connection_id", "=", connectionId)
    .where("stream", "=", stream)
    .where("pk", "in", [...pks])
    .execute();
  return new Map(
    rows.map((row) => [
      row.pk,
      { payload: row.payload, deleted: row.deleted === 1, updatedAt: row.updated_at },
    ]),
  );
}

/** Everything a flow owns, for deleting it, in one transaction. */
export async function deleteFlowData(db: FlowDb, flowId: string): Promise<void> {
  await db.transaction().execute((trx) => deleteFlowRows(trx, flowId));
}

/** What deleteFlowData deletes, inside the caller's transaction (a connection's deletion takes its flows). */
export async function deleteFlowRows(trx: FlowDb, flowId: string): Promise<void> {
  const runs = trx.selectFrom("flow_runs").select("id").where("flow_id", "=", flowId);
  await trx.deleteFrom("flow_run_rows").where("run_id", "in", runs).execute();
  await trx.deleteFrom("flow_runs").where("flow_id", "=", flowId).execute();
  for (const table of ["flow_retries", "flow_links", "flow_cursors"] as const)
    await trx.deleteFrom(table).where("flow_id", "=", flowId).execute();
  await trx.deleteFrom("flows").where("id", "=", flowId).execute();
}
