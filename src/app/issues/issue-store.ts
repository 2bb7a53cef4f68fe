/**
 * The issue tables (migration 0021), typed beside the room that owns them and joined onto the store's
 * Database type with Kysely's `withTables`, and the queries on them.
 */
import type { Kysely, Selectable } from "kysely";
import { NotFoundError } from "../../core/index.ts";
import { type Database, type Page, pageNewestFirst } from "../../store/index.ts";
import type { IssueCause } from "./causes.ts";

export type IssuesTable = {
  id: string;
  environment_id: string;
  connection_id: string;
  cause: string;
  stream: string;
  status: string;
  muted: number;
  title: string;
  detail: string;
  hint: string | null;
  error_code: string | null;
  first_seen_at: string;
  last_seen_at: string;
  occurrences: number;
  last_run_id: string | null;
  resolved_at: string | null;
  resolved_by_run_id: string | null;
  updated_at: string;
};

export type IssueTables = {
  issues: IssuesTable;
  issue_marks: { environment_id: string; finished_at: string; run_id: string };
};

export type IssueDb = Kysely<Database & IssueTables>;

export function issueDb(db: Kysely<Database>): IssueDb {
  return db.withTables<IssueTables>();
}

export type IssueRow = Selectable<IssuesTable>;
export type IssueStatus = "open" | "resolved";

/** An issue with the connection it is about, as the API shows it. */
export interface Issue {
  id: string;
  connectionId: string;
  provider: string;
  endUser: { id: string | null; email: string | null; organization: string | null };
  cause: IssueCause;
  stream: string | null;
  status: IssueStatus;
  muted: boolean;
  title: string;
  detail: string;
  hint: string | null;
  errorCode: string | null;
  firstSeenAt: string;
  lastSeenAt: string;
  occurrences: number;
  lastRunId: string | null;
  resolvedAt: string | null;
  resolvedByRunId: string | null;
}

export interface IssueFilter {
  status?: IssueStatus;
  connectionId?: string;
  cause?: IssueCause;
  muted?: boolean;
  cursor?: string;
  limit: number;
}

function withConnection(db: IssueDb, environmentId: string) {
  return db
    .selectFrom("issues")
    .innerJoin("connections", "connections.id", "issues.connection_id")
    .selectAll("issues")
    .select([
      "connections.provider",
      "connections.end_user_id",
      "connections.end_user_email",
      "connections.end_user_organization",
    ])
    .where("issues.environment_id", "=", environmentId)
    .where("connections.environment_id", "=", environmentId);
}

type JoinedRow = IssueRow & {
  provider: string;
  end_user_id: string | null;
  end_user_email: string | null;
  end_user_organization: string | null;
};

function toIssue(row: JoinedRow): Issue {
  return {
    id: row.id,
    connectionId: row.connection_id,
    provider: row.provider,
    endUser: { id: row.end_user_id, email: row.end_user_email, organization: row.end_user_organization },
    cause: row.cause as IssueCause,
    stream: row.stream === "" ? null : row.stream,
    status: row.status as IssueStatus,
    muted: Number(row.muted) === 1,
    title: row.title,
    detail: row.detail,
    hint: row.hint,
    errorCode: row.error_code,
    firstSeenAt: row.first_seen_at,
    lastSeenAt: row.last_seen_at,
    occurrences: Number(row.occurrences),
    lastRunId: row.last_run_id,
    resolvedAt: row.resolved_at,
    resolvedByRunId: row.resolved_by_run_id,
  };
}

/** Pages through an environment's issues, most recently seen first. */
export async function listIssuesIn(
  db: IssueDb,
  environmentId: string,
  filter: IssueFilter,
): Promise<Page<Issue>> {
  let query = withConnection(db, environmentId);
  if (filter.status) query = query.where("issues.status", "=", filter.status);
  if (filter.connectionId) query = query.where("issues.connection_id", "=", filter.connectionId);
  if (filter.cause) query = query.where("issues.cause", "=", filter.cause);
  if (filter.muted !== undefined) query = query.where("issues.muted", "=", filter.muted ? 1 : 0);
  const page = await pageNewestFirst(query, { at: "issues.last_seen_at", id: "issues.id" }, filter, (row) => [
    row.last_seen_at,
    row.id,
  ]);
  return { items: page.items.map(toIssue), nextCursor: page.nextCursor };
}

/** The issue with this id in this environment, or NotFoundError. */
export async function getIssueIn(db: IssueDb, environmentId: string, id: string): Promise<Issue> {
  const row = await withConnection(db, environmentId).where("issues.id", "=", id).executeTakeFirst();
  if (!row) throw new NotFoundError("Issue", id);
  return toIssue(row);
}

/** Mutes or unmutes an issue of this environment; returns it as it is now (NotFoundError if not there). */
export async function setIssueMuted(
  db: IssueDb,
  environmentId: string,
  id: string,
  muted: boolean,
  at: string,
): Promise<Issue> {
  const result = await db
    .updateTable("issues")
    .set({ muted: muted ? 1 : 0, updated_at: at })
    .where("id", "=", id)
    .where("environment_id", "=", environmentId)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw new NotFoundError("Issue", id);
  return getIssueIn(db, environmentId, id);
}

/** How many issues of the environment are open, unmuted and muted. */
export async function countOpenIssues(
  db: IssueDb,
  environmentId: string,
): Promise<{ open: number; muted: number }> {
  const rows = await db
    .selectFrom("issues")
    .select(["muted", (eb) => eb.fn.countAll<string | number>().as("count")])
    .where("environment_id", "=", environmentId)
    .where("status", "=", "open")
    .groupBy("muted")
    .execute();
  const counts = { open: 0, muted: 0 };
  for (const row of rows) counts[Number(row.muted) === 1 ? "muted" : "open"] += Number(row.count);
  return counts;
}
