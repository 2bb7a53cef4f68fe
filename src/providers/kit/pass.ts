/**
 * Where a read starts and what it checkpoints: shared by the kit's reader and by hand-written streams that
 * keep the kit's state (`{ highWater, pass }`, state.ts) while building their own requests.
 */
import type { Clock } from "./reader.ts";
import type { KitState, Pass } from "./state.ts";

/**
 * Resume the saved pass (a full refresh resumes only a full pass), else start a new one: from the
 * high-water mark minus `lookbackSeconds` for an incremental stream that has one, else from the beginning.
 */
export function startingPass(
  saved: KitState | undefined,
  fullRefresh: boolean,
  now: Clock,
  lookbackSeconds: number | undefined,
): Pass {
  if (saved?.pass && (!fullRefresh || saved.pass.since === undefined)) return saved.pass;
  const mark = !fullRefresh && lookbackSeconds !== undefined ? saved?.highWater : undefined;
  const since =
    mark === undefined ? undefined : new Date(Date.parse(mark) - lookbackSeconds! * 1000).toISOString();
  return { phase: "records", startedAt: now().toISOString(), ...(since ? { since } : {}) };
}

/**
 * The state after a page. Mid-pass (`after` set) it keeps the old high-water mark and the pass; a finished
 * pass of an incremental stream moves the mark to the latest cursor seen, but never past the pass's start
 * (a record changed while the pass ran, after its page was read, is read again next time) and never
 * backwards.
 */
export function stateAfter(
  saved: KitState | undefined,
  after: Pass | undefined,
  finished: Pass,
  incremental: boolean,
): KitState {
  const highWater = saved?.highWater;
  if (after) return { ...(highWater ? { highWater } : {}), pass: after };
  if (!incremental || finished.latest === undefined) return highWater ? { highWater } : {};
  const reached = Math.min(Date.parse(finished.latest), Date.parse(finished.startedAt));
  const kept = highWater === undefined ? reached : Math.max(reached, Date.parse(highWater));
  return { highWater: new Date(kept).toISOString() };
}
