/**
 * One run of a reverse-ETL sync: diff the model against the sync's snapshot, then write each added, changed
 * (and, in mirror mode, removed) row through the target.
 *
 * Guarantees:
 * - Only what changed since the last successful write of a row is sent: the snapshot (pk → hash of the sent
 *   values) advances row by row in the store, right after the provider accepted that row's write (for a
 *   warehouse model, those entries sit on top of its snapshot file until the run's end folds them in:
 *   snapshot-file.ts).
 * - A dry run diffs the same way and writes nothing: not to the provider, not to the snapshot (nor folds).
 * - A failed row is recorded with the provider's message, does not stop the others, and, its snapshot entry
 *   unchanged, is sent again by the next run.
 * - A run stopped at any point (abort, crash) leaves every row either written and in the snapshot, or not in
 *   it: the next run sends exactly the rest, each row with its current content. A row's write is keyed by
 *   sync + pk + hash, so nothing already written is written again.
 * - A create whose answer was lost (the process died after the provider answered, or no answer came back)
 *   makes no second record: creates are marked in flight right before they are sent (in-flight.ts), and a
 *   later run looks marked rows up at the provider before creating them again (created-lookup.ts), or the
 *   creates are upserts on the provider's own key (upsert-key.ts, HubSpot contacts by email).
 * - Memory is bounded: a warehouse model is diffed inside the warehouse against its snapshot file
 *   (model-changes.ts, snapshot-file.ts), and other rows stream sorted by key and are merged with the
 *   snapshot page by page (flows/reverse-etl/diff.ts); only changed rows are kept, in the store
 *   (`retl_pending`).
 */
import { SwitchyardError } from "../../core/index.ts";
import { isHolderGone, thisProcess } from "../../engine/run-holder.ts";
import { type Change, ModelKeyError, type ModelRow, SortedDiff } from "../../flows/reverse-etl/diff.ts";
import { buildFields, valueAt } from "../../flows/reverse-etl/mapping.ts";
import {
  advanceSnapshot,
  dropFromSnapshot,
  dropLink,
  linksOf,
  markRemovedFromSnapshot,
  type RetlDb,
  type RetlRunRowsTable,
  type RetlRunsTable,
  readSnapshotPage,
  retlDb,
  saveLink,
} from "../../flows/reverse-etl/store.ts";
import type { RunHolder } from "../../store/index.ts";
import {
  type ConnectionRow,
  connectionIdsIn,
  getConnection,
  listRecords,
  newId,
  nowIso,
} from "../../store/index.ts";
import { ActionRefusedError } from "../actions/errors.ts";
import type { PlatformDeps } from "../platform.ts";
import { isNotFound, isNotSent, isRunFatal, isUnanswered } from "./batch-calls.ts";
import {
  IN_FLIGHT,
  markInFlight,
  runsWithMarks,
  sentByEarlierRuns,
  settleEarlierMarks,
} from "./in-flight.ts";
import { type ChangeSource, type DiffCounts, modelChanges } from "./model-changes.ts";
import { getModel } from "./models.ts";
import { foldSnapshot, snapshotFilePath } from "./snapshot-file.ts";
import { getReverseEtlSync, type ReverseEtlSync } from "./syncs.ts";
import { resolveTarget, type TargetDeps, type WriteTarget } from "./targets.ts";

export type RunDeps = TargetDeps & Pick<PlatformDeps, "warehouse">;

export interface RunOptions {
  dryRun?: boolean;
  /** Stops the run between rows; what was written stays written and in the snapshot. */
  signal?: AbortSignal;
  /** Requests in flight at once (default 4); each still goes through the account's shared budget. */
  concurrency?: number;
  /** Rows per batch request at most (default: the provider's batch maximum). */
  maxBatch?: number;
  /** Sample rows of each kind a dry run shows (default 5). */
  sampleSize?: number;
}

export interface RunStats {
  added: number;
  changed: number;
  removed: number;
  unchanged: number;
  created: number;
  updated: number;
  deleted: number;
  failed: number;
  skipped: number;
}

export interface DiffSamples {
  added: { pk: string; row: Record<string, unknown> }[];
  changed: { pk: string; row: Record<string, unknown> }[];
  removed: { pk: string }[];
}

