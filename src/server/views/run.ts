/** How runs and their log lines look in the API. */
import { z } from "zod";
import type { RunStats } from "../../core/index.ts";
import type { Run, RunLogLine } from "../../store/index.ts";
import { errorSummary, timestamp } from "../schemas.ts";

export const runStatus = z.enum(["running", "succeeded", "failed"]);
export const logLevel = z.enum(["debug", "info", "warn", "error"]);

export const runStatsSchema = z
  .object({
    requests: z.number(),
    retries: z.number(),
    rate_limit_waits: z.number(),
    rate_limit_wait_ms: z.number(),
    pages: z.number(),
    records_added: z.number(),
    records_updated: z.number(),
    records_unchanged: z.number(),
    records_deleted: z.number(),
    bytes: z.number(),
    duration_ms: z.number(),
  })
  .meta({ id: "RunStats" });

export const runSchema = z
  .object({
    id: z.string(),
    connection_id: z.string(),
    sync_id: z.string().nullable(),
    status: runStatus,
    full_refresh: z.boolean(),
    started_at: timestamp,
    finished_at: timestamp.nullable(),
    stats: runStatsSchema,
    error: errorSummary.nullable(),
  })
  .meta({ id: "Run" });

export const logLineSchema = z
  .object({
    seq: z.number().int().describe("Position of the line in its run; pass as `after` to read on."),
    at: timestamp,
    level: logLevel,
    message: z.string(),
    fields: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: "LogLine" });

type Snake<S extends string> = S extends `${infer Head}${infer Tail}`
  ? `${Head extends Lowercase<Head> ? Head : `_${Lowercase<Head>}`}${Snake<Tail>}`
  : S;
type SnakeStats = { [K in keyof RunStats as Snake<K & string>]: number };
// Compile-time check: a counter added to RunStats must be added to runStatsSchema too (and vice versa).
const statsMatch: [SnakeStats, z.output<typeof runStatsSchema>] extends [
  z.output<typeof runStatsSchema>,
  SnakeStats,
]
  ? true
  : false = true;
void statsMatch;

function snakeStats(stats: RunStats): SnakeStats {
  return Object.fromEntries(
    Object.entries(stats).map(([key, value]) => [
      key.replaceAll(/[A-Z]/g, (c) => `_${c.toLowerCase()}`),
      value,
    ]),
  ) as SnakeStats;
}

/** The API view of a run, with snake_case stats. */
export function runView(run: Run): z.input<typeof runSchema> {
  return {
    id: run.id,
    connection_id: run.connectionId,
    sync_id: run.syncId,
    status: run.status,
    full_refresh: run.fullRefresh,
    started_at: run.startedAt,
    finished_at: run.finishedAt,
    stats: snakeStats(run.stats),
    error: run.error,
  };
}

/** The API view of a log line. */
export function logLineView(line: RunLogLine): z.input<typeof logLineSchema> {
  return {
    seq: line.seq,
    at: line.at,
    level: line.level,
    message: line.message,
    ...(line.fields ? { fields: line.fields } : {}),
  };
}
