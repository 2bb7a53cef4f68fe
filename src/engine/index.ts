export { hashRecord, prepareRecords } from "./prepare-records.ts";
export { RUN_PROCESS_DIED, reapDeadRuns } from "./run-heartbeat.ts";
export { isHolderGone, thisProcess } from "./run-holder.ts";
export type { LogSink } from "./run-logger.ts";
export { runSync, type SyncJob } from "./run-sync.ts";
export { streamTargetOf } from "./stream-target.ts";
