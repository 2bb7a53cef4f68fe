/**
 * The overview of an environment (GET /v1/overview): its connections by provider and status, its runs of
 * the last 24 hours by status, the records its runs changed over time (from the runs' stats, by the time
 * each run finished) and how many issues are open.
 */
import { type Kysely, PostgresAdapter, sql } from "kysely";
import { ArgumentError } from "../../core/index.ts";
import type { Database } from "../../store/index.ts";
import { countOpenIssues, issueDb } from "../issues/issue-store.ts";
import { refreshIssues } from "../issues/refresh-issues.ts";
import { BUCKET_KEY_LENGTH, BUCKET_LIMITS, type BucketUnit, bucketStart, bucketsBetween } from "./buckets.ts";

export interface OverviewQuery {
  /** Start of the records series (default: the bucket unit's default span before now). */
  since?: Date;
  bucket: BucketUnit;
  now?: Date;
  /** The providers this process knows (issues are titled with their display names). */
  providers?: Readonly<Record<string, { displayName: string }>>;
}

export interface RecordsBucket {
  at: string;
  added: number;
  updated: number;
  deleted: number;
  runs: number;
}

export interface Overview {
  generatedAt: string;
  connections: {
    total: number;
    byStatus: Record<string, number>;
    byProvider: { provider: string; total: number; byStatus: Record<string, number> }[];
  };
  runs: { since: string; succeeded: number; failed: number; running: number };
  records: { since: string; until: string; bucket: BucketUnit; series: RecordsBucket[] };
  issues: { open: number; muted: number };
}

/** The span of the records series, checked against the bucket unit's limits (ArgumentError otherwise). */
export function seriesSpan(query: OverviewQuery): { since: Date; until: Date } {
  const until = query.now ?? new Date();
  const limits = BUCKET_LIMITS[query.bucket];
  const since = query.since ?? new Date(until.getTime() - limits.defaultMs);
  if (since.getTime() >= until.getTime()) {
    throw new ArgumentError(
      `\`since\` (${since.toISOString()}) is not in the past.`,
      "Pass an ISO-8601 time before now, or leave `since` out for the default span.",
    );
  }
  if (until.getTime() - since.getTime() > limits.maxMs) {
    const days = limits.maxMs / 86_400_000;
    throw new ArgumentError(
      `\`since\` is more than ${days} days ago, the most ${query.bucket === "hour" ? "hourly" : "daily"} buckets cover.`,
      query.bucket === "hour"
        ? "Use `bucket=day` for longer spans, or a later `since`."
        : `Pass a \`since\` within the last ${days} days.`,
    );
  }
  return { since, until };
}

/** The environment's overview as of `now`; refreshes its issues first so the count is current. */
export async function environmentOverview(
  db: Kysely<Database>,
  environmentId: string,
  query: OverviewQuery,
): Promise<Overview> {
  const { since, until } = seriesSpan(query);
  await refreshIssues(db, environmentId, {
    now: until,
    ...(query.providers ? { providers: query.providers } : {}),
  });
  const runsSince = new Date(until.getTime() - 86_400_000);
  const [connections, runs, series, issues] = await Promise.all([
    connectionCounts(db, environmentId),
    runCounts(db, environmentId, runsSince),
    recordSeries(db, environmentId, since, until, query.bucket),
    countOpenIssues(issueDb(db), environmentId),
  ]);
  return {
    generatedAt: until.toISOString(),
    connections,
    runs: { since: runsSince.toISOString(), ...runs },
    records: {
      since: bucketStart(since, query.bucket).toISOString(),
      until: until.toISOString(),
      bucket: query.bucket,
      series,
    },
    issues,
  };
}

async function connectionCounts(db: Kysely<Database>, environmentId: string) {
  const rows = await db
    .selectFrom("connections")
    .select(["provider", "status", (eb) => eb.fn.countAll<string | number>().as("count")])
    .where("environment_id", "=", environmentId)
    .groupBy(["provider", "status"])
    .orderBy("provider")
    .execute();
  const byStatus: Record<string, number> = {};
  const byProvider = new Map<string, { provider: string; total: number; byStatus: Record<string, number> }>();
  let total = 0;
  for (const row of rows) {
    const count = Number(row.count);
    total += count;
    byStatus[row.status] = (byStatus[row.status] ?? 0) + count;
    const provider = byProvider.get(row.provider) ?? { provider: row.provider, total: 0, byStatus: {} };
    provider.total += count;
    provider.byStatus[row.status] = count;
    byProvider.set(row.provider, provider);
  }
  return { total, byStatus, byProvider: [...byProvider.values()] };
}

/** Runs started since `since`, by status. */
async function runCounts(db: Kysely<Database>, environmentId: string, since: Date) {
  const rows = await db
    .selectFrom("runs")
    .innerJoin("connections", "connections.id", "runs.connection_id")
    .select(["runs.status", (eb) => eb.fn.countAll<string | number>().as("count")])
    .where("connections.environment_id", "=", environmentId)
    .where("runs.started_at", ">=", since.toISOString())
    .groupBy("runs.status")
    .execute();
  const counts = { succeeded: 0, failed: 0, running: 0 };
  for (const row of rows) {
    if (row.status in counts) counts[row.status as keyof typeof counts] = Number(row.count);
  }
  return counts;
}

/** A counter of the runs' JSON stats, as a number, in this dialect's SQL. */
function statOf(db: Kysely<Database>, name: "recordsAdded" | "recordsUpdated" | "recordsDeleted") {
  return db.getExecutor().adapter instanceof PostgresAdapter
    ? sql<number>`coalesce(sum(((runs.stats)::jsonb ->> ${sql.lit(name)})::bigint), 0)`
    : sql<number>`coalesce(sum(json_extract(runs.stats, ${sql.lit(`$.${name}`)})), 0)`;
}

/** Records the environment's finished runs added, updated and deleted, per bucket of when they finished. */
async function recordSeries(
  db: Kysely<Database>,
  environmentId: string,
  since: Date,
  until: Date,
  unit: BucketUnit,
): Promise<RecordsBucket[]> {
  const from = bucketStart(since, unit).toISOString();
  const key = sql<string>`substr(runs.finished_at, 1, ${sql.lit(BUCKET_KEY_LENGTH[unit])})`;
  const rows = await db
    .selectFrom("runs")
    .innerJoin("connections", "connections.id", "runs.connection_id")
    .select([
      key.as("bucket"),
      statOf(db, "recordsAdded").as("added"),
      statOf(db, "recordsUpdated").as("updated"),
      statOf(db, "recordsDeleted").as("deleted"),
      (eb) => eb.fn.countAll<string | number>().as("runs"),
    ])
    .where("connections.environment_id", "=", environmentId)
    .where("runs.finished_at", ">=", from)
    .where("runs.finished_at", "<=", until.toISOString())
    .groupBy(key)
    .execute();
  const byKey = new Map(rows.map((row) => [row.bucket, row]));
  return bucketsBetween(since, until, unit).map((at) => {
    const row = byKey.get(at.slice(0, BUCKET_KEY_LENGTH[unit]));
    return {
      at,
      added: Number(row?.added ?? 0),
      updated: Number(row?.updated ?? 0),
      deleted: Number(row?.deleted ?? 0),
      runs: Number(row?.runs ?? 0),
    };
  });
}
