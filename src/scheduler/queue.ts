/**
 * The seam between the scheduler loop and where due work comes from. The embedded queue keeps leases in the
 * store's `syncs` table (SQLite or Postgres through Kysely); a Postgres job queue (graphile-worker with one
 * job queue per sync, or pg-boss with a singleton key) can implement the same interface for scale-out.
 */

/** One sync a worker holds the lease of, and what its run is to do. */
export interface SyncClaim {
  syncId: string;
  connectionId: string;
  streams: readonly string[];
  fullRefresh: boolean;
  /** Whether the run also writes the warehouse. */
  warehouse: boolean;
  claimedAt: Date;
}

export interface RunRequest {
  /** Re-read everything and delete what is gone, instead of continuing from each stream's cursor. */
  fullRefresh: boolean;
}

export interface SyncQueue {
  /** How long a claim lasts without renewal; the scheduler renews well within it while the run goes on. */
  readonly leaseMs: number;
  /**
   * Fails as `run_interrupted` the runs of workers that died (their process is gone, or their lease
   * expired) and asks for their syncs again, so the next claim resumes them; returns the failed runs' ids.
   */
  reap(): Promise<string[]>;
  /**
   * Claims up to `limit` syncs that are due now. Each claim holds its sync's lease and its connection's: no
   * other worker, in this process or another, claims that sync, and no other run of the connection (a CLI
   * run) starts, until the lease is released or reaped. Each due sync is claimed once however many of its
   * slots were missed, and its next run is scheduled from now.
   */
  claimDue(limit: number): Promise<SyncClaim[]>;
  /** Extends a claim's lease; false means it was lost (expired and reaped, or the sync deleted): stop the run. */
  renew(claim: SyncClaim): Promise<boolean>;
  /**
   * Gives the lease back after the run, noting the run as the sync's last. `cutOff`: a shutdown stopped the
   * run before it finished, so the sync's next run is asked for at once (the next start resumes it).
   */
  release(claim: SyncClaim, runId: string | null, outcome?: { cutOff?: boolean }): Promise<void>;
  /** Asks for a run of the sync as soon as a worker is free (after the current run, if one is going). */
  request(syncId: string, request: RunRequest): Promise<void>;
}
