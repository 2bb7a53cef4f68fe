export { hashRecord, prepareRecords } from "./prepare-records.ts";
export { reapDeadRuns } from "./run-heartbeat.ts";
export type { LogSink } from "./run-logger.ts";
export { runSync, type SyncJob } from "./run-sync.ts";