export type RunStatus = "running" | "succeeded" | "partial" | "failed";

export interface ReverseEtlRun {
  id: string;
  sync_id: string;
  dry_run: boolean;
  /** partial: some rows failed; the next run retries them. */
  status: RunStatus;
  stats: RunStats;
  /** A dry run's sample of the diff. */
  samples?: DiffSamples;
  error: string | null;
  started_at: string;
  finished_at: string | null;
}

const NO_STATS: Readonly<RunStats> = {
  added: 0,
  changed: 0,
  removed: 0,
  unchanged: 0,
  created: 0,
  updated: 0,
  deleted: 0,
  failed: 0,
  skipped: 0,
};

/** A running run whose heartbeat is older than this died with its process. */
const STALE_AFTER_MS = 60_000;
const HEARTBEAT_EVERY_MS = 5_000;
const PENDING_FLUSH = 500;
const WRITE_PAGE = 400;
const SNAPSHOT_PAGE = 5_000;

/** Runs the sync once (or its dry run) and returns the finished run; a run that failed says why in `error`. */
export async function runReverseEtlSync(
  deps: RunDeps,
  environmentId: string,
  syncId: string,
  options: RunOptions = {},
): Promise<ReverseEtlRun> {
  const sync = await getReverseEtlSync(deps, environmentId, syncId);
  const model = await getModel(deps, environmentId, sync.model_id);
  const connection = await getConnection(deps.db, sync.connection_id);
  if (!deps.warehouse) {
    throw new SwitchyardError("not_found", "This Switchyard has no warehouse to read models from.", {
      hint: "Run the server with a DuckDB warehouse (npm start has one).",
    });
  }
  const snapshotFile = snapshotFilePath(deps.warehouse.path, sync.id);
  const changes = modelChanges({
    db: retlDb(deps.db),
    warehouse: deps.warehouse,
    connectionIds: await connectionIdsIn(deps.db, environmentId),
    syncId: sync.id,
    snapshotFile,
    modelSql: model.sql,
    primaryKey: model.primary_key,
    sentColumns: sentColumns(sync),
  });
  return runSyncOnRows(
    deps,
    { sync, connection, changes, snapshotFile, modelName: model.name, primaryKey: model.primary_key },
    options,
  );
}

/**
 * Pushes a model's rows, sorted by key in byte order (diff.ts's compareKeys), a chunk at a time into
 * `onChunk`; each row carries the hash of the values the sync sends.
 */
export type RowProducer = (onChunk: (rows: ModelRow[]) => Promise<void>) => Promise<void>;

/** What a run diffs and writes: a sync's definition, its connection, and where its model's rows come from. */
export interface RunSubject {
  /** `id` keys the snapshot, links and runs; the rest says how rows are written. */
  sync: Pick<ReverseEtlSync, "id" | "mode" | "target" | "match" | "mapping">;
  connection: ConnectionRow;
  /** Where the rows come from, merged here with the snapshot in the store (an embedded source)… */
  rows?: RowProducer;
  /** …or the diff itself, computed where the rows are (a warehouse model, against `snapshotFile`). */
  changes?: ChangeSource;
  /** The snapshot file `changes` reads (snapshot-file.ts): real runs fold their entries into it. */
  snapshotFile?: string;
  /** For messages: the model's name and key column. */
  modelName: string;
  primaryKey: string;
}

/**
 * Runs a sync over rows from anywhere (a warehouse model, an embedded source), with every guarantee above:
 * the snapshot and links under `subject.sync.id`, one run at a time per id, per-row results.
 */
