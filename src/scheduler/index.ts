export { type Frequency, MIN_INTERVAL_MS, nextRunAfter, parseFrequency } from "./frequency.ts";
export type { RunRequest, SyncClaim, SyncQueue } from "./queue.ts";
export { createSyncRunner, type SyncRunnerDeps } from "./run-claim.ts";
export { createScheduler, type Scheduler, type SchedulerOptions, type SyncRunner } from "./scheduler.ts";
export { createStoreSyncQueue, type StoreQueueOptions } from "./store-queue.ts";
export { formatInTimeZone, parseTimeZone } from "./time-zone.ts";
