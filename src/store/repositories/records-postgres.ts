/**
 * The records cache's batch statements on Postgres: one statement per batch, its keys and values sent as
 * arrays (unnest), each key looked up by its own primary-key probe, and table statistics kept fresh enough
 * for the planner to see that a probe is the cheap way.
 *
 * Why: with `pk IN (…)` and no statistics (a table that grew during its first sync, autovacuum off or
 * behind), the planner guesses that `connection_id = … AND stream = …` matches a handful of rows and scans
 * the whole stream through records_by_change or records_by_last_seen, filtering on `pk`: each chunk of keys
 * then reads every record of the stream, and a sync costs O(n²) (measured: 3.3 s per 512 keys at 174,000
 * records; bench/sync-throughput, docs/benchmarks.md). A LATERAL subquery with LIMIT 1 is never flattened
 * into a hash join, so each key is one probe; which index it probes is still a cost guess, right only with
 * statistics (without any, records_by_change ties with the primary key and scans the stream per key), hence
 * `freshenStatistics`. Upserts go through ON CONFLICT, whose arbiter index is never a planner choice.
 * The arrays are sent in Postgres's binary format (./postgres-binary-params.ts): no escaping of payloads.
 */
import { CompiledQuery, type Kysely, PostgresAdapter, sql } from "kysely";
import type { Database } from "../schema.ts";
import { intArrayParam, textArrayParam } from "./postgres-binary-params.ts";
import type { CachedVersionRow, RecordWrite } from "./records.ts";

export function isPostgres(db: Kysely<Database>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** The cached row of each key, one unique-index probe per key ($3: the keys). */
const cachedOf = (columns: string) => `FROM unnest($3::text[]) AS k(pk)
CROSS JOIN LATERAL (
  SELECT ${columns} FROM records
  WHERE connection_id = $1 AND stream = $2 AND pk = k.pk
  LIMIT 1
) AS r`;

const READ_VERSIONS = `SELECT k.pk, r.hash, r.deleted, r.updated_at
${cachedOf("hash, deleted, updated_at")}`;

/** Changed records: $3..$6 are the keys, hashes, payloads and deleted flags (0/1); $7 the change time. */
const UPSERT = `INSERT INTO records AS t
  (connection_id, stream, pk, hash, payload, deleted, first_seen_at, last_seen_at, updated_at, deleted_at)
SELECT $1, $2, u.pk, u.hash, u.payload, u.deleted, $7, $7, $7, CASE WHEN u.deleted = 1 THEN $7 END
FROM unnest($3::text[], $4::text[], $5::text[], $6::int[]) AS u(pk, hash, payload, deleted)
ON CONFLICT (connection_id, stream, pk) DO UPDATE SET
  hash = EXCLUDED.hash,
  payload = EXCLUDED.payload,
  deleted = EXCLUDED.deleted,
  last_seen_at = EXCLUDED.last_seen_at,
  updated_at = EXCLUDED.updated_at,
  deleted_at = EXCLUDED.deleted_at`;

/**
 * Unchanged records ($3: their keys) seen at $4. An UPDATE joined to the keys would be planned from
 * statistics again; this re-inserts each found row as it is, and ON CONFLICT (always taken: the row is
 * there) moves only its last-seen time. A key with no row is skipped, as the UPDATE would.
 */
const MARK_SEEN = `INSERT INTO records AS t
  (connection_id, stream, pk, hash, payload, deleted, first_seen_at, last_seen_at, updated_at, deleted_at)
SELECT $1, $2, k.pk, r.hash, r.payload, r.deleted, r.first_seen_at, $4, r.updated_at, r.deleted_at
${cachedOf("hash, payload, deleted, first_seen_at, updated_at, deleted_at")}
ON CONFLICT (connection_id, stream, pk) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at`;

/**
 * The columns the cache's queries filter and sort on (its three indexes' columns). ANALYZE of these alone
 * samples the same rows and updates the table's size in pg_class as a full one does, but skips building
 * statistics of the payloads and hashes, which cost ~40% of a full ANALYZE (measured at 100,000 rows of
 * ~600-byte payloads) and which no plan uses. Autovacuum, where it runs, still analyzes every column.
 */
const ANALYZED_COLUMNS = ["connection_id", "stream", "pk", "deleted", "last_seen_at", "updated_at"];

/** Pages (1 MB) a table may grow by beyond twice its size at its last ANALYZE before it is analyzed again. */
const GROWTH_SLACK_PAGES = 128;

/**
 * Runs ANALYZE on `records` when it has no statistics or has more than doubled since its last ANALYZE, so
 * the lookups above probe the primary key whatever autovacuum does; doubling keeps the total cost linear in
 * the table's size. Skipped when a (auto)vacuum holds the table (statistics are then coming), and within a
 * caller's transaction (a webhook's few records), which ANALYZE's lock would outlive the statement in.
 */
async function freshenStatistics(db: Kysely<Database>): Promise<void> {
  if (db.isTransaction) return;
  const { rows } = await sql<{ reltuples: number; relpages: number; pages: string }>`
    SELECT reltuples, relpages, pg_relation_size(oid) / current_setting('block_size')::int AS pages
    FROM pg_class WHERE oid = 'records'::regclass`.execute(db);
  const table = rows[0];
  if (!table) return;
  const pages = Number(table.pages);
  const stale = table.reltuples < 0 ? pages > 0 : pages > 2 * table.relpages + GROWTH_SLACK_PAGES;
  if (!stale) return;
  try {
    await db.transaction().execute(async (trx) => {
      await sql`SET LOCAL lock_timeout = '100ms'`.execute(trx);
      await sql.raw(`ANALYZE records (${ANALYZED_COLUMNS.join(", ")})`).execute(trx);
    });
  } catch (error) {
    // lock_not_available: a vacuum or another worker's ANALYZE has the table; the lookups still work.
    if ((error as { code?: unknown }).code !== "55P03") throw error;
  }
}

/** The version lookup as one statement of per-key probes. */
export async function readVersionRowsPostgres(
  db: Kysely<Database>,
  connectionId: string,
  stream: string,
  pks: readonly string[],
): Promise<CachedVersionRow[]> {
  if (pks.length === 0) return [];
  await freshenStatistics(db);
  const query = CompiledQuery.raw(READ_VERSIONS, [connectionId, stream, textArrayParam(pks)]);
  return (await db.executeQuery<CachedVersionRow>(query)).rows;
}

/** The upserts and last-seen moves of writeRecords, run on `trx` (the caller's transaction). */
export async function writeRecordsPostgres(
  trx: Kysely<Database>,
  connectionId: string,
  stream: string,
  changes: { upserts: readonly RecordWrite[]; seen: readonly string[]; at: string },
): Promise<void> {
  const { upserts, seen, at } = changes;
  if (upserts.length > 0) {
    const parameters = [
      connectionId,
      stream,
      textArrayParam(upserts.map((record) => record.pk)),
      textArrayParam(upserts.map((record) => record.hash)),
      textArrayParam(upserts.map((record) => record.payload)),
      intArrayParam(upserts.map((record) => (record.deleted ? 1 : 0))),
      at,
    ];
    await trx.executeQuery(CompiledQuery.raw(UPSERT, parameters));
  }
  if (seen.length > 0) {
    await trx.executeQuery(CompiledQuery.raw(MARK_SEEN, [connectionId, stream, textArrayParam(seen), at]));
  }
}
