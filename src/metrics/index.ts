export { dueSince, readQueue, refreshQueueGauges } from "./queue.ts";
export {
  collectProcessMetrics,
  countCommittedRecords,
  countHttpEvent,
  metricsRegistry,
  observeQueueLatency,
  runsFinished,
  runsStarted,
} from "./registry.ts";
