export {
  type AccountSlot,
  type AccountSlots,
  createInProcessAccountSlots,
  createPostgresAccountSlots,
} from "./account-slots.ts";
export {
  createEmbeddedScheduler,
  type EmbeddedScheduler,
  type EmbeddedSchedulerOptions,
} from "./embedded.ts";
export { type Frequency, MIN_INTERVAL_MS, nextRunAfter, parseFrequency } from "./frequency.ts";
export {
  DEFAULT_MAX_ATTEMPTS,
  type EnqueueOptions,
  enqueueAll,
  type JobContext,
  type JobHandler,
  type JobQueue,
  type JobSpec,
  type WorkOptions,
} from "./jobs.ts";
export { createGraphileJobQueue, createJobQueuePool, type GraphileJobQueueOptions } from "./jobs-graphile.ts";
export { createInProcessJobQueue } from "./jobs-in-process.ts";
export type { RunRequest, SyncClaim, SyncQueue } from "./queue.ts";
export { createSyncRunner, type SyncRunnerDeps } from "./run-claim.ts";
export {
  createScheduler,
  runClaimed,
  type Scheduler,
  type SchedulerOptions,
  type SyncRunner,
} from "./scheduler.ts";
export { createStoreSyncQueue, type StoreQueueOptions, type StoreSyncQueue } from "./store-queue.ts";
export {
  type AccountLimit,
  createSyncDispatcher,
  createSyncWorker,
  DEFAULT_DISPATCH_BATCH,
  enqueueSyncRuns,
  SYNC_RUN_JOB,
  type SyncDispatcher,
  type SyncDispatcherOptions,
  type SyncWorker,
  type SyncWorkerOptions,
  syncJobKey,
} from "./sync-jobs.ts";
export { formatInTimeZone, parseTimeZone } from "./time-zone.ts";