export async function runSyncOnRows(
  deps: TargetDeps,
  subject: RunSubject,
  options: RunOptions = {},
): Promise<ReverseEtlRun> {
  const { sync, connection } = subject;
  const target = resolveTarget(deps, connection, sync.target, {
    signal: options.signal,
    ...(options.maxBatch ? { maxBatch: options.maxBatch } : {}),
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    ...(sync.match.by === "natural_key" ? { upsertKey: sync.match.field } : {}),
  });
  const db = retlDb(deps.db);
  const dryRun = options.dryRun ?? false;
  if (!dryRun) await refuseOverlap(db, sync.id);
  const run = await startRun(db, sync.id, dryRun);
  const stats: RunStats = { ...NO_STATS };
  const beat = heartbeat(db, run.id, stats);
  const fold = async () => {
    if (!dryRun && subject.snapshotFile) await foldSnapshot(db, sync.id, subject.snapshotFile);
  };
  try {
    // What earlier runs wrote goes into the file first, so the diff reads little beside it.
    await fold();
    const samples = await diffIntoPending(db, subject, run.id, stats, {
      dryRun,
      sampleSize: options.sampleSize ?? 5,
      beat,
    });
    if (!dryRun) {
      const dropEntry = subject.snapshotFile ? markRemovedFromSnapshot : dropFromSnapshot;
      await writePending(
        deps,
        db,
        { sync, connection, target, runId: run.id, stats, beat, dropEntry },
        options,
      );
      await fold();
    }
    const status = stats.failed > 0 ? "partial" : "succeeded";
    return await finishRun(db, run, status, stats, null, dryRun ? samples : undefined);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await finishRun(db, run, "failed", stats, message);
    throw error;
  } finally {
    await db.deleteFrom("retl_pending").where("run_id", "=", run.id).execute();
  }
}

/**
 * One run at a time per sync; a run whose process died is closed as failed: at once when that process ran on
 * this host and is gone (a killed CLI), else once its heartbeat is a minute old.
 */
async function refuseOverlap(db: RetlDb, syncId: string): Promise<void> {
  const running = await db
    .selectFrom("retl_runs")
    .selectAll()
    .where("sync_id", "=", syncId)
    .where("status", "=", "running")
    .where("dry_run", "=", 0)
    .execute();
  const staleBefore = new Date(Date.now() - STALE_AFTER_MS).toISOString();
  for (const run of running) {
    const holder = run.holder === null ? undefined : (JSON.parse(run.holder) as RunHolder);
    const gone = holder !== undefined && isHolderGone(holder);
    if (!gone && run.heartbeat_at > staleBefore) {
      throw new SwitchyardError(
        "conflict",
        `Reverse-ETL sync ${syncId} is running already (run ${run.id}).`,
        {
          hint: "Wait for it to finish; GET /v1/reverse-etl/syncs/{id}/runs shows it.",
        },
      );
    }
    await db
      .updateTable("retl_runs")
      .set({
        status: "failed",
        error: "The run's process stopped before it finished; the next run resumed its work.",
        finished_at: nowIso(),
      })
      .where("id", "=", run.id)
      .execute();
    await db.deleteFrom("retl_pending").where("run_id", "=", run.id).execute();
  }
}

async function startRun(db: RetlDb, syncId: string, dryRun: boolean): Promise<RetlRunsTable> {
  const now = nowIso();
  const row: RetlRunsTable = {
    id: newId("retlrun"),
    sync_id: syncId,
    dry_run: dryRun ? 1 : 0,
    status: "running",
    stats: "{}",
    error: null,
    started_at: now,
    heartbeat_at: now,
    finished_at: null,
    holder: JSON.stringify(thisProcess()),
  };
  await db.insertInto("retl_runs").values(row).execute();
  return row;
}

/** Moves the run's heartbeat (and its stats so far) forward, at most every few seconds. */
function heartbeat(db: RetlDb, runId: string, stats: RunStats): () => Promise<void> {
  let last = Date.now();
  return async () => {
    if (Date.now() - last < HEARTBEAT_EVERY_MS) return;
    last = Date.now();
    await db
      .updateTable("retl_runs")
      .set({ heartbeat_at: nowIso(), stats: JSON.stringify(stats) })
      .where("id", "=", runId)
      .execute();
  };
}

async function finishRun(
  db: RetlDb,
  run: RetlRunsTable,
  status: RunStatus,
  stats: RunStats,
  error: string | null,
  samples?: DiffSamples,
): Promise<ReverseEtlRun> {
  const finished_at = nowIso();
  const stored = JSON.stringify(samples ? { ...stats, samples } : stats);
  await db
    .updateTable("retl_runs")
    .set({ status, stats: stored, error, finished_at, heartbeat_at: finished_at })
    .where("id", "=", run.id)
    .execute();
  return toRun({ ...run, status, stats: stored, error, finished_at });
}

