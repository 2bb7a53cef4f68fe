/**
 * One run of an app-to-app flow: read what changed on each side since the last run (the records cache's
 * change feed, from the flow's cursor per side), plus the rows that failed last time, decide each record's
 * writes (src/flows/app-to-app/reconcile.ts) and make them through the target's typed actions.
 *
 * Guarantees:
 * - A cursor advances only past records the run handled; a record whose write failed is recorded with the
 *   provider's message, does not stop the others, and is read again by the next run.
 * - The writes of a page of changes are made together (page-writes.ts), through the target's batch actions
 *   where the provider has them.
 * - A linked record deleted on one side is deleted (or archived) on the other through that side's delete
 *   action, and unlinked, when the flow's `on_delete` says so (by default: where the target can delete).
 * - A record the flow wrote does not come back as a change: its link remembers what was written per side
 *   (hash), and a change whose content equals it is skipped as an echo; a cached record older than the
 *   link's last write (a sync has not seen the write yet) counts as what the link says.
 * - One run of a flow at a time; a run whose process died (no heartbeat for a minute) is closed as failed.
 */
import { SwitchyardError } from "../../core/index.ts";
import type { FlowInput, SideName } from "../../flows/app-to-app/definitions.ts";
import { matchesFilter } from "../../flows/app-to-app/filter.ts";
import {
  forwardValues,
  planOneWay,
  planTwoWay,
  readValues,
  type SideRecord,
  valuesHash,
} from "../../flows/app-to-app/reconcile.ts";
import {
  cachedRecords,
  clearRetry,
  type FlowDb,
  type FlowRunsTable,
  flowDb,
  type Link,
  linksBy,
  markRetry,
  readCursor,
  retriesOf,
  saveCursor,
  saveLink,
} from "../../flows/app-to-app/store.ts";
import { toDate } from "../../flows/app-to-app/transforms.ts";
import { valueAt } from "../../flows/reverse-etl/mapping.ts";
import { listRecordChanges, newId, nowIso } from "../../store/index.ts";
import { failureMessage } from "../reverse-etl/run.ts";
import { codeOf } from "./code-flows.ts";
import { type FlowCounts, noCounts, type RunContext, recordRow, type Side, takesDeletes } from "./context.ts";
import { getFlow } from "./flows.ts";
import { type PendingWrite, writePage } from "./page-writes.ts";
import { type FlowDeps, readSide, sideConnection, writeSide } from "./sides.ts";

export type { FlowCounts } from "./context.ts";

export type FlowRunStatus = "running" | "succeeded" | "partial" | "failed";
export type FlowTrigger = "api" | "cli" | "schedule" | "records.changed";

export interface FlowRun {
  id: string;
  flow_id: string;
  trigger: string;
  /** partial: some rows failed; the next run retries them. */
  status: FlowRunStatus;
  counts: FlowCounts;
  error: string | null;
  started_at: string;
  finished_at: string | null;
}

export interface FlowRunOptions {
  trigger?: FlowTrigger;
  /** Stops the run between records; what was written stays written and linked. */
  signal?: AbortSignal;
}

const STALE_AFTER_MS = 60_000;
const PAGE = 200;
/** Errors that fail every row alike: the run stops instead of failing each. */
const RUN_FATAL = new Set(["credentials_rejected", "reauthorization_required", "run_aborted"]);

/** Runs the flow once and returns the finished run; a run that failed says why in `error` (and throws). */
export async function runFlow(
  deps: FlowDeps,
  environmentId: string,
  flowId: string,
  options: FlowRunOptions = {},
): Promise<FlowRun> {
  const flow = await getFlow(deps, environmentId, flowId);
  const code = flow.source === "code" ? await codeOf(flow) : undefined;
  const twoWay = flow.direction === "two_way";
  const fromConnection = await sideConnection(deps, environmentId, flow.from);
  const toConnection = await sideConnection(deps, environmentId, flow.to);
  const fromWrite = twoWay ? writeSide(deps, fromConnection, flow.from) : undefined;
  const toWrite = writeSide(deps, toConnection, flow.to);
  const sides: Record<SideName, Side> = {
    from: {
      name: "from",
      read: readSide(deps, fromConnection, flow.from),
      write: fromWrite,
      updatedAt: flow.from.updated_at,
      takesDeletes: takesDeletes(flow, fromWrite),
    },
    to: {
      name: "to",
      read: twoWay ? readSide(deps, toConnection, flow.to) : undefined,
      write: toWrite,
      updatedAt: flow.to.updated_at,
      takesDeletes: takesDeletes(flow, toWrite),
    },
  };
  const db = flowDb(deps.db);
  await refuseOverlap(db, flow.id);
  const run = await startRun(db, flow.id, options.trigger ?? "api");
  const ctx: RunContext = {
    db,
    store: deps.db,
    flow,
    code,
    rules: flow.mapping,
    sides,
    runId: run.id,
    counts: noCounts(),
    seen: new Set(),
    signal: options.signal,
  };
  try {
    const read = twoWay ? (["from", "to"] as const) : (["from"] as const);
    for (const side of read) await runRetries(ctx, side);
    for (const side of read) await runFeed(ctx, side);
    return await finishRun(db, run, ctx.counts.failed > 0 ? "partial" : "succeeded", ctx.counts, null);
  } catch (error) {
    await finishRun(db, run, "failed", ctx.counts, error instanceof Error ? error.message : String(error));
    throw error;
  }
}

