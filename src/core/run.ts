/** Counters of one run. Every field is a plain number so that stats serialise as they are. */
export interface RunStats {
  requests: number;
  retries: number;
  rateLimitWaits: number;
  rateLimitWaitMs: number;
  pages: number;
  recordsAdded: number;
  recordsUpdated: number;
  recordsUnchanged: number;
  recordsDeleted: number;
  bytes: number;
  durationMs: number;
}

export type RunStatus = "running" | "succeeded" | "failed";

export function emptyRunStats(): RunStats {
  return {
    requests: 0,
    retries: 0,
    rateLimitWaits: 0,
    rateLimitWaitMs: 0,
    pages: 0,
    recordsAdded: 0,
    recordsUpdated: 0,
    recordsUnchanged: 0,
    recordsDeleted: 0,
    bytes: 0,
    durationMs: 0,
  };
}

/** Records that went through a run: added + updated + unchanged + deleted. */
export function recordsProcessed(stats: RunStats): number {
  return stats.recordsAdded + stats.recordsUpdated + stats.recordsUnchanged + stats.recordsDeleted;
}
