/**
 * What starts flow runs: each due schedule (src/scheduler/frequency.ts) and each `records.changed` event
 * naming a flow's side become a `flow.run` job on the JobQueue, keyed by flow so a flow waits in the queue
 * once; the queue's worker runs it. `records.changed` is followed in the event log (the outbox every event
 * goes through, so events of other processes, such as CLI syncs, count too), from a position kept in the
 * store; a first start begins at the newest event instead of replaying history.
 *
 * A process plays either part or both (runFlowTriggers): `npm start` both on an in-process queue;
 * `switchyard server` dispatches onto the Postgres queue and `switchyard worker` runs the jobs.
 *
 * Guarantees: the loops run until the signal aborts, then the queue (when worked here) is stopped and the
 * call returns; a failing poll is reported to `onError` and the loop goes on.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { sql } from "kysely";
import { flowDb } from "../../flows/app-to-app/store.ts";
import type { JobHandler, JobQueue } from "../../scheduler/jobs.ts";
import { type Flow, scheduleNextRun, toFlow } from "./flows.ts";
import { runFlow } from "./run.ts";
import type { FlowDeps } from "./sides.ts";

export const FLOW_RUN_JOB = "flow.run";
const FOLLOWER = "records.changed";

export interface FlowTriggerOptions {
  queue: JobQueue;
  /** How often schedules and events are looked at (default 2 s). */
  pollMs?: number;
  now?: () => Date;
  onError: (error: unknown) => void;
}

interface FlowJob {
  environmentId: string;
  flowId: string;
  trigger: "schedule" | "records.changed";
}

/** The dispatching part: `poll()` enqueues the flows whose schedule is due or whose stream changed. */
export function flowDispatcher(deps: Pick<FlowDeps, "db">, options: Omit<FlowTriggerOptions, "onError">) {
  const now = options.now ?? (() => new Date());
  const db = flowDb(deps.db);

  /** Enqueues every enabled flow whose schedule is due, moving its next run on. */
  async function enqueueDue(): Promise<number> {
    const at = now();
    const rows = await db
      .selectFrom("flows")
      .selectAll()
      .where("enabled", "=", 1)
      .where("next_run_at", "is not", null)
      .where("next_run_at", "<=", at.toISOString())
      .execute();
    for (const row of rows) {
      const flow = toFlow(row);
      await enqueue(row.environment_id, flow, "schedule");
      await scheduleNextRun(deps, flow, at);
    }
    return rows.length;
  }

  /** Enqueues the flows that `records.changed` events since the follower's position name. */
  async function enqueueChanged(): Promise<number> {
    const position = await db
      .selectFrom("flow_event_cursors")
      .selectAll()
      .where("name", "=", FOLLOWER)
      .executeTakeFirst();
    if (!position) {
      const newest = await db
        .selectFrom("events")
        .select(["created_at", "id"])
        .orderBy("created_at", "desc")
        .orderBy("id", "desc")
        .limit(1)
        .executeTakeFirst();
      await db
        .insertInto("flow_event_cursors")
        .values({ name: FOLLOWER, at: newest?.created_at ?? "", event_id: newest?.id ?? "" })
        .execute();
      return 0;
    }
    const events = await db
      .selectFrom("events")
      .select(["id", "created_at", "environment_id", "connection_id", "data"])
      .where("type", "=", "records.changed")
      .where(
        sql<boolean>`(created_at > ${position.at} or (created_at = ${position.at} and id > ${position.event_id}))`,
      )
      .orderBy("created_at")
      .orderBy("id")
      .limit(500)
      .execute();
    if (events.length === 0) return 0;
    const flows = (await db.selectFrom("flows").selectAll().where("enabled", "=", 1).execute())
      .map((row) => ({ row, flow: toFlow(row) }))
      .filter(({ flow }) => flow.on_change);
    let enqueued = 0;
    const wanted = new Set<string>();
    for (const event of events) {
      const stream = (JSON.parse(event.data) as { model?: string }).model;
      for (const { row, flow } of flows) {
        if (row.environment_id === event.environment_id && names(row, flow, event.connection_id, stream))
          wanted.add(row.id);
      }
    }
    for (const { row, flow } of flows)
      if (wanted.has(row.id)) {
        await enqueue(row.environment_id, flow, "records.changed");
        enqueued++;
      }
    const last = events[events.length - 1]!;
    await db
      .updateTable("flow_event_cursors")
      .set({ at: last.created_at, event_id: last.id })
      .where("name", "=", FOLLOWER)
      .execute();
    return enqueued;
  }

  async function enqueue(environmentId: string, flow: Flow, trigger: FlowJob["trigger"]): Promise<void> {
    const job: FlowJob = { environmentId, flowId: flow.id, trigger };
    await options.queue.enqueue(FLOW_RUN_JOB, job, { jobKey: `flow:${flow.id}`, maxAttempts: 3 });
  }

  /** Polls once: due schedules, then changes. */
  async function poll(): Promise<void> {
    await enqueueDue();
    await enqueueChanged();
  }

  return { poll };
}

/** The working part: the `flow.run` job handler, for a queue's `work()`. */
export function flowJobHandlers(deps: FlowDeps): Record<string, JobHandler> {
  return {
    [FLOW_RUN_JOB]: async (payload, context) => {
      const job = payload as FlowJob;
      await runFlow(deps, job.environmentId, job.flowId, { trigger: job.trigger, signal: context.signal });
    },
  };
}

export interface FlowTriggersRun extends FlowTriggerOptions {
  signal: AbortSignal;
  /** Enqueue due and changed flows from this store: the scheduling process (npm start, `switchyard server`). */
  dispatch?: Pick<FlowDeps, "db">;
  /** Run `flow.run` jobs with these deps (the queue's one `work()` call): npm start, `switchyard worker`. */
  work?: FlowDeps;
}

/**
 * Flow triggers in one process, whichever part it plays. Resolves once `signal` aborted, the polling
 * stopped and (when working) the queue's running jobs returned.
 */
export async function runFlowTriggers(options: FlowTriggersRun): Promise<void> {
  const { signal, queue, onError } = options;
  if (options.work) await queue.work(flowJobHandlers(options.work), { concurrency: 2, onError });
  const dispatcher = options.dispatch ? flowDispatcher(options.dispatch, options) : undefined;
  while (!signal.aborted) {
    if (dispatcher) await dispatcher.poll().catch(onError);
    // Resolves early (rejecting, caught) when the signal aborts; leaves no listener behind.
    await sleep(dispatcher ? (options.pollMs ?? 2_000) : 86_400_000, undefined, { signal }).catch(
      () => undefined,
    );
  }
  if (options.work) await queue.stop();
}

/** Both parts on one queue (embedded: `npm start`): `start(signal)` works the jobs and polls. */
export function createFlowTriggers(deps: FlowDeps, options: FlowTriggerOptions) {
  return {
    poll: flowDispatcher(deps, options).poll,
    start: (signal: AbortSignal) => runFlowTriggers({ ...options, signal, dispatch: deps, work: deps }),
  };
}

/** Whether the event's connection and stream are a side the flow reads. */
function names(
  row: { from_connection_id: string; to_connection_id: string },
  flow: Flow,
  connectionId: string | null,
  stream: string | undefined,
): boolean {
  const reads = (side: Flow["from"]) =>
    side.stream === undefined || side.stream === stream || stream === undefined;
  if (connectionId === row.from_connection_id) return reads(flow.from);
  return flow.direction === "two_way" && connectionId === row.to_connection_id && reads(flow.to);
}