/** Records that failed last time, read again from the cache as they are now (a deleted one: its delete). */
async function runRetries(ctx: RunContext, side: SideName): Promise<void> {
  const pks = await retriesOf(ctx.db, ctx.flow.id, side);
  for (let i = 0; i < pks.length; i += PAGE) {
    const read = ctx.sides[side].read!;
    const records = await cachedRecords(ctx.db, read.connection.id, read.stream, pks.slice(i, i + PAGE));
    const pending: PendingWrite[] = [];
    for (const pk of pks.slice(i, i + PAGE)) {
      const cached = records.get(pk);
      if (!cached) await clearRetry(ctx.db, ctx.flow.id, side, pk);
      else if (cached.deleted) await decideDelete(ctx, { side, pk, retry: true }, pending);
      else await decide(ctx, { side, pk, retry: true }, cached.payload, cached.updatedAt, pending);
    }
    await writePage(ctx, pending);
  }
}

/** What changed on the side since its cursor, page by page; the cursor advances after each page's writes. */
async function runFeed(ctx: RunContext, side: SideName): Promise<void> {
  const read = ctx.sides[side].read!;
  let cursor = await readCursor(ctx.db, ctx.flow.id, side);
  for (;;) {
    const page = await listRecordChanges(ctx.store, read.connection.id, read.stream, {
      ...(cursor ? { after: cursor } : {}),
      limit: PAGE,
    });
    if (page.length === 0) return;
    const pending: PendingWrite[] = [];
    for (const change of page) {
      if (ctx.signal?.aborted) {
        await writePage(ctx, pending);
        throw new SwitchyardError("run_aborted", "The flow run was stopped before it finished.", {
          hint: "What was written is linked; the next run goes on from where this one stopped.",
        });
      }
      const changed = { side, pk: change.pk, retry: false };
      if (change.deleted) await decideDelete(ctx, changed, pending);
      else await decide(ctx, changed, change.payload, change.updatedAt, pending);
      cursor = [change.updatedAt, change.pk];
    }
    await writePage(ctx, pending);
    await saveCursor(ctx.db, ctx.flow.id, side, cursor!);
  }
}

/** A changed record of a side, and whether it is read again because it failed last time. */
interface Changed {
  side: SideName;
  pk: string;
  retry: boolean;
}

/** Whether the run meets this record for the first time (as a change or as the other side of one). */
function firstTime(ctx: RunContext, side: SideName, pk: string): boolean {
  const key = `${side}:${pk}`;
  if (ctx.seen.has(key)) return false;
  ctx.seen.add(key);
  return true;
}

/** A record deleted on `side`: its linked record on the other side is deleted too, when that side takes deletes. */
async function decideDelete(ctx: RunContext, changed: Changed, pending: PendingWrite[]): Promise<void> {
  const { side, pk, retry } = changed;
  if (!firstTime(ctx, side, pk)) return;
  const other: SideName = side === "from" ? "to" : "from";
  const link = (await linksBy(ctx.db, ctx.flow.id, side, [pk])).get(pk);
  // Not linked (never written), or kept (`on_delete: keep`): nothing to do, and the link stays.
  if (!link || !ctx.sides[other].takesDeletes) {
    if (retry) await clearRetry(ctx.db, ctx.flow.id, side, pk);
    return;
  }
  ctx.counts.read++;
  const remoteId = other === "to" ? link.toPk : link.fromPk;
  firstTime(ctx, other, remoteId);
  pending.push({ ...changed, link, change: { remove: other, remoteId } });
}