/**
 * Diffs the rows against the snapshot and keeps the changes in `retl_pending` (a dry run keeps only a
 * sample). Counts go into `stats`.
 */
async function diffIntoPending(
  db: RetlDb,
  subject: RunSubject,
  runId: string,
  stats: RunStats,
  options: { dryRun: boolean; sampleSize: number; beat: () => Promise<void> },
): Promise<DiffSamples> {
  const samples: DiffSamples = { added: [], changed: [], removed: [] };
  let buffer: { run_id: string; pk: string; change: string; hash: string | null; row: string | null }[] = [];
  const flush = async () => {
    if (buffer.length === 0) return;
    const rows = buffer;
    buffer = [];
    await db.insertInto("retl_pending").values(rows).execute();
  };
  const emit = async (change: Change) => {
    if (options.dryRun) {
      const list = samples[change.kind] as unknown[];
      if (list.length < options.sampleSize)
        list.push(change.kind === "removed" ? { pk: change.pk } : { pk: change.pk, row: change.row });
      return;
    }
    buffer.push({
      run_id: runId,
      pk: change.pk,
      change: change.kind,
      hash: change.kind === "removed" ? null : change.hash,
      row: change.kind === "removed" ? null : JSON.stringify(change.row),
    });
    if (buffer.length >= PENDING_FLUSH) await flush();
  };
  const changes = subject.changes ?? sortedChanges(db, subject.sync.id, subject.rows);
  let counts: DiffCounts;
  try {
    counts = await changes(emit, options.beat);
    await flush();
  } catch (error) {
    if (error instanceof ModelKeyError) {
      throw new SwitchyardError(
        "argument_invalid",
        `Model "${subject.modelName}" cannot be diffed: ${error.message}.`,
        {
          hint: `Its primary key "${subject.primaryKey}" must be unique and never null; fix the model's SQL.`,
        },
      );
    }
    throw error;
  }
  Object.assign(stats, counts);
  return samples;
}

/** Rows sorted by key merged with the snapshot in the store, page by page (diff.ts). */
function sortedChanges(db: RetlDb, syncId: string, rows: RowProducer | undefined): ChangeSource {
  if (!rows) throw new Error("A run needs its subject's rows or changes.");
  return async (emit, onProgress) => {
    const diff = new SortedDiff((after) => readSnapshotPage(db, syncId, after, SNAPSHOT_PAGE), emit);
    await rows(async (chunk) => {
      await diff.push(chunk);
      await onProgress();
    });
    await diff.finish();
    return diff.counts;
  };
}

/** The columns whose values the sync sends (mapped, and the match column): what a row's hash covers. */
export function sentColumns(sync: Pick<ReverseEtlSync, "mapping" | "match">): string[] {
  const columns = sync.mapping.map((map) => map.column);
  if (sync.match.by !== "link") columns.push(sync.match.column);
  return [...new Set(columns)];
}

interface WriteContext {
  sync: RunSubject["sync"];
  connection: ConnectionRow;
  target: WriteTarget;
  runId: string;
  stats: RunStats;
  beat: () => Promise<void>;
  /** Takes a row out of the snapshot: deleted, or marked removed when a snapshot file holds it. */
  dropEntry: (db: RetlDb, syncId: string, pk: string) => Promise<void>;
  /** The earlier runs holding creates in flight (in-flight.ts), read at the first page with creates. */
  markedRuns?: Promise<string[]>;
}

interface PendingRow {
  pk: string;
  change: string;
  hash: string | null;
  row: Record<string, unknown> | null;
}

/** Writes the run's pending rows page by page, each page through the target's batches; stops between pages when aborted. */
async function writePending(
  deps: TargetDeps,
  db: RetlDb,
  ctx: WriteContext,
  options: RunOptions,
): Promise<void> {
  let after: string | undefined;
  for (;;) {
    let query = db.selectFrom("retl_pending").selectAll().where("run_id", "=", ctx.runId);
    if (after !== undefined) query = query.where("pk", ">", after);
    const page = await query.orderBy("pk").limit(WRITE_PAGE).execute();
    if (page.length === 0) return;
    after = page[page.length - 1]!.pk;
    const rows: PendingRow[] = page.map((p) => ({
      pk: p.pk,
      change: p.change,
      hash: p.hash,
      row: p.row === null ? null : (JSON.parse(p.row) as Record<string, unknown>),
    }));
    const links = await linksOf(
      db,
      ctx.sync.id,
      rows.map((r) => r.pk),
    );
    const natural = await naturalMatches(deps, ctx, rows, links);
    await writePage(db, ctx, planPage(ctx.sync, rows, links, natural, ctx.target.cannotDelete));
    await ctx.beat();
    if (options.signal?.aborted) break;
  }
  throw new SwitchyardError("run_aborted", "The reverse-ETL run was stopped before it finished.", {
    hint: "Rows written so far are in the snapshot; the next run sends the rest.",
  });
}

