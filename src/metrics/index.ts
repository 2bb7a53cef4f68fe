export { dueSince, readQueue, refreshQueueGauges } from "./queue.ts";
export {
  countCommittedRecords,
  countHttpEvent,
  metricsRegistry,
  observeQueueLatency,
  runsFinished,
  runsStarted,
} from "./registry.ts";
