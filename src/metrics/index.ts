/**
 * What the engine, the scheduler and /ready use of the metrics; none of it loads prom-client. The registry
 * itself (src/metrics/registry.ts) is imported only by the /metrics route.
 */
export { dueSince, readQueue } from "./queue.ts";
export {
  countCommittedRecords,
  countHttpEvent,
  countRunFinished,
  countRunStarted,
  observeQueueLatency,
} from "./recorder.ts";
