/**
 * The process's Prometheus metrics (docs/operations.md): one registry, and the few counters the engine, the
 * scheduler and the queue feed. Each fact is counted where it is already emitted (the HTTP client's events,
 * the run's start, commits and end, a claim) and nowhere else. Labels stay bounded: provider, stream,
 * status class and outcome, never an id. Loading this module installs the sink src/metrics/recorder.ts
 * reports to; only the /metrics route imports it, so a process that serves no metrics never loads prom-client.
 */
import type { Kysely } from "kysely";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { HttpEvent } from "../core/index.ts";
import type { Database } from "../store/index.ts";
import { readQueue } from "./queue.ts";
import { type CommittedCounts, installMetricsSink } from "./recorder.ts";

export const metricsRegistry = new Registry();

let collectingProcessMetrics = false;
/**
 * Adds the process's CPU, memory, event-loop lag and GC, under Prometheus' usual `process_`/`nodejs_` names.
 * Only a process that serves /metrics calls it: the observers cost memory a CLI sync has no use for.
 */
export function collectProcessMetrics(): void {
  if (collectingProcessMetrics) return;
  collectingProcessMetrics = true;
  collectDefaultMetrics({ register: metricsRegistry });
}

const registers = [metricsRegistry];

export const runsStarted = new Counter({
  name: "switchyard_runs_started_total",
  help: "Sync runs started, by provider.",
  labelNames: ["provider"] as const,
  registers,
});

export const runsFinished = new Counter({
  name: "switchyard_runs_finished_total",
  help: "Sync runs finished, by provider and status (succeeded, failed).",
  labelNames: ["provider", "status"] as const,
  registers,
});

export const recordsWritten = new Counter({
  name: "switchyard_records_total",
  help: "Records a sync committed that changed something, by provider, stream and change (added, updated, deleted).",
  labelNames: ["provider", "stream", "change"] as const,
  registers,
});

export const providerRequests = new Counter({
  name: "switchyard_provider_requests_total",
  help: "HTTP requests syncs made to providers, by provider and status class (2xx, 3xx, 4xx, 5xx; none: no response).",
  labelNames: ["provider", "status_class"] as const,
  registers,
});

export const providerRequestSeconds = new Histogram({
  name: "switchyard_provider_request_duration_seconds",
  help: "Duration of HTTP requests syncs made to providers, by provider.",
  labelNames: ["provider"] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers,
});

export const retries = new Counter({
  name: "switchyard_provider_retries_total",
  help: "Provider requests retried (429, 5xx, timeouts, dropped connections), by provider.",
  labelNames: ["provider"] as const,
  registers,
});

export const rateLimitWaits = new Counter({
  name: "switchyard_rate_limit_waits_total",
  help: "Times a sync waited for its provider account's rate-limit budget, by provider.",
  labelNames: ["provider"] as const,
  registers,
});

export const rateLimitWaitSeconds = new Counter({
  name: "switchyard_rate_limit_wait_seconds_total",
  help: "Seconds syncs spent waiting for rate-limit budgets, by provider.",
  labelNames: ["provider"] as const,
  registers,
});

export const queueDepth = new Gauge({
  name: "switchyard_queue_depth",
  help: "Syncs due or asked for and not yet claimed by a worker (read from the store at each scrape).",
  registers,
});

export const queueOldestWaitSeconds = new Gauge({
  name: "switchyard_queue_oldest_wait_seconds",
  help: "How long the longest-waiting unclaimed sync has been due (0 when none is).",
  registers,
});

export const queueLatencySeconds = new Histogram({
  name: "switchyard_queue_latency_seconds",
  help: "Time from a sync being due (scheduled time or manual request) to a worker claiming it.",
  buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900],
  registers,
});

/** `2xx` … `5xx` for a status, `none` for 0 (no response arrived). */
export function statusClass(status: number): string {
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : "none";
}

function countHttpEvent(provider: string, event: HttpEvent): void {
  switch (event.type) {
    case "request":
      providerRequests.inc({ provider, status_class: statusClass(event.status) });
      providerRequestSeconds.observe({ provider }, event.durationMs / 1000);
      return;
    case "retry":
      retries.inc({ provider });
      return;
    case "rate_limit_wait":
      rateLimitWaits.inc({ provider });
      rateLimitWaitSeconds.inc({ provider }, event.delayMs / 1000);
      return;
  }
}

function countCommitted(provider: string, stream: string, counts: CommittedCounts): void {
  if (counts.added > 0) recordsWritten.inc({ provider, stream, change: "added" }, counts.added);
  if (counts.updated > 0) recordsWritten.inc({ provider, stream, change: "updated" }, counts.updated);
  if (counts.deleted > 0) recordsWritten.inc({ provider, stream, change: "deleted" }, counts.deleted);
}

// From now on, what the engine and the scheduler report (src/metrics/recorder.ts) is counted here.
installMetricsSink({
  runStarted: (provider) => runsStarted.inc({ provider }),
  runFinished: (provider, status) => runsFinished.inc({ provider, status }),
  httpEvent: countHttpEvent,
  committed: countCommitted,
  queueLatency: (seconds) => queueLatencySeconds.observe(seconds),
});

/** Sets the queue gauges from the store; called at each scrape. */
export async function refreshQueueGauges(db: Kysely<Database>): Promise<void> {
  const queue = await readQueue(db);
  queueDepth.set(queue.depth);
  queueOldestWaitSeconds.set(queue.oldestWaitSeconds);
}
