/**
 * Runs prove they are alive: the process running one stamps it every RUN_HEARTBEAT_MS. A run silent for
 * RUN_STALE_AFTER_MS belonged to a process that died without finishing it (a killed CLI, a crash), and
 * `reapDeadRuns` fails it as `run_interrupted`, so run history never shows it as still running.
 * Scheduled runs are also covered by their sync's lease (src/scheduler), which reaps them with their sync.
 */
import type { Kysely } from "kysely";
import { beatRun, type Database, reapStaleRuns } from "../store/index.ts";

export const RUN_HEARTBEAT_MS = 10_000;
/** Several missed beats, so a busy or briefly blocked process is never taken for dead. */
export const RUN_STALE_AFTER_MS = 60_000;

export const RUN_PROCESS_DIED = {
  code: "run_interrupted",
  message: "The run was interrupted: the process running it stopped (crash or kill) before it finished.",
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

/** Fails the runs whose process died (see above) and returns their ids. */
export function reapDeadRuns(db: Kysely<Database>, now = new Date()): Promise<string[]> {
  return reapStaleRuns(db, {
    now: now.toISOString(),
    staleBefore: new Date(now.getTime() - RUN_STALE_AFTER_MS).toISOString(),
    error: RUN_PROCESS_DIED,
  });
}
