/** The overview of the caller's environment: what the dashboard's first page shows. */
import { z } from "zod";
import { environmentOverview, type Overview } from "../../app/overview/overview.ts";
import { defineRoute } from "../route.ts";
import { timestamp } from "../schemas.ts";

const countsByStatus = z
  .record(z.string(), z.number().int())
  .describe("Connections by status (`active`, `needs_reauth`, `paused`, `error`); absent statuses are 0.");

export const overviewSchema = z
  .object({
    generated_at: timestamp,
    connections: z.object({
      total: z.number().int(),
      by_status: countsByStatus,
      by_provider: z.array(
        z.object({ provider: z.string(), total: z.number().int(), by_status: countsByStatus }),
      ),
    }),
    runs: z
      .object({
        since: timestamp,
        succeeded: z.number().int(),
        failed: z.number().int(),
        running: z.number().int(),
      })
      .describe("Runs started in the last 24 hours, by status."),
    records: z
      .object({
        since: timestamp.describe("Start of the first bucket."),
        until: timestamp,
        bucket: z.enum(["hour", "day"]),
        series: z.array(
          z.object({
            at: timestamp.describe("Start of the bucket (UTC)."),
            added: z.number().int(),
            updated: z.number().int(),
            deleted: z.number().int(),
            runs: z.number().int().describe("Runs that finished in the bucket."),
          }),
        ),
      })
      .describe("Records the runs added, updated and deleted, by the bucket in which each run finished."),
    issues: z
      .object({ open: z.number().int(), muted: z.number().int() })
      .describe("Open issues: unmuted (`open`) and muted."),
  })
  .meta({ id: "Overview" });

function overviewView(overview: Overview): z.input<typeof overviewSchema> {
  return {
    generated_at: overview.generatedAt,
    connections: {
      total: overview.connections.total,
      by_status: overview.connections.byStatus,
      by_provider: overview.connections.byProvider.map((row) => ({
        provider: row.provider,
        total: row.total,
        by_status: row.byStatus,
      })),
    },
    runs: overview.runs,
    records: overview.records,
    issues: overview.issues,
  };
}

export const getOverviewRoute = defineRoute({
  method: "GET",
  url: "/v1/overview",
  name: "getOverview",
  summary: "Overview of the environment",
  description:
    "Connections by provider and status, runs of the last 24 hours, records synced over time and the count " +
    "of open issues. The series covers `since` (default: 24 h ago for `hour`, 30 days for `day`) to now; " +
    "hourly buckets reach back at most 7 days, daily ones 90 days.",
  tags: ["Overview"],
  auth: "api_key",
  query: z.strictObject({
    since: z.iso
      .datetime({ offset: true })
      .optional()
      .describe("Start of the records series, ISO-8601 (`2026-11-29T00:00:00Z`)."),
    bucket: z
      .enum(["hour", "day"])
      .default("hour")
      .describe("Bucket of the records series: `hour` (default) or `day`."),
  }),
  response: { 200: overviewSchema },
  errors: ["argument_invalid"],
}).handle(async ({ query, caller, deps }) => {
  const overview = await environmentOverview(deps.db, caller.environmentId, {
    bucket: query.bucket,
    providers: deps.providers,
    ...(query.since ? { since: new Date(query.since) } : {}),
  });
  return { status: 200, body: overviewView(overview) };
});

export const overviewRoutes = [getOverviewRoute] as const;
