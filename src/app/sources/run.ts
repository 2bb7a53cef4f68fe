/**
 * One run of an embedded sync: (for a postgres source) read its Postgres into the source's records, then, for
 * each connection the sync covers, a reverse-ETL run (app/reverse-etl/run.ts) of the source's records into
 * the connection's unified model, with that connection's mapping.
 *
 * Guarantees:
 * - Each (sync, connection) pair has its own snapshot and links (keyed partKey), so only the records that
 *   changed since that connection last took them are written there, with every reverse-ETL run's guarantees:
 *   per-row results, failed rows retried next run, a stopped run resumed where it stopped.
 * - One connection's failure (its credentials, its provider down, a run of it still going) is reported for
 *   that connection and does not stop the others.
 * - Memory is bounded: the source's records are read from the store a page at a time, in key order.
 */
import { SwitchyardError } from "../../core/index.ts";
import { canonicalJson } from "../../engine/canonical-json.ts";
import { hashJson } from "../../engine/prepare-records.ts";
import { mappingFor } from "../../flows/embedded/definitions.ts";
import { embeddedDb, readRecordsPage, type SourcesTable } from "../../flows/embedded/store.ts";
import type { FieldMap } from "../../flows/reverse-etl/definitions.ts";
import { mappedValues, valueAt } from "../../flows/reverse-etl/mapping.ts";
import { retlDb } from "../../flows/reverse-etl/store.ts";
import type { ConnectionRow } from "../../store/index.ts";
import { withConnectionHttp } from "../connections/connection-http.ts";
import {
  failureMessage,
  type ReverseEtlRun,
  type RowProducer,
  type RunOptions,
  type RunRowResult,
  readRunRows,
  runSyncOnRows,
  toRun,
} from "../reverse-etl/run.ts";
import type { TargetDeps } from "../reverse-etl/targets.ts";
import { connectionsOf, type EmbeddedSync, getEmbeddedSync, partKey, partsOf } from "./embedded-syncs.ts";
import { type MatchCounts, matchingWriter } from "./match.ts";
import { type ReadResult, readPostgresSource } from "./postgres-read.ts";
import { sourceRow } from "./sources.ts";

export type EmbeddedRunDeps = TargetDeps;

const RECORDS_PAGE = 2_000;

export interface ConnectionRun {
  connection_id: string;
  provider: string;
  end_user_id: string | null;
  /** skipped: the connection is paused, or its provider cannot write the model (`message` says which). */
  status: "succeeded" | "partial" | "failed" | "skipped";
  run: ReverseEtlRun | null;
  message: string | null;
  /**
   * Rows whose record was found at the provider by its natural key (match.ts) and linked instead of created
   * (counted in `run.stats.created` with the rest), and rows failed because two records have their key.
   */
  matched: MatchCounts;
}

export interface EmbeddedRun {
  sync_id: string;
  dry_run: boolean;
  /** partial: some connections (or some of their rows) failed; failed: every connection that ran failed. */
  status: "succeeded" | "partial" | "failed";
  /** A postgres source's read before the writes: rows read, and records created, updated and deleted. */
  source_read: ReadResult | null;
  connections: ConnectionRun[];
  started_at: string;
  finished_at: string;
}

/** A run's options: a dry run diffs every connection and writes nothing (the source is still read). */
export type EmbeddedRunOptions = Pick<RunOptions, "dryRun" | "signal" | "sampleSize" | "concurrency">;

/** Runs the sync once over every connection it covers (see the guarantees above). */
export async function runEmbeddedSync(
  deps: EmbeddedRunDeps,
  environmentId: string,
  syncId: string,
  options: EmbeddedRunOptions = {},
): Promise<EmbeddedRun> {
  const started_at = new Date().toISOString();
  const sync = await getEmbeddedSync(deps, environmentId, syncId);
  const source = await sourceRow(deps, environmentId, sync.source_id);
  const source_read = source.kind === "postgres" ? await readPostgresSource(deps, source) : null;
  const connections: ConnectionRun[] = [];
  for (const connection of await connectionsOf(deps, environmentId, sync.filter)) {
    if (options.signal?.aborted) break;
    connections.push(await runConnection(deps, sync, source, connection, options));
  }
  if (options.signal?.aborted) {
    throw new SwitchyardError("run_aborted", "The embedded sync's run was stopped before it finished.", {
      hint: "Records written so far are in each connection's snapshot; the next run sends the rest.",
    });
  }
  const ran = connections.filter((c) => c.status !== "skipped");
  const status =
    ran.length > 0 && ran.every((c) => c.status === "failed")
      ? "failed"
      : ran.some((c) => c.status !== "succeeded")
        ? "partial"
        : "succeeded";
  return {
    sync_id: sync.id,
    dry_run: options.dryRun ?? false,
    status,
    source_read,
    connections,
    started_at,
    finished_at: new Date().toISOString(),
  };
}