/** What a page's rows need: writes by kind, and rows settled without a write (skipped, untracked). */
interface PagePlan {
  creates: { pk: string; hash: string; fields: Record<string, unknown> }[];
  /** `found`: the record an earlier run's lost create made (checkEarlierCreates). */
  updates: {
    pk: string;
    hash: string;
    fields: Record<string, unknown>;
    remoteId: string;
    linked: boolean;
    found?: boolean;
  }[];
  deletes: { pk: string; remoteId: string }[];
  /** Left the model and not deleted (not mirror mode, or nothing linked): dropped from the snapshot. */
  untracked: { pk: string; skipped?: string }[];
  /** Not written, as the mode says; `link` also counts the row as sent (insert mode's existing record). */
  skipped: { pk: string; operation: string; reason: string; link?: { remoteId: string; hash: string } }[];
}

/** Decides each row's write as the mode says, from its link, external id or natural-key match. */
function planPage(
  sync: RunSubject["sync"],
  rows: readonly PendingRow[],
  links: ReadonlyMap<string, string>,
  natural: ReadonlyMap<string, string>,
  cannotDelete: string | undefined,
): PagePlan {
  const plan: PagePlan = { creates: [], updates: [], deletes: [], untracked: [], skipped: [] };
  for (const row of rows) {
    const linked = links.get(row.pk);
    if (row.change === "removed") {
      // Left the model: only mirror deletes its record; otherwise the provider keeps it, untracked.
      if (sync.mode !== "mirror") plan.untracked.push({ pk: row.pk });
      else if (linked === undefined)
        plan.untracked.push({ pk: row.pk, skipped: "Left the model, but no record is linked to it." });
      // Only an embedded sync gets here (a sync is refused mirror when its target cannot delete).
      else if (cannotDelete)
        plan.untracked.push({ pk: row.pk, skipped: `Left the model, but ${cannotDelete}.` });
      else plan.deletes.push({ pk: row.pk, remoteId: linked });
      continue;
    }
    const values = row.row ?? {};
    const external = sync.match.by === "external_id" ? values[sync.match.column] : undefined;
    const remoteId =
      linked ??
      (external === null || external === undefined || external === "" ? undefined : String(external)) ??
      natural.get(row.pk);
    const hash = row.hash!;
    const fields = buildFields(values, sync.mapping);
    if (remoteId === undefined && sync.mode === "update") {
      plan.skipped.push({
        pk: row.pk,
        operation: "update",
        reason: "No record at the provider matches this row (update-only mode creates none).",
      });
    } else if (remoteId !== undefined && sync.mode === "insert") {
      plan.skipped.push({
        pk: row.pk,
        operation: "update",
        reason: "A record exists already (insert-only mode changes none).",
        link: { remoteId, hash },
      });
    } else if (remoteId === undefined) {
      plan.creates.push({ pk: row.pk, hash, fields });
    } else {
      plan.updates.push({ pk: row.pk, hash, fields, remoteId, linked: remoteId === linked });
    }
  }
  return plan;
}

/**
 * Writes a page's plan through the target's batches and records each row's result; a row the provider
 * accepted gets its link and snapshot entry in the same transaction as its result. A linked record deleted
 * at the provider is created again (upsert and mirror).
 */
