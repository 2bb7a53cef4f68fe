/**
 * What the engine and the scheduler report to the metrics, without loading the metrics library: the facts go
 * to a sink that src/metrics/registry.ts installs when it loads, which only a process serving /metrics does.
 * Elsewhere (a CLI `switchyard sync`, a worker) reporting is a no-op and prom-client stays out of memory.
 */
import type { HttpEvent } from "../core/index.ts";

export interface CommittedCounts {
  added: number;
  updated: number;
  deleted: number;
}

/** Where reported facts go: the Prometheus registry's counters and histograms. */
export interface MetricsSink {
  runStarted(provider: string): void;
  runFinished(provider: string, status: "succeeded" | "failed"): void;
  httpEvent(provider: string, event: HttpEvent): void;
  committed(provider: string, stream: string, counts: CommittedCounts): void;
  queueLatency(seconds: number): void;
}

let sink: MetricsSink | undefined;

/** Sends every later report to `next` (the registry calls it once, as it loads). */
export function installMetricsSink(next: MetricsSink): void {
  sink = next;
}

export function countRunStarted(provider: string): void {
  sink?.runStarted(provider);
}

export function countRunFinished(provider: string, status: "succeeded" | "failed"): void {
  sink?.runFinished(provider, status);
}

/** Counts one of a sync's HTTP client events. */
export function countHttpEvent(provider: string, event: HttpEvent): void {
  sink?.httpEvent(provider, event);
}

/** Counts what one commit changed. */
export function countCommittedRecords(provider: string, stream: string, counts: CommittedCounts): void {
  sink?.committed(provider, stream, counts);
}

/** Observes, for a claimed sync, how long it waited past the time it was due. */
export function observeQueueLatency(dueAt: Date, claimedAt: Date): void {
  sink?.queueLatency(Math.max(0, claimedAt.getTime() - dueAt.getTime()) / 1000);
}