async function runConnection(
  deps: EmbeddedRunDeps,
  sync: EmbeddedSync,
  source: SourcesTable,
  connection: ConnectionRow,
  options: EmbeddedRunOptions,
): Promise<ConnectionRun> {
  const part = {
    connection_id: connection.id,
    provider: connection.provider,
    end_user_id: connection.end_user_id,
  };
  const matched: MatchCounts = { matched: 0, ambiguous: 0 };
  const skipped = (message: string): ConnectionRun => ({
    ...part,
    status: "skipped",
    run: null,
    message,
    matched,
  });
  if (connection.status === "paused") return skipped("The connection is paused.");
  const writer = deps.writers.find(connection.provider, sync.model);
  if (!writer) return skipped(`${connection.provider} cannot write unified ${sync.model} objects yet.`);
  const mapping = mappingFor(sync.mapping, sync.connection_mappings[connection.id]);
  // Creates first look for an existing record with the row's natural key (match.ts).
  const matching = matchingWriter(
    writer,
    sync.mode,
    (use) => withConnectionHttp(deps, connection, use),
    matched,
  );
  try {
    const run = await runSyncOnRows(
      { ...deps, writers: deps.writers.replacing(matching) },
      {
        sync: {
          id: partKey(sync.id, connection.id),
          mode: sync.mode,
          target: { type: "unified", model: sync.model },
          match: { by: "link" },
          mapping,
        },
        connection,
        rows: sourceRows(deps, source, mapping),
        modelName: `source ${source.name}`,
        primaryKey: source.primary_key,
      },
      options,
    );
    const status = run.status === "running" ? "failed" : run.status;
    return { ...part, status, run, message: run.error, matched };
  } catch (error) {
    if (options.signal?.aborted) throw error;
    return { ...part, status: "failed", run: null, message: failureMessage(error), matched };
  }
}

/**
 * The source's records in key order as the rows the diff takes: each mapped field (a dotted path into the
 * record) as a column, hashed over the values this connection's mapping sends.
 */
function sourceRows(deps: EmbeddedRunDeps, source: SourcesTable, mapping: readonly FieldMap[]): RowProducer {
  const db = embeddedDb(deps.db);
  return async (onChunk) => {
    let after: string | undefined;
    for (;;) {
      const page = await readRecordsPage(db, source.id, after, RECORDS_PAGE);
      if (page.length === 0) return;
      after = page[page.length - 1]!.pk;
      await onChunk(
        page.map((record) => {
          const payload = JSON.parse(record.payload) as unknown;
          const row: Record<string, unknown> = {};
          for (const map of mapping) row[map.column] = valueAt(payload, map.column) ?? null;
          return { pk: record.pk, hash: hashJson(canonicalJson({ v: mappedValues(row, mapping) })), row };
        }),
      );
    }
  };
}

export interface EmbeddedPartRun extends ReverseEtlRun {
  connection_id: string;
}

/** The sync's runs over all its connections, newest first. */
export async function listEmbeddedRuns(
  deps: Pick<EmbeddedRunDeps, "db">,
  environmentId: string,
  syncId: string,
  limit = 50,
): Promise<EmbeddedPartRun[]> {
  const sync = await getEmbeddedSync(deps, environmentId, syncId);
  const rows = await retlDb(deps.db)
    .selectFrom("retl_runs")
    .selectAll()
    .where(partsOf(sync.id), "=", partKey(sync.id, ""))
    .orderBy("started_at", "desc")
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    ...toRun(row),
    connection_id: row.sync_id.slice(partKey(sync.id, "").length),
  }));
}

/** One connection run's per-row results, in key order. */
export async function listEmbeddedRunRows(
  deps: Pick<EmbeddedRunDeps, "db">,
  environmentId: string,
  syncId: string,
  runId: string,
  options: { status?: string; limit?: number; afterPk?: string } = {},
): Promise<RunRowResult[]> {
  const sync = await getEmbeddedSync(deps, environmentId, syncId);
  const db = retlDb(deps.db);
  const run = await db
    .selectFrom("retl_runs")
    .select("id")
    .where("id", "=", runId)
    .where(partsOf(sync.id), "=", partKey(sync.id, ""))
    .executeTakeFirst();
  if (!run)
    throw new SwitchyardError("not_found", `Embedded sync ${syncId} has no run "${runId}".`, {
      hint: "GET /v1/embedded-syncs/{id}/runs lists its runs.",
    });
  return readRunRows(db, runId, options);
}