async function writePage(db: RetlDb, ctx: WriteContext, plan: PagePlan): Promise<void> {
  const { sync, target, stats, runId } = ctx;
  await checkEarlierCreates(db, ctx, plan);
  await db.transaction().execute(async (trx) => {
    for (const row of plan.untracked) {
      await ctx.dropEntry(trx, sync.id, row.pk);
      if (row.skipped) {
        await recordRow(trx, runId, row.pk, "delete", "skipped", null, row.skipped);
        stats.skipped++;
      }
    }
    for (const row of plan.skipped) {
      if (row.link) {
        // Insert-only: an existing record is left as it is; the row counts as sent.
        await saveLink(trx, sync.id, row.pk, row.link.remoteId);
        await advanceSnapshot(trx, sync.id, row.pk, row.link.hash);
      }
      await recordRow(trx, runId, row.pk, row.operation, "skipped", row.link?.remoteId ?? null, row.reason);
      stats.skipped++;
    }
  });

  const creates = [...plan.creates];
  if (plan.updates.length > 0) {
    const results = await target.updateMany(plan.updates);
    await db.transaction().execute(async (trx) => {
      for (const [index, row] of plan.updates.entries()) {
        const result = results[index]!;
        if (result.ok) {
          if (!row.linked) await saveLink(trx, sync.id, row.pk, row.remoteId);
          // Linked now: the earlier runs' marks are settled with it (not before: a failed update keeps them).
          if (row.found)
            await settleEarlierMarks(
              trx,
              (await ctx.markedRuns) ?? [],
              runId,
              new Map([[row.pk, `found its record ${row.remoteId} and linked it`]]),
            );
          await advanceSnapshot(trx, sync.id, row.pk, row.hash);
          await recordRow(trx, runId, row.pk, "update", "succeeded", row.remoteId, null);
          stats.updated++;
        } else if (isNotSent(result.error)) {
          // Stopped before it was sent: the next run sends it.
        } else if (isNotFound(result.error) && row.linked && sync.mode !== "update") {
          creates.push(row);
        } else {
          await recordFailure(trx, ctx, row.pk, "update", row.remoteId, result.error);
        }
      }
    });
  }
  if (creates.length > 0) {
    // Each request's rows are marked right before it is sent, so that a crash before their answers are
    // recorded leaves them to be looked up; rows never sent carry no mark.
    const checked = await checksCreates(target);
    const results = await target.createMany(
      creates.map((row) => row.fields),
      checked
        ? {
            beforeSend: async (indexes) => {
              await markInFlight(
                db,
                runId,
                indexes.map((index) => creates[index]!.pk),
              );
            },
          }
        : {},
    );
    await db.transaction().execute(async (trx) => {
      for (const [index, row] of creates.entries()) {
        const result = results[index]!;
        if (result.ok) {
          await saveLink(trx, sync.id, row.pk, result.remoteId);
          await advanceSnapshot(trx, sync.id, row.pk, row.hash);
          await recordRow(trx, runId, row.pk, "create", "succeeded", result.remoteId, null);
          stats.created++;
        } else if (checked && isUnanswered(result.error)) {
          // Sent, and no answer: the record may exist. Counted failed, and left in flight to be looked up.
          stats.failed++;
          const why = `Sent, and no usable answer came back (${failureMessage(result.error)}); the next run looks its record up before creating it again.`;
          await recordRow(trx, runId, row.pk, "create", IN_FLIGHT, null, why);
        } else if (!isNotSent(result.error)) {
          await recordFailure(trx, ctx, row.pk, "create", null, result.error);
        }
      }
    });
  }
  if (plan.deletes.length > 0) {
    const results = await target.deleteMany(plan.deletes.map((row) => row.remoteId));
    await db.transaction().execute(async (trx) => {
      for (const [index, row] of plan.deletes.entries()) {
        const result = results[index]!;
        // Gone at the provider already (deleted there): what mirror wanted.
        if (result.ok || isNotFound(result.error)) {
          await dropLink(trx, sync.id, row.pk);
          await ctx.dropEntry(trx, sync.id, row.pk);
          await recordRow(trx, runId, row.pk, "delete", "succeeded", row.remoteId, null);
          stats.deleted++;
        } else if (!isNotSent(result.error)) {
          await recordFailure(trx, ctx, row.pk, "delete", row.remoteId, result.error);
        }
      }
    });
  }
}

/** Whether the target's creates are marked and looked up after a crash: it can, and they are not upserts. */
async function checksCreates(target: WriteTarget): Promise<boolean> {
  return target.checkCreated !== undefined && !(await target.idempotentCreates?.());
}

