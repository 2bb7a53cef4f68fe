/**
 * Telling dead runs from live ones, so run history never shows a dead run as running. A run of a connection
 * holds the connection's lease (scheduled and CLI runs alike), renewed while it runs and naming its
 * process: `reapDeadRuns` fails its runs as `run_interrupted` as soon as that process is known to be gone
 * (same host: no such pid, or a reused one), else when the lease expires. Every run also stamps a heartbeat
 * every RUN_HEARTBEAT_MS; a run silent for RUN_STALE_AFTER_MS outside any lease (`runSync` called directly)
 * is failed the same way.
 */
import type { Kysely } from "kysely";
import {
  beatRun,
  type Database,
  type RunHolder,
  reapDeadConnectionLeases,
  reapStaleRuns,
} from "../store/index.ts";
import { isHolderGone } from "./run-holder.ts";

export const RUN_HEARTBEAT_MS = 10_000;
/** Several missed beats, so a busy or briefly blocked process is never taken for dead. */
export const RUN_STALE_AFTER_MS = 60_000;

export const RUN_PROCESS_DIED = {
  code: "run_interrupted",
  message:
    "The run was interrupted: the process running it stopped (crash, kill or lost database access) before it finished.",
  hint: "Nothing is lost: the next run resumes from the last checkpoint.",
};

/** Stamps the run every RUN_HEARTBEAT_MS until the returned function is called. Never keeps Node alive. */
export function startRunHeartbeat(db: Kysely<Database>, runId: string): () => void {
  const timer = setInterval(() => {
    // A failed stamp means the database is unreachable; the run's own writes report that.
    beatRun(db, runId, new Date().toISOString()).catch(() => undefined);
  }, RUN_HEARTBEAT_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Fails the runs whose process died (see above), gives back the leases they held, and asks again for the
 * scheduled runs among them so that the next scheduler pass resumes them. Returns the failed runs' ids.
 * `isGone` tells a dead lease holder (tests pass their own).
 */
export async function reapDeadRuns(
  db: Kysely<Database>,
  now = new Date(),
  isGone: (holder: RunHolder) => boolean = isHolderGone,
): Promise<string[]> {
  const at = now.toISOString();
  return [
    ...(await reapDeadConnectionLeases(db, { now: at, isGone, error: RUN_PROCESS_DIED })),
    ...(await reapStaleRuns(db, {
      now: at,
      staleBefore: new Date(now.getTime() - RUN_STALE_AFTER_MS).toISOString(),
      error: RUN_PROCESS_DIED,
    })),
  ];
}
