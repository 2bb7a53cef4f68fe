/**
 * Issues of the caller's environment, as Merge's "Issues" page shows them: ongoing problems of a connection,
 * one per connection and cause (and stream, for per-stream causes), opened by failed runs and by a
 * connection needing re-authorisation, resolved by a later successful run; mutable. Each read first applies
 * the runs finished since the last one (src/app/issues/refresh-issues.ts).
 */
import { z } from "zod";
import { ISSUE_CAUSES, titleOf } from "../../app/issues/causes.ts";
import {
  getIssueIn,
  type Issue,
  issueDb,
  listIssuesIn,
  setIssueMuted,
} from "../../app/issues/issue-store.ts";
import { refreshIssues } from "../../app/issues/refresh-issues.ts";
import { defineRoute, type HandlerContext } from "../route.ts";
import { idParams, pageOf, pageQuery, timestamp } from "../schemas.ts";

export const issueCause = z
  .enum(ISSUE_CAUSES)
  .describe(
    "`auth_failed`: the provider refused the credentials, or the connection needs re-authorising; " +
      "`rate_limited`: retries ran out on 429s; `provider_down`: on 5xx or network errors; " +
      "`schema_change`: the provider sent data the stream cannot use (per stream); `other`: anything else.",
  );
const issueStatus = z.enum(["open", "resolved"]);

export const issueSchema = z
  .object({
    id: z.string(),
    connection_id: z.string(),
    provider: z.string(),
    end_user: z.object({
      id: z.string().nullable(),
      email: z.string().nullable(),
      organization: z.string().nullable(),
    }),
    cause: issueCause,
    stream: z
      .string()
      .nullable()
      .describe("The stream a per-stream issue is about; null for the connection."),
    title: z.string(),
    detail: z.string().describe("The last occurrence's error message."),
    hint: z.string().nullable().describe("What to do about it."),
    error_code: z.string().nullable().describe("The last occurrence's error code (`credentials_rejected`…)."),
    first_seen_at: timestamp,
    last_seen_at: timestamp,
    occurrences: z.number().int().describe("Failed runs (or status changes) that showed the problem."),
    status: issueStatus,
    muted: z.boolean().describe("Muted issues are left out of the default list and the open count."),
    resolved_at: timestamp.nullable(),
    last_run_id: z.string().nullable().describe("The last failed run that showed the problem."),
    resolved_by_run_id: z.string().nullable().describe("The successful run that resolved it."),
  })
  .meta({ id: "Issue" });

/**
 * The API view of an issue. Its title names the provider by the display name this process knows ("HubSpot"),
 * whichever process wrote it (a background refresh may know providers by name only).
 */
export function issueView(
  issue: Issue,
  providers: Readonly<Record<string, { displayName: string }>>,
): z.input<typeof issueSchema> {
  const provider = Object.hasOwn(providers, issue.provider) ? providers[issue.provider] : undefined;
  return {
    id: issue.id,
    connection_id: issue.connectionId,
    provider: issue.provider,
    end_user: issue.endUser,
    cause: issue.cause,
    stream: issue.stream,
    title: provider ? titleOf(issue.cause, provider.displayName, issue.stream ?? "") : issue.title,
    detail: issue.detail,
    hint: issue.hint,
    error_code: issue.errorCode,
    first_seen_at: issue.firstSeenAt,
    last_seen_at: issue.lastSeenAt,
    occurrences: issue.occurrences,
    status: issue.status,
    muted: issue.muted,
    resolved_at: issue.resolvedAt,
    last_run_id: issue.lastRunId,
    resolved_by_run_id: issue.resolvedByRunId,
  };
}

export const listIssuesRoute = defineRoute({
  method: "GET",
  url: "/v1/issues",
  name: "listIssues",
  summary: "List issues",
  description:
    "Most recently seen first. By default the open, unmuted ones; `status=any` and `muted=any` widen it.",
  tags: ["Issues"],
  auth: "api_key",
  query: z.strictObject({
    status: z
      .enum(["open", "resolved", "any"])
      .default("open")
      .describe("`open` (default), `resolved`, or `any`."),
    connection_id: z.string().max(200).optional(),
    cause: issueCause.optional(),
    muted: z
      .enum(["true", "false", "any"])
      .default("false")
      .describe("`false` (default): unmuted only; `true`: muted only; `any`: both."),
    ...pageQuery,
  }),
  response: { 200: pageOf(issueSchema) },
  errors: ["argument_invalid"],
}).handle(async ({ query, caller, deps }) => {
  await refreshIssues(deps.db, caller.environmentId, { providers: deps.providers });
  const page = await listIssuesIn(issueDb(deps.db), caller.environmentId, {
    limit: query.limit,
    ...(query.cursor ? { cursor: query.cursor } : {}),
    ...(query.status !== "any" ? { status: query.status } : {}),
    ...(query.connection_id ? { connectionId: query.connection_id } : {}),
    ...(query.cause ? { cause: query.cause } : {}),
    ...(query.muted !== "any" ? { muted: query.muted === "true" } : {}),
  });
  return {
    status: 200,
    body: { data: page.items.map((issue) => issueView(issue, deps.providers)), next_cursor: page.nextCursor },
  };
});

export const getIssueRoute = defineRoute({
  method: "GET",
  url: "/v1/issues/:id",
  name: "getIssue",
  summary: "Get an issue",
  tags: ["Issues"],
  auth: "api_key",
  params: idParams,
  response: { 200: issueSchema },
  errors: ["not_found"],
}).handle(async ({ params, caller, deps }) => {
  await refreshIssues(deps.db, caller.environmentId, { providers: deps.providers });
  return {
    status: 200,
    body: issueView(await getIssueIn(issueDb(deps.db), caller.environmentId, params.id), deps.providers),
  };
});

/** The handler of mute (true) and unmute (false): one change of the issue's flag, answered with the issue. */
function settingMuted(muted: boolean) {
  return async ({
    params,
    caller,
    deps,
  }: HandlerContext<"api_key", typeof idParams, undefined, undefined>) => {
    const issue = await setIssueMuted(
      issueDb(deps.db),
      caller.environmentId,
      params.id,
      muted,
      new Date().toISOString(),
    );
    return { status: 200 as const, body: issueView(issue, deps.providers) };
  };
}

export const muteIssueRoute = defineRoute({
  method: "POST",
  url: "/v1/issues/:id/mute",
  name: "muteIssue",
  summary: "Mute an issue",
  description:
    "Leaves it out of the default list and the open count. It stays muted while open, and a problem of the " +
    "same connection and cause that comes back after it resolved opens muted too.",
  tags: ["Issues"],
  auth: "api_key",
  params: idParams,
  response: { 200: issueSchema },
  errors: ["not_found"],
}).handle(settingMuted(true));

export const unmuteIssueRoute = defineRoute({
  method: "POST",
  url: "/v1/issues/:id/unmute",
  name: "unmuteIssue",
  summary: "Unmute an issue",
  tags: ["Issues"],
  auth: "api_key",
  params: idParams,
  response: { 200: issueSchema },
  errors: ["not_found"],
}).handle(settingMuted(false));

export const issueRoutes = [listIssuesRoute, getIssueRoute, muteIssueRoute, unmuteIssueRoute] as const;