/**
 * Creates an earlier run sent without recording the answer (in-flight.ts) are looked up at the provider
 * before being sent again: a record found is linked and updated with the row's current values instead of
 * created a second time; a key two records hold, or a create with no key to look up by, fails the row with
 * why (it stays marked, so it is checked again, never created blind). Rows never sent are not looked up.
 */
async function checkEarlierCreates(db: RetlDb, ctx: WriteContext, plan: PagePlan): Promise<void> {
  const { sync, target, runId } = ctx;
  if (plan.creates.length === 0 || !(await checksCreates(target))) return;
  ctx.markedRuns ??= runsWithMarks(db, sync.id, runId);
  const earlier = await sentByEarlierRuns(
    db,
    await ctx.markedRuns,
    plan.creates.map((row) => row.pk),
  );
  if (earlier.size === 0) return;
  const sent = plan.creates.filter((row) => earlier.has(row.pk));
  plan.creates = plan.creates.filter((row) => !earlier.has(row.pk));
  const keyField = sync.match.by === "natural_key" ? sync.match.field : undefined;
  let checks: Awaited<ReturnType<NonNullable<WriteTarget["checkCreated"]>>>;
  try {
    checks = await target.checkCreated!(
      sent.map((row) => row.fields),
      keyField,
    );
  } catch (error) {
    if (isRunFatal(error)) throw error;
    const why = `An earlier run sent this row's create and lost the answer; looking its record up failed (${failureMessage(error)}), so it was not created again. The next run looks it up again.`;
    for (const row of sent) await recordFailure(db, ctx, row.pk, "create", null, new Error(why));
    return;
  }
  const settled = new Map<string, string>();
  for (const [index, row] of sent.entries()) {
    const check = checks[index]!;
    const lost = "An earlier run sent this row's create and lost the answer";
    if ("found" in check) {
      plan.updates.push({ ...row, remoteId: check.found, linked: false, found: true });
    } else if ("absent" in check) {
      plan.creates.push(row);
      settled.set(row.pk, "found no record and created it");
    } else if ("ambiguous" in check) {
      const why = `${lost}; ${check.ambiguous.length} records match ${check.key} (${check.ambiguous.join(", ")}), so it was neither linked nor created again. Merge or delete the extra ones at the provider; the next run looks it up again.`;
      await recordFailure(db, ctx, row.pk, "create", null, new Error(why));
    } else {
      const why = `${lost}, and its record cannot be looked up: ${check.unchecked}. Not created again, to avoid a duplicate.`;
      await recordFailure(db, ctx, row.pk, "create", null, new Error(why));
    }
  }
  await settleEarlierMarks(db, (await ctx.markedRuns) ?? [], runId, settled);
}

/** The provider answered 404: the record is not there (any more). */
/** A refused row: counted and recorded with the provider's message; its snapshot entry stays, so the next run sends it again. */
async function recordFailure(
  db: RetlDb,
  ctx: WriteContext,
  pk: string,
  operation: string,
  remoteId: string | null,
  error: unknown,
): Promise<void> {
  ctx.stats.failed++;
  await recordRow(db, ctx.runId, pk, operation, "failed", remoteId, failureMessage(error));
}

/** The provider's own words for a refused write, else the typed error's message. */
export function failureMessage(error: unknown): string {
  if (error instanceof ActionRefusedError) return `HTTP ${error.providerStatus}: ${error.providerMessage}`;
  if (error instanceof SwitchyardError) return error.hint ? `${error.message} ${error.hint}` : error.message;
  return error instanceof Error ? error.message : String(error);
}

async function recordRow(
  db: RetlDb,
  runId: string,
  pk: string,
  operation: string,
  status: string,
  remoteId: string | null,
  message: string | null,
): Promise<void> {
  const row = {
    run_id: runId,
    pk,
    operation,
    status,
    remote_id: remoteId,
    message: message?.slice(0, 2000) ?? null,
    at: nowIso(),
  };
  await db
    .insertInto("retl_run_rows")
    .values(row)
    .onConflict((c) =>
      c
        .columns(["run_id", "pk"])
        .doUpdateSet({ operation, status, remote_id: remoteId, message: row.message, at: row.at }),
    )
    .execute();
}

