/**
 * Reads a postgres source: its table or query, in the product's own database, into the source's records.
 *
 * Guarantees:
 * - Streamed: the rows come through a server-side cursor, PAGE at a time, so memory holds one page whatever
 *   the table's size.
 * - Read-only: the query runs inside a `READ ONLY` transaction, so a query that writes is refused by Postgres.
 * - Idempotent: a row is stored only when its content hash changed; rows the read did not see are deleted
 *   after a read that finished (a failed read deletes nothing), even while another read of the source runs.
 * - The connection string is opened from the vault only here, and never appears in an error or a log.
 */
import { sql } from "kysely";
import pg from "pg";
import { SwitchyardError } from "../../core/index.ts";
import { embeddedDb, hashesOf, type SourcesTable } from "../../flows/embedded/store.ts";
import { keyOf, recordHash, recordsChanged } from "./records.ts";
import { checkConnectionString, type SourceDeps } from "./sources.ts";

const PAGE = 1_000;
const CONNECT_TIMEOUT_MS = 10_000;

export interface ReadResult {
  read: number;
  created: number;
  updated: number;
  deleted: number;
}

/** The SELECT a source reads: its query, or its whole table. */
function selectOf(source: SourcesTable): string {
  if (source.query !== null) return source.query;
  const table = (source.table_name ?? "")
    .split(".")
    .map((part) => `"${part.replaceAll('"', '""')}"`)
    .join(".");
  return `SELECT * FROM ${table}`;
}

/** Reads the source's Postgres into its records (see the guarantees above). */
export async function readPostgresSource(
  deps: SourceDeps,
  source: SourcesTable,
  now = new Date(),
): Promise<ReadResult> {
  if (source.kind !== "postgres" || source.connection_string === null)
    throw new SwitchyardError("internal", `Source "${source.name}" is not a postgres source.`);
  const connectionString = deps.vault.open(source.connection_string);
  // Checked again at each read: the name may resolve elsewhere now than when the source was saved.
  await checkConnectionString(deps, source.environment_id, connectionString);
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // An error event of an idle client would otherwise crash the process; the awaited calls report it.
  client.on("error", () => undefined);
  const db = embeddedDb(deps.db);
  // Rows a read sees are marked with its start time, and marks only grow, so two reads of one source at once
  // (a scheduled run and one asked for) never delete what the later one saw.
  const mark = now.toISOString();
  const result: ReadResult = { read: 0, created: 0, updated: 0, deleted: 0 };
  try {
    await client.connect();
    await client.query("BEGIN TRANSACTION READ ONLY");
    await client.query(`DECLARE switchyard_source NO SCROLL CURSOR FOR ${selectOf(source)}`);
    for (;;) {
      const { rows } = await client.query<Record<string, unknown>>(`FETCH ${PAGE} FROM switchyard_source`);
      if (rows.length === 0) break;
      await storePage(source, rows, result);
    }
    await client.query("COMMIT");
  } catch (error) {
    if (error instanceof SwitchyardError) throw error;
    throw new SwitchyardError(
      "argument_invalid",
      `Source "${source.name}" could not be read from its Postgres: ${scrub((error as Error).message, connectionString)}.`,
      {
        hint: "Check that the database answers, and that the table or query works in a read-only transaction; fix it with PUT /v1/sources/{name}.",
      },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
  const gone = await db
    .deleteFrom("source_records")
    .where("source_id", "=", source.id)
    .where((eb) => eb.or([eb("read_id", "is", null), eb("read_id", "<", mark)]))
    .executeTakeFirst();
  result.deleted = Number(gone.numDeletedRows);
  if (result.created + result.updated + result.deleted > 0) await recordsChanged(db, source.id, now);
  return result;

  /** One fetched page: changed rows stored, every row marked as seen by this read. */
  async function storePage(
    src: SourcesTable,
    rows: Record<string, unknown>[],
    counts: ReadResult,
  ): Promise<void> {
    const keyed = rows.map((row, index) => {
      const json = JSON.parse(JSON.stringify(row)) as Record<string, unknown>;
      const pk = keyOf(json, src.primary_key);
      if (pk === undefined) {
        throw new SwitchyardError(
          "argument_invalid",
          `Source "${src.name}": row ${counts.read + index + 1} has no value in its primary key "${src.primary_key}".`,
          { hint: "The primary key must be a column of the table or query, never null." },
        );
      }
      return { pk, record: json, hash: recordHash(json) };
    });
    counts.read += rows.length;
    await db.transaction().execute(async (trx) => {
      const stored = await hashesOf(
        trx,
        src.id,
        keyed.map((entry) => entry.pk),
      );
      const seen: string[] = [];
      for (const { pk, record, hash } of keyed) {
        const before = stored.get(pk);
        if (before === hash) {
          seen.push(pk);
          continue;
        }
        if (before === undefined) counts.created++;
        else counts.updated++;
        const payload = JSON.stringify(record);
        await trx
          .insertInto("source_records")
          .values({ source_id: src.id, pk, hash, payload, updated_at: mark, read_id: mark })
          .onConflict((c) =>
            c
              .columns(["source_id", "pk"])
              .doUpdateSet({ hash, payload, updated_at: mark, read_id: latest(mark) }),
          )
          .execute();
      }
      if (seen.length > 0) {
        await trx
          .updateTable("source_records")
          .set({ read_id: mark })
          .where("source_id", "=", src.id)
          .where("pk", "in", seen)
          .where((eb) => eb.or([eb("read_id", "is", null), eb("read_id", "<", mark)]))
          .execute();
      }
    });
  }
}

/** The greater of a row's mark and `mark`: marks only grow. */
function latest(mark: string) {
  return sql<string>`CASE WHEN source_records.read_id IS NULL OR source_records.read_id < ${mark} THEN ${mark} ELSE source_records.read_id END`;
}

/** The error's message without the connection string or its password, should a driver ever echo them. */
function scrub(message: string, connectionString: string): string {
  let out = message.replaceAll(connectionString, "[connection string]");
  try {
    const password = decodeURIComponent(new URL(connectionString).password);
    if (password.length > 0) out = out.replaceAll(password, "[password]");
  } catch {
    // Not a URL: nothing more to take out.
  }
  return out;
}
