import { describe, expect, it } from "vitest";
import { emptyRunStats } from "../../core/index.ts";
import type { Run } from "../../store/index.ts";
import { MAX_BUCKETS, timelineOf } from "./run-timeline.ts";

const START = Date.parse("2026-11-30T05:00:00.000Z");
const at = (seconds: number) => new Date(START + seconds * 1000).toISOString();

function run(overrides: Partial<Run> = {}): Run {
  return {
    id: "run_1",
    connectionId: "conn_1",
    syncId: null,
    status: "running",
    fullRefresh: false,
    startedAt: at(0),
    finishedAt: null,
    stats: { ...emptyRunStats(), recordsAdded: 300, requests: 9, retries: 2, rateLimitWaits: 1 },
    error: null,
    ...overrides,
  };
}

describe("timelineOf", () => {
  it("counts what happened between samples in the later sample's bucket, up to now while the run runs", () => {
    const samples = [
      { at: at(3), records: 100, requests: 3, retries: 0, rateLimitWaits: 0 },
      { at: at(14), records: 250, requests: 7, retries: 2, rateLimitWaits: 1 },
    ];
    const timeline = timelineOf(run(), samples, { bucketSeconds: 10, now: new Date(START + 25_000) });
    expect(timeline.endedAt).toBe(at(25));
    expect(timeline.buckets).toEqual([
      { at: at(0), records: 100, requests: 3, retries: 0, rateLimitWaits: 0 },
      { at: at(10), records: 150, requests: 4, retries: 2, rateLimitWaits: 1 },
      // Since the last commit: the run's latest stats, counted at "now".
      { at: at(20), records: 50, requests: 2, retries: 0, rateLimitWaits: 0 },
    ]);
  });

  it("cuts a run into about 60 buckets by default and refuses more than the maximum", () => {
    const finished = run({ status: "succeeded", finishedAt: at(600) });
    expect(timelineOf(finished, []).bucketSeconds).toBe(10);
    expect(timelineOf(finished, []).buckets).toHaveLength(60);
    expect(() => timelineOf(run({ finishedAt: at(MAX_BUCKETS + 5) }), [], { bucketSeconds: 1 })).toThrow(
      /bucket_seconds/,
    );
  });

  it("puts everything in the last bucket for a run without samples (from before timelines)", () => {
    const timeline = timelineOf(run({ status: "succeeded", finishedAt: at(30) }), [], { bucketSeconds: 10 });
    expect(timeline.buckets.map((bucket) => bucket.records)).toEqual([0, 0, 300]);
  });
});