/**
 * The provider's ids of unlinked rows whose natural key (an email…) equals a field of a record the
 * connection's syncs cached. Looked up only for rows without a link, so mostly on a sync's first run.
 */
async function naturalMatches(
  deps: TargetDeps,
  ctx: WriteContext,
  rows: readonly PendingRow[],
  links: ReadonlyMap<string, string>,
): Promise<Map<string, string>> {
  const match = ctx.sync.match;
  const found = new Map<string, string>();
  if (match.by !== "natural_key") return found;
  const wanted = new Map<string, string[]>();
  for (const row of rows) {
    if (row.row === null || links.has(row.pk)) continue;
    const value = row.row[match.column];
    if (value === null || value === undefined || value === "") continue;
    const key = String(value).trim().toLowerCase();
    wanted.set(key, [...(wanted.get(key) ?? []), row.pk]);
  }
  if (wanted.size === 0) return found;
  const stream = match.stream ?? ctx.target.stream!;
  let afterPk: string | undefined;
  for (;;) {
    const page = await listRecords(deps.db, ctx.connection.id, stream, {
      limit: 1000,
      ...(afterPk ? { afterPk } : {}),
    });
    if (page.length === 0) return found;
    afterPk = page[page.length - 1]!.pk;
    for (const record of page) {
      const value = valueAt(JSON.parse(record.payload), match.field);
      if (value === null || value === undefined) continue;
      for (const pk of wanted.get(String(value).trim().toLowerCase()) ?? []) found.set(pk, record.pk);
    }
  }
}

export async function listReverseEtlRuns(
  deps: Pick<RunDeps, "db">,
  environmentId: string,
  syncId: string,
  limit = 50,
): Promise<ReverseEtlRun[]> {
  const sync = await getReverseEtlSync(deps, environmentId, syncId);
  const rows = await retlDb(deps.db)
    .selectFrom("retl_runs")
    .selectAll()
    .where("sync_id", "=", sync.id)
    .orderBy("started_at", "desc")
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
  return rows.map(toRun);
}

/** One row's result in a run: its stored row without the run id. */
export type RunRowResult = Omit<RetlRunRowsTable, "run_id">;

/** A run's per-row results (optionally only one status), in key order. */
export async function listRunRows(
  deps: Pick<RunDeps, "db">,
  environmentId: string,
  syncId: string,
  runId: string,
  options: { status?: string; limit?: number; afterPk?: string } = {},
): Promise<RunRowResult[]> {
  const sync = await getReverseEtlSync(deps, environmentId, syncId);
  const db = retlDb(deps.db);
  const run = await db
    .selectFrom("retl_runs")
    .select("id")
    .where("id", "=", runId)
    .where("sync_id", "=", sync.id)
    .executeTakeFirst();
  if (!run)
    throw new SwitchyardError("not_found", `Sync ${syncId} has no run "${runId}".`, {
      hint: "GET /v1/reverse-etl/syncs/{id}/runs lists its runs.",
    });
  return readRunRows(db, runId, options);
}

/** A run's per-row results (optionally only one status), in key order, whichever sync it ran for. */
export async function readRunRows(
  db: RetlDb,
  runId: string,
  options: { status?: string; limit?: number; afterPk?: string },
): Promise<RunRowResult[]> {
  let query = db
    .selectFrom("retl_run_rows")
    .select(["pk", "operation", "status", "remote_id", "message", "at"])
    .where("run_id", "=", runId);
  if (options.status) query = query.where("status", "=", options.status);
  if (options.afterPk) query = query.where("pk", ">", options.afterPk);
  return query
    .orderBy("pk")
    .limit(options.limit ?? 100)
    .execute();
}

export function toRun(row: RetlRunsTable): ReverseEtlRun {
  const { samples, ...stats } = JSON.parse(row.stats) as RunStats & { samples?: DiffSamples };
  return {
    id: row.id,
    sync_id: row.sync_id,
    dry_run: row.dry_run === 1,
    status: row.status as RunStatus,
    // A run that just started has counted nothing yet.
    stats: { ...NO_STATS, ...stats },
    ...(samples ? { samples } : {}),
    error: row.error,
    started_at: row.started_at,
    finished_at: row.finished_at,
  };
}
