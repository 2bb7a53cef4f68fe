/**
 * Keeps an environment's issues up to date with its runs: each finished run, in the order runs finished,
 * either opens (or adds an occurrence to) the issue of its error's cause, or — when it succeeded — resolves
 * the connection's open issues (per-stream ones only for the streams it read). Connections in
 * `needs_reauth` get an `auth_failed` issue even before a run fails.
 *
 * Applied runs are remembered by a mark per environment (the last run applied, by finished_at then id),
 * moved in the same transaction as the issues it changes, and claimed first: two processes refreshing at
 * once never apply a run twice. Runs are applied only once they are `SETTLE_MS` old, so that a run whose
 * finish is committed just after a later one's is not skipped.
 */

import type { Kysely } from "kysely";
import { sql } from "kysely";
import {
  type Database,
  inTransaction,
  isUniqueViolation,
  listEnvironments,
  newId,
  type Run,
  toRun,
} from "../../store/index.ts";
import { causeOfError, hintOf, type IssueCause, isPerStream, streamNamedIn, titleOf } from "./causes.ts";
import { type IssueDb, issueDb } from "./issue-store.ts";

/** How old a finished run must be before it is applied (see the file's comment). */
export const SETTLE_MS = 2_000;
/** Without a mark yet, runs that finished longer ago than this are history, not issues. */
export const FIRST_LOOKBACK_MS = 30 * 86_400_000;
/** Runs applied per transaction. */
const BATCH = 500;

export interface RefreshOptions {
  now?: Date;
  /** Most batches of runs applied in one call (the rest waits for the next call). */
  maxBatches?: number;
  /** The providers this process knows, to title issues with their display names ("HubSpot"). */
  providers?: Readonly<Record<string, { displayName: string }>>;
}

/** Applies the environment's runs that finished since the last refresh, then the connections' statuses. */
export async function refreshIssues(
  db: Kysely<Database>,
  environmentId: string,
  options: RefreshOptions = {},
): Promise<void> {
  const idb = issueDb(db);
  const now = options.now ?? new Date();
  const nameOf = (provider: string) =>
    (options.providers && Object.hasOwn(options.providers, provider)
      ? options.providers[provider]?.displayName
      : undefined) ?? provider;
  for (let batch = 0; batch < (options.maxBatches ?? 20); batch++) {
    if ((await applyNextRuns(db, environmentId, now, nameOf)) < BATCH) break;
  }
  await openReauthIssues(idb, environmentId, now, nameOf);
}

type RunWithConnection = Run & { provider: string };

/** Applies up to BATCH unapplied runs in one transaction; returns how many there were. */
async function applyNextRuns(
  base: Kysely<Database>,
  environmentId: string,
  now: Date,
  nameOf: (provider: string) => string,
): Promise<number> {
  const db = issueDb(base);
  const mark = await db
    .selectFrom("issue_marks")
    .select(["finished_at", "run_id"])
    .where("environment_id", "=", environmentId)
    .executeTakeFirst();
  const settledBefore = new Date(now.getTime() - SETTLE_MS).toISOString();
  let query = db
    .selectFrom("runs")
    .innerJoin("connections", "connections.id", "runs.connection_id")
    .selectAll("runs")
    .select("connections.provider")
    .where("connections.environment_id", "=", environmentId)
    .where("runs.status", "!=", "running")
    .where("runs.finished_at", "is not", null)
    .where("runs.finished_at", "<=", settledBefore);
  if (mark) {
    query = query.where(
      sql<boolean>`(runs.finished_at > ${mark.finished_at} or (runs.finished_at = ${mark.finished_at} and runs.id > ${mark.run_id}))`,
    );
  } else {
    query = query.where("runs.finished_at", ">=", new Date(now.getTime() - FIRST_LOOKBACK_MS).toISOString());
  }
  const rows = await query.orderBy("runs.finished_at").orderBy("runs.id").limit(BATCH).execute();
  if (rows.length === 0) return 0;
  const runs: RunWithConnection[] = rows.map((row) => ({ ...toRun(row), provider: row.provider }));
  const last = runs[runs.length - 1]!;
  try {
    await inTransaction(base, async (trx) => {
      const tdb = issueDb(trx);
      if (!(await claimMark(tdb, environmentId, mark, { finished_at: last.finishedAt!, run_id: last.id }))) {
        throw new MarkTaken();
      }
      for (const run of runs) await applyRun(tdb, environmentId, run, nameOf(run.provider));
    });
  } catch (error) {
    // Another process applied these runs first (its claim won): nothing left to do for them.
    if (error instanceof MarkTaken || isUniqueViolation(error)) return 0;
    throw error;
  }
  return runs.length;
}

