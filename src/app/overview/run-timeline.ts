/**
 * A run's progress over its time (GET /v1/runs/:id/timeline): the counters sampled at each of its commits
 * (run_samples), turned into what happened within each bucket of equal length from the run's start to its
 * end (now, while it runs). What happened between two samples is counted in the bucket of the later one.
 */
import type { Kysely } from "kysely";
import { ArgumentError, recordsProcessed } from "../../core/index.ts";
import { type Database, listRunSamples, type Run, type RunSample } from "../../store/index.ts";

/** Most buckets a timeline has; a default bucket length gives at most DEFAULT_BUCKETS. */
export const MAX_BUCKETS = 1_000;
const DEFAULT_BUCKETS = 60;
/** Most samples read for one run (a run committing every 2 s for 100 hours). */
const MAX_SAMPLES = 200_000;

export interface TimelineBucket {
  at: string;
  records: number;
  requests: number;
  retries: number;
  rateLimitWaits: number;
}

export interface RunTimeline {
  startedAt: string;
  endedAt: string;
  bucketSeconds: number;
  buckets: TimelineBucket[];
}

/** The run's timeline, in buckets of `bucketSeconds` (default: the run's duration in about 60 buckets). */
export async function runTimeline(
  db: Kysely<Database>,
  run: Run,
  options: { bucketSeconds?: number; now?: Date } = {},
): Promise<RunTimeline> {
  const samples = await listRunSamples(db, run.id, MAX_SAMPLES);
  return timelineOf(run, samples, options);
}

/** The timeline from a run and its samples (pure). */
export function timelineOf(
  run: Run,
  samples: readonly RunSample[],
  options: { bucketSeconds?: number; now?: Date } = {},
): RunTimeline {
  const start = Date.parse(run.startedAt);
  const end = Math.max(start, Date.parse(run.finishedAt ?? (options.now ?? new Date()).toISOString()));
  const durationSeconds = Math.max(1, Math.ceil((end - start) / 1000));
  const bucketSeconds = options.bucketSeconds ?? Math.max(1, Math.ceil(durationSeconds / DEFAULT_BUCKETS));
  const count = Math.max(1, Math.ceil(durationSeconds / bucketSeconds));
  if (count > MAX_BUCKETS) {
    throw new ArgumentError(
      `\`bucket_seconds\` ${bucketSeconds} cuts this ${durationSeconds}-second run into ${count} buckets; at most ${MAX_BUCKETS} are served.`,
      `Pass a \`bucket_seconds\` of at least ${Math.ceil(durationSeconds / MAX_BUCKETS)}, or leave it out.`,
    );
  }
  const bucketMs = bucketSeconds * 1000;
  const buckets: TimelineBucket[] = Array.from({ length: count }, (_, index) => ({
    at: new Date(start + index * bucketMs).toISOString(),
    records: 0,
    requests: 0,
    retries: 0,
    rateLimitWaits: 0,
  }));
  const final: RunSample = {
    at: new Date(end).toISOString(),
    records: recordsProcessed(run.stats),
    requests: run.stats.requests,
    retries: run.stats.retries,
    rateLimitWaits: run.stats.rateLimitWaits,
  };
  let previous: RunSample = { at: run.startedAt, records: 0, requests: 0, retries: 0, rateLimitWaits: 0 };
  for (const sample of [...samples, final]) {
    const index = Math.min(count - 1, Math.max(0, Math.floor((Date.parse(sample.at) - start) / bucketMs)));
    const bucket = buckets[index]!;
    // Counters only grow; max(0, …) keeps a sample written out of order from counting negatively.
    bucket.records += Math.max(0, sample.records - previous.records);
    bucket.requests += Math.max(0, sample.requests - previous.requests);
    bucket.retries += Math.max(0, sample.retries - previous.retries);
    bucket.rateLimitWaits += Math.max(0, sample.rateLimitWaits - previous.rateLimitWaits);
    previous = {
      at: sample.at,
      records: Math.max(previous.records, sample.records),
      requests: Math.max(previous.requests, sample.requests),
      retries: Math.max(previous.retries, sample.retries),
      rateLimitWaits: Math.max(previous.rateLimitWaits, sample.rateLimitWaits),
    };
  }
  return { startedAt: run.startedAt, endedAt: final.at, bucketSeconds, buckets };
}
