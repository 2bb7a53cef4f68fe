export { hashRecord, prepareRecords } from "./prepare-records.ts";
export { RUN_PROCESS_DIED, RUN_STALE_AFTER_MS, reapDeadRuns } from "./run-heartbeat.ts";
export type { LogSink } from "./run-logger.ts";
export { runSync, type SyncJob } from "./run-sync.ts";