/** One changed record of a side: its plan, queued for the page's writes; a failure is recorded for a retry. */
async function decide(
  ctx: RunContext,
  changed: Changed,
  payload: string,
  cachedAt: string,
  pending: PendingWrite[],
): Promise<void> {
  const { side, pk, retry } = changed;
  if (!firstTime(ctx, side, pk)) return;
  const record = ctx.sides[side].read!.view(JSON.parse(payload) as Record<string, unknown>, pk);
  if (!record) return;
  ctx.counts.read++;
  try {
    const link = (await linksBy(ctx.db, ctx.flow.id, side, [pk])).get(pk);
    if (link && !retry && cachedAt <= link.updatedAt) {
      ctx.counts.unchanged++;
      return;
    }
    if (link?.written[side] && ctx.flow.direction === "two_way") {
      if (valuesHash(readValues(record, ctx.rules, side)) === link.written[side]) {
        ctx.counts.skipped_echo++;
        await saveLink(ctx.db, ctx.flow.id, { ...link, written: { ...link.written, [side]: null } });
        return;
      }
    }
    const here: SideRecord = { record, changedAt: changedAt(ctx.sides[side], record, cachedAt) };
    if (!link && !passes(ctx, side, record)) {
      ctx.counts.filtered_out++;
      return;
    }
    if (link && side === "from" && ctx.flow.direction === "one_way" && !passes(ctx, side, record)) {
      ctx.counts.filtered_out++;
      return;
    }
    const plan =
      ctx.flow.direction === "two_way"
        ? planTwoWay({
            rules: ctx.rules,
            link: link?.values,
            conflict: ctx.flow.conflict,
            ...(side === "from"
              ? { from: here, to: await counterpart(ctx, "to", link) }
              : { to: here, from: await counterpart(ctx, "from", link) }),
          })
        : planOneWay(
            ctx.code?.mapFunction ? ctx.code.mapFunction(record) : forwardValues(record, ctx.rules),
            link?.values,
          );
    ctx.counts.conflicts += plan.conflicts;
    pending.push({ ...changed, link, change: { plan } });
  } catch (error) {
    if (error instanceof SwitchyardError && RUN_FATAL.has(error.code)) throw error;
    ctx.counts.failed++;
    const message = failureMessage(error);
    await markRetry(ctx.db, ctx.flow.id, side, pk, message);
    await recordRow(ctx, side, pk, "write", "failed", null, message);
  }
}

/** Whether a record not linked yet (or, one way, any source record) passes its side's filter. */
function passes(ctx: RunContext, side: SideName, record: Record<string, unknown>): boolean {
  if (side === "to") return matchesFilter(record, ctx.flow.to_filter);
  if (ctx.code?.filterFunction) return ctx.code.filterFunction(record);
  return matchesFilter(record, ctx.flow.filter);
}

/** The linked record of the other side, when the cache holds a version newer than the link's last write. */
async function counterpart(
  ctx: RunContext,
  side: SideName,
  link: Link | undefined,
): Promise<SideRecord | undefined> {
  if (!link) return undefined;
  const read = ctx.sides[side].read!;
  const pk = side === "from" ? link.fromPk : link.toPk;
  const cached = (await cachedRecords(ctx.db, read.connection.id, read.stream, [pk])).get(pk);
  if (!cached || cached.deleted || cached.updatedAt <= link.updatedAt) return undefined;
  const record = read.view(JSON.parse(cached.payload) as Record<string, unknown>, pk);
  if (!record) return undefined;
  firstTime(ctx, side, pk);
  return { record, changedAt: changedAt(ctx.sides[side], record, cached.updatedAt) };
}

/** When the record changed at the provider (its `updated_at` field), else when the cache saw it change. */
function changedAt(side: Side, record: Record<string, unknown>, cachedAt: string): string {
  const date = side.updatedAt ? toDate(valueAt(record, side.updatedAt)) : undefined;
  return date ? date.toISOString() : cachedAt;
}

async function refuseOverlap(db: FlowDb, flowId: string): Promise<void> {
  const running = await db
    .selectFrom("flow_runs")
    .selectAll()
    .where("flow_id", "=", flowId)
    .where("status", "=", "running")
    .execute();
  const staleBefore = new Date(Date.now() - STALE_AFTER_MS).toISOString();
  for (const run of running) {
    if (run.heartbeat_at > staleBefore)
      throw new SwitchyardError("conflict", `Flow ${flowId} is running already (run ${run.id}).`, {
        hint: "Wait for it to finish; GET /v1/flows/{id}/runs shows it.",
      });
    await db
      .updateTable("flow_runs")
      .set({
        status: "failed",
        error: "The run's process stopped before it finished; the next run went on.",
        finished_at: nowIso(),
      })
      .where("id", "=", run.id)
      .execute();
  }
}

async function startRun(db: FlowDb, flowId: string, trigger: string): Promise<FlowRunsTable> {
  const now = nowIso();
  const row: FlowRunsTable = {
    id: newId("flowrun"),
    flow_id: flowId,
    trigger,
    status: "running",
    counts: "{}",
    error: null,
    started_at: now,
    heartbeat_at: now,
    finished_at: null,
  };
  await db.insertInto("flow_runs").values(row).execute();
  return row;
}

async function finishRun(
  db: FlowDb,
  run: FlowRunsTable,
  status: FlowRunStatus,
  counts: FlowCounts,
  error: string | null,
): Promise<FlowRun> {
  const finished_at = nowIso();
  const stored = JSON.stringify(counts);
  await db
    .updateTable("flow_runs")
    .set({ status, counts: stored, error, finished_at, heartbeat_at: finished_at })
    .where("id", "=", run.id)
    .execute();
  return toRun({ ...run, status, counts: stored, error, finished_at });
}

export function toRun(row: FlowRunsTable): FlowRun {
  return {
    id: row.id,
    flow_id: row.flow_id,
    trigger: row.trigger,
    status: row.status as FlowRunStatus,
    // Runs saved before a count existed (or still running) show it as 0.
    counts: { ...noCounts(), ...(JSON.parse(row.counts) as Partial<FlowCounts>) },
    error: row.error,
    started_at: row.started_at,
    finished_at: row.finished_at,
  };
}

export type { FlowInput };