class MarkTaken extends Error {}

/** Moves the mark from `from` (none: no mark yet) to `to`; false if someone else moved it first. */
async function claimMark(
  db: IssueDb,
  environmentId: string,
  from: { finished_at: string; run_id: string } | undefined,
  to: { finished_at: string; run_id: string },
): Promise<boolean> {
  if (!from) {
    await db
      .insertInto("issue_marks")
      .values({ environment_id: environmentId, ...to })
      .execute();
    return true;
  }
  const moved = await db
    .updateTable("issue_marks")
    .set(to)
    .where("environment_id", "=", environmentId)
    .where("finished_at", "=", from.finished_at)
    .where("run_id", "=", from.run_id)
    .executeTakeFirst();
  return Number(moved.numUpdatedRows) === 1;
}

async function applyRun(
  db: IssueDb,
  environmentId: string,
  run: RunWithConnection,
  providerName: string,
): Promise<void> {
  const at = run.finishedAt!;
  if (run.status === "succeeded") {
    await resolveIssues(db, run, at);
    return;
  }
  if (!run.error) return;
  const cause = causeOfError(run.error);
  if (!cause) return;
  const stream = isPerStream(cause) ? await failedStreamOf(db, run) : "";
  await recordOccurrence(db, {
    environmentId,
    connectionId: run.connectionId,
    cause,
    stream,
    title: titleOf(cause, providerName, stream),
    detail: run.error.message,
    hint: hintOf(cause, run.error.hint),
    errorCode: run.error.code,
    at,
    runId: run.id,
  });
}

interface Occurrence {
  environmentId: string;
  connectionId: string;
  cause: IssueCause;
  stream: string;
  title: string;
  detail: string;
  hint: string;
  errorCode: string | null;
  at: string;
  runId: string | null;
}

/**
 * Adds an occurrence to the open issue of (connection, cause, stream), or opens one. A problem that comes
 * back after it was resolved opens a new issue, muted if the last one was: muting outlives resolution.
 */
async function recordOccurrence(db: IssueDb, occurrence: Occurrence): Promise<void> {
  const key = (query: ReturnType<typeof issuesOf>) =>
    query
      .where("connection_id", "=", occurrence.connectionId)
      .where("cause", "=", occurrence.cause)
      .where("stream", "=", occurrence.stream);
  const open = await key(issuesOf(db)).where("status", "=", "open").executeTakeFirst();
  if (open) {
    await db
      .updateTable("issues")
      .set({
        occurrences: Number(open.occurrences) + 1,
        last_seen_at: [occurrence.at, open.last_seen_at].sort()[1]!,
        title: occurrence.title,
        detail: occurrence.detail,
        hint: occurrence.hint,
        error_code: occurrence.errorCode,
        last_run_id: occurrence.runId ?? open.last_run_id,
        updated_at: new Date().toISOString(),
      })
      .where("id", "=", open.id)
      .execute();
    return;
  }
  const previous = await key(issuesOf(db)).orderBy("last_seen_at", "desc").executeTakeFirst();
  await db
    .insertInto("issues")
    .values({
      id: newId("iss"),
      environment_id: occurrence.environmentId,
      connection_id: occurrence.connectionId,
      cause: occurrence.cause,
      stream: occurrence.stream,
      status: "open",
      muted: previous && Number(previous.muted) === 1 ? 1 : 0,
      title: occurrence.title,
      detail: occurrence.detail,
      hint: occurrence.hint,
      error_code: occurrence.errorCode,
      first_seen_at: occurrence.at,
      last_seen_at: occurrence.at,
      occurrences: 1,
      last_run_id: occurrence.runId,
      resolved_at: null,
      resolved_by_run_id: null,
      updated_at: new Date().toISOString(),
    })
    .execute();
}

function issuesOf(db: IssueDb) {
  return db.selectFrom("issues").selectAll();
}

