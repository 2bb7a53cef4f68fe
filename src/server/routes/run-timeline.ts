/** A run's progress over its time, in buckets: what the run page's chart draws. */
import { z } from "zod";
import { runTimeline } from "../../app/overview/run-timeline.ts";
import { getRunIn } from "../../store/index.ts";
import { defineRoute } from "../route.ts";
import { idParams, queryInt, timestamp } from "../schemas.ts";
import { runStatus } from "../views/run.ts";

export const runTimelineSchema = z
  .object({
    run_id: z.string(),
    status: runStatus,
    started_at: timestamp,
    ended_at: timestamp.describe("When the run finished; now, while it runs."),
    bucket_seconds: z.number().int(),
    data: z.array(
      z.object({
        at: timestamp.describe("Start of the bucket."),
        records: z.number().int().describe("Records committed in the bucket."),
        records_per_second: z.number(),
        requests: z.number().int(),
        retries: z.number().int(),
        rate_limit_waits: z.number().int(),
      }),
    ),
  })
  .meta({ id: "RunTimeline" });

export const getRunTimelineRoute = defineRoute({
  method: "GET",
  url: "/v1/runs/:id/timeline",
  name: "getRunTimeline",
  summary: "A run's progress over its time",
  description:
    "Records committed, requests, retries and rate-limit waits per bucket, from the run's start to its end " +
    "(now while it runs). Sampled at each commit: what happened between two commits counts in the bucket of " +
    "the later one. Runs from before timelines were recorded have everything in their last bucket.",
  tags: ["Runs"],
  auth: "api_key",
  params: idParams,
  query: z.strictObject({
    bucket_seconds: queryInt(1, 86_400)
      .optional()
      .describe("Bucket length in seconds (1–86400; default: about 60 buckets over the run)."),
  }),
  response: { 200: runTimelineSchema },
  errors: ["not_found", "argument_invalid"],
}).handle(async ({ params, query, caller, deps }) => {
  const run = await getRunIn(deps.db, caller.environmentId, params.id);
  const timeline = await runTimeline(deps.db, run, {
    ...(query.bucket_seconds !== undefined ? { bucketSeconds: query.bucket_seconds } : {}),
  });
  return {
    status: 200,
    body: {
      run_id: run.id,
      status: run.status,
      started_at: timeline.startedAt,
      ended_at: timeline.endedAt,
      bucket_seconds: timeline.bucketSeconds,
      data: timeline.buckets.map((bucket) => ({
        at: bucket.at,
        records: bucket.records,
        records_per_second: bucket.records / timeline.bucketSeconds,
        requests: bucket.requests,
        retries: bucket.retries,
        rate_limit_waits: bucket.rateLimitWaits,
      })),
    },
  };
});

export const runTimelineRoutes = [getRunTimelineRoute] as const;