/** Resolves the connection's open issues a successful run shows are over. */
async function resolveIssues(db: IssueDb, run: Run, at: string): Promise<void> {
  const open = await issuesOf(db)
    .where("connection_id", "=", run.connectionId)
    .where("status", "=", "open")
    .execute();
  if (open.length === 0) return;
  // Per-stream issues are over only for the streams this run read.
  const perStream = open.some((issue) => issue.stream !== "");
  const streams = perStream ? await streamsReadBy(db, run) : new Set<string>();
  const over = open.filter((issue) => issue.stream === "" || streams.has(issue.stream));
  if (over.length === 0) return;
  await db
    .updateTable("issues")
    .set({
      status: "resolved",
      resolved_at: at,
      resolved_by_run_id: run.id,
      updated_at: new Date().toISOString(),
    })
    .where(
      "id",
      "in",
      over.map((issue) => issue.id),
    )
    .execute();
}

/** The streams a run read: the ones its first log line ("Run started") names. */
async function streamsReadBy(db: IssueDb, run: Run): Promise<Set<string>> {
  const first = await db
    .selectFrom("run_logs")
    .select("fields")
    .where("run_id", "=", run.id)
    .where("seq", "=", 0)
    .executeTakeFirst();
  const fields = parseJson(first?.fields);
  const streams = fields && Array.isArray(fields.streams) ? fields.streams : [];
  return new Set(streams.filter((name): name is string => typeof name === "string"));
}

/** The stream a failed run failed on: its sync's stream marked failed by it, or the one its error names. */
async function failedStreamOf(db: IssueDb, run: Run): Promise<string> {
  if (run.syncId) {
    const failed = await db
      .selectFrom("sync_streams")
      .select("stream")
      .where("sync_id", "=", run.syncId)
      .where("last_run_id", "=", run.id)
      .where("last_result", "=", "failed")
      .executeTakeFirst();
    if (failed) return failed.stream;
  }
  return (run.error && streamNamedIn(run.error.message)) ?? "";
}

function parseJson(text: string | null | undefined): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === "object" ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Opens an `auth_failed` issue for each connection of the environment in `needs_reauth` that has none open
 * and none seen since the connection last changed.
 */
async function openReauthIssues(
  db: IssueDb,
  environmentId: string,
  now: Date,
  nameOf: (provider: string) => string,
): Promise<void> {
  const connections = await db
    .selectFrom("connections")
    .select(["id", "provider", "last_error", "updated_at"])
    .where("environment_id", "=", environmentId)
    .where("status", "=", "needs_reauth")
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("issues")
            .select("issues.id")
            .whereRef("issues.connection_id", "=", "connections.id")
            .where("issues.cause", "=", "auth_failed")
            .where((inner) =>
              inner.or([
                inner("issues.status", "=", "open"),
                inner("issues.last_seen_at", ">=", inner.ref("connections.updated_at")),
              ]),
            ),
        ),
      ),
    )
    .execute();
  for (const connection of connections) {
    const error = parseJson(connection.last_error) as
      | { code?: string; message?: string; hint?: string }
      | undefined;
    try {
      await recordOccurrence(db, {
        environmentId,
        connectionId: connection.id,
        cause: "auth_failed",
        stream: "",
        title: titleOf("auth_failed", nameOf(connection.provider), ""),
        detail:
          typeof error?.message === "string"
            ? error.message
            : "The connection needs to be authorised again (status `needs_reauth`).",
        hint: hintOf("auth_failed", typeof error?.hint === "string" ? error.hint : null),
        errorCode: typeof error?.code === "string" ? error.code : null,
        at: [connection.updated_at, now.toISOString()].sort()[0]!,
        runId: null,
      });
    } catch (error) {
      // Another process opened it meanwhile (one open issue per connection and cause).
      if (!isUniqueViolation(error)) throw error;
    }
  }
}

/**
 * A refresher of every environment's issues for a background loop (the outbound webhook worker's poll, where
 * finished runs are announced): refreshes at most once per `everyMs` (default 5 s), and reports a failure to
 * `onError` instead of throwing, so a problem with issues never holds up the loop's other work.
 */
export function issuesRefresher(
  db: Kysely<Database>,
  options: { everyMs?: number; onError?: (error: unknown) => void; now?: () => Date } = {},
): () => Promise<void> {
  const everyMs = options.everyMs ?? 5_000;
  let last = Number.NEGATIVE_INFINITY;
  return async () => {
    const now = options.now?.() ?? new Date();
    if (now.getTime() - last < everyMs) return;
    last = now.getTime();
    try {
      for (const environment of await listEnvironments(db)) await refreshIssues(db, environment.id, { now });
    } catch (error) {
      options.onError?.(error);
    }
  };
}
