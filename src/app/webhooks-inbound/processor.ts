/**
 * The inbound webhook worker, on the job queue: the receiver persists a delivery's events and enqueues one
 * `webhooks.inbound` job with their ids (the in-process queue in embedded mode, graphile-worker on Postgres,
 * where any worker process takes it). A job routes each event to the connections holding its account, and
 * applies it to the records cache or asks for a debounced incremental sync. Events are only marked done once
 * applied, and a sweep enqueues what nobody did (at start, for what a killed process had persisted, and
 * then for events left waiting longer than `sweepAgeMs`). A job is taken by one worker, so two workers
 * process distinct events; applying is idempotent besides (an upsert of the record as the provider has it
 * now), so an event processed twice after a crash leaves the same cache.
 */
import { z } from "zod";
import type { InboundEventAction, ProviderWebhooks } from "../../core/index.ts";
import { describeError } from "../../core/index.ts";
import type { ClosableHttpClient } from "../../http/index.ts";
import { createInProcessJobQueue, type JobHandler, type JobQueue } from "../../scheduler/index.ts";
import type { ConnectionRow } from "../../store/index.ts";
import {
  countAttempt,
  type InboundEventRow,
  listEventsToProcess,
  markSyncing,
  settleEvent,
} from "../../store/index.ts";
import { receivedEventsOf } from "../../webhooks/inbound/receive.ts";
import { openConnectionHttp } from "../connections/connection-http.ts";
import type { PlatformDeps } from "../platform.ts";
import { type Applied, type AppliedEvent, applyDelete, applyUpsert } from "./apply.ts";
import { AccountRouter } from "./routing.ts";
import { SyncDebouncer } from "./sync-debouncer.ts";

type Router = (row: InboundEventRow, webhooks: ProviderWebhooks) => Promise<ConnectionRow[]>;

export type InboundProcessorDeps = Pick<
  PlatformDeps,
  "db" | "vault" | "providers" | "providerSettings" | "checkHttp" | "scheduler"
>;

export interface InboundProcessorOptions {
  /** How long a connection's sync-asking events wait for more before one run is asked for (default 1 s). */
  debounceMs?: number;
  /** Most events per job, and per page of the sweep (default 100). */
  batchSize?: number;
  /** Tries of an event whose application fails before it is marked `failed` (default 5). */
  maxAttempts?: number;
  /** Wait before the next try, times the tries so far (default 2 s). */
  retryDelayMs?: number;
  /** How often the sweep looks for events nobody enqueued (default 30 s). */
  sweepMs?: number;
  /**
   * How long an event waits before the sweep enqueues it (default 10 min; 0 at start on the in-process
   * queue, which a restart empties): a receiver died between persisting and enqueueing.
   */
  sweepAgeMs?: number;
  /** The queue the jobs go through (default: an in-process queue of this processor's own). */
  jobs?: JobQueue;
  /** Jobs at once in this process (default 1: a record's events are applied in order). */
  concurrency?: number;
  /** An event changed the cache (its `records.changed` event is queued): the outbound worker can deliver now. */
  onRecordsChanged?: () => void;
  /** Errors of the jobs themselves (the store unreachable…); events' own errors are kept on the event. */
  onError?: (error: unknown) => void;
}

export const INBOUND_WEBHOOK_JOB = "webhooks.inbound";
const jobPayload = z.object({ eventIds: z.array(z.string().min(1)).min(1) });

/**
 * For a process that receives but does not process (`switchyard server`): enqueues the delivery's events
 * for the workers, one job per `batchSize`.
 */
export function inboundEventEnqueuer(
  jobs: JobQueue,
  onError: (error: unknown) => void,
  batchSize = 100,
): { wake(eventIds?: readonly string[]): void } {
  return {
    wake(eventIds = []) {
      for (let at = 0; at < eventIds.length; at += batchSize) {
        const batch = eventIds.slice(at, at + batchSize);
        jobs.enqueue(INBOUND_WEBHOOK_JOB, { eventIds: batch }).catch(onError);
      }
    },
  };
}

export interface InboundProcessor {
  /** Takes jobs, and enqueues what is waiting (after a restart too). */
  start(): void;
  /** Events were persisted: enqueues their job (without ids, sweeps every waiting event). */
  wake(eventIds?: readonly string[]): void;
  /** Resolves once nothing is waiting: every received event processed and every debounced sync asked for. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export function createInboundProcessor(
  deps: InboundProcessorDeps,
  options: InboundProcessorOptions = {},
): InboundProcessor {
  const batchSize = options.batchSize ?? 100;
  const maxAttempts = options.maxAttempts ?? 5;
  const retryDelayMs = options.retryDelayMs ?? 2_000;
  const sweepAgeMs = options.sweepAgeMs ?? 10 * 60_000;
  const onError =
    options.onError ?? ((error) => console.error(`inbound webhooks: ${describeError(error).message}`));
  const jobs = options.jobs ?? createInProcessJobQueue();
  const router = new AccountRouter(deps);
  const debouncer = new SyncDebouncer(deps, options.debounceMs ?? 1_000, onError);
  /** Events this process enqueued whose job has not finished: id → jobs naming it. */
  const pending = new Map<string, number>();
  let stopped = true;
  let sweeper: NodeJS.Timeout | undefined;
  let sweeping: Promise<void> | undefined;
  let starting: Promise<void> = Promise.resolve();

  const hold = (id: string) => pending.set(id, (pending.get(id) ?? 0) + 1);
  const release = (id: string) => {
    const left = (pending.get(id) ?? 1) - 1;
    if (left > 0) pending.set(id, left);
    else pending.delete(id);
  };

  /** Enqueues jobs for these events, `batchSize` a job. */
  async function enqueue(ids: readonly string[], runAt?: Date): Promise<void> {
    for (let at = 0; at < ids.length; at += batchSize) {
      const eventIds = ids.slice(at, at + batchSize);
      for (const id of eventIds) hold(id);
      try {
        await jobs.enqueue(INBOUND_WEBHOOK_JOB, { eventIds }, runAt ? { runAt } : {});
      } catch (error) {
        for (const id of eventIds) release(id);
        throw error;
      }
    }
  }

  /** Enqueues every event received before `olderThanMs` ago that waits and was not enqueued here. */
  function sweep(olderThanMs: number): Promise<void> {
    sweeping ??= (async () => {
      const before = new Date(Date.now() - olderThanMs).toISOString();
      let skip: string[] = [...pending.keys()];
      for (;;) {
        const rows = await listEventsToProcess(deps.db, "received", batchSize, skip);
        const due = rows.filter((row) => row.received_at <= before).map((row) => row.id);
        if (due.length > 0) await enqueue(due);
        if (rows.length < batchSize || due.length < rows.length) return;
        skip = [...pending.keys()];
      }
    })()
      .catch(onError)
      .finally(() => {
        sweeping = undefined;
      });
    return sweeping;
  }

  const handle: JobHandler = async (payload) => {
    const { eventIds } = jobPayload.parse(payload);
    try {
      if (!stopped) await processPass(await receivedEventsOf(deps.db, eventIds));
    } finally {
      for (const id of eventIds) release(id);
    }
  };

  /** One pass: each connection's client is opened once, and a record fetched once however many events name it. */
  async function processPass(rows: readonly InboundEventRow[]): Promise<void> {
    const clients = new Map<string, Promise<ClosableHttpClient>>();
    const applied = new Map<string, { action: "upsert" | "delete"; result: Promise<Applied> }>();
    // Events of a pass mostly share an account: its connections are looked up once.
    const routes = new Map<string, Promise<ConnectionRow[]>>();
    const route: Router = (row, webhooks) => {
      const key = `${row.environment_id}\u0000${row.provider}\u0000${row.account_id}`;
      let connections = routes.get(key);
      if (!connections) {
        connections = router.route(row.environment_id, row.provider, webhooks, row.account_id!);
        routes.set(key, connections);
        connections.catch(() => routes.delete(key));
      }
      return connections;
    };
    const httpOf = (connection: ConnectionRow) => {
      let client = clients.get(connection.id);
      if (!client) {
        client = openConnectionHttp(deps, connection);
        clients.set(connection.id, client);
      }
      return client;
    };
    try {
      for (const row of rows) {
        if (stopped) return;
        try {
          await processEvent(row, route, async (connection, action, at) => {
            // The same change applied just before is not applied again; another one in between is.
            const key = `${connection.id}\u0000${at.stream}\u0000${at.recordId}`;
            const last = applied.get(key);
            if (last?.action === action) return last.result;
            const result =
              action === "upsert"
                ? httpOf(connection).then((http) =>
                    applyUpsert(deps.db, providerOf(row), connection, http, at),
                  )
                : applyDelete(deps.db, providerOf(row), connection, at);
            applied.set(key, { action, result });
            result.then(
              (outcome) => outcome === "written" && options.onRecordsChanged?.(),
              () => {},
            );
            // A failed application is not remembered: the event's next try fetches again.
            result.catch(() => {
              if (applied.get(key)?.result === result) applied.delete(key);
            });
            return result;
          });
        } catch (error) {
          await failedTry(row, error);
        }
      }
    } finally {
      for (const client of clients.values())
        await client.then(
          (http) => http.close(),
          () => {},
        );
    }
  }

  const providerOf = (row: InboundEventRow) => deps.providers[row.provider]!;

  async function processEvent(
    row: InboundEventRow,
    route: Router,
    apply: (connection: ConnectionRow, action: "upsert" | "delete", at: AppliedEvent) => Promise<Applied>,
  ): Promise<void> {
    const webhooks = Object.hasOwn(deps.providers, row.provider)
      ? deps.providers[row.provider]?.webhooks
      : undefined;
    const action = row.action as InboundEventAction;
    if (!webhooks || action === "ignore" || !row.stream) {
      await settleEvent(deps.db, row.id, {
        status: "ignored",
        error: "Switchyard does not act on this event.",
      });
      return;
    }
    if (!row.account_id) {
      await settleEvent(deps.db, row.id, { status: "unroutable", error: "The event names no account." });
      return;
    }
    const connections = await route(row, webhooks);
    if (connections.length === 0) {
      await settleEvent(deps.db, row.id, {
        status: "unroutable",
        error: `No connection in this environment holds ${row.provider} account ${row.account_id}.`,
      });
      return;
    }
    const connectionIds = connections.map((connection) => connection.id);
    if (action === "sync" || !row.record_id) {
      await markSyncing(deps.db, row.id, connectionIds);
      for (const id of connectionIds) debouncer.add(id, row.stream, row.id);
      return;
    }
    for (const connection of connections) {
      await apply(connection, action === "delete" ? "delete" : "upsert", {
        stream: row.stream,
        recordId: row.record_id,
        eventId: row.id,
      });
    }
    await settleEvent(deps.db, row.id, { status: "processed", connectionIds });
  }

  async function failedTry(row: InboundEventRow, error: unknown): Promise<void> {
    const described = describeError(error);
    const message = described.hint ? `${described.message} — ${described.hint}` : described.message;
    const attempts = await countAttempt(deps.db, row.id, message);
    if (attempts >= maxAttempts) {
      await settleEvent(deps.db, row.id, { status: "failed", error: message, counted: false });
      return;
    }
    // Its own job, later (a job's failure would retry the other events of the delivery too).
    await enqueue([row.id], new Date(Date.now() + retryDelayMs * attempts));
  }

  /** Events a previous process routed but whose sync it never asked for. */
  async function requeueSyncing(): Promise<void> {
    for (;;) {
      const rows = await listEventsToProcess(deps.db, "syncing", batchSize, []);
      const waiting = rows.filter((row) => !debouncer.has(row.id));
      if (waiting.length === 0) return;
      for (const row of waiting) {
        const ids = JSON.parse(row.connection_ids ?? "[]") as string[];
        for (const id of ids) debouncer.add(id, row.stream ?? "", row.id);
      }
      if (rows.length < batchSize) return;
    }
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      starting = jobs
        .work({ [INBOUND_WEBHOOK_JOB]: handle }, { concurrency: options.concurrency ?? 1, onError })
        .then(async () => {
          await requeueSyncing();
          // The in-process queue starts empty: whatever waits is enqueued at once.
          await sweep(jobs.kind === "in-process" ? 0 : sweepAgeMs);
        })
        .catch(onError);
      sweeper = setInterval(() => void sweep(sweepAgeMs), options.sweepMs ?? 30_000);
      sweeper.unref();
    },
    wake(eventIds) {
      if (eventIds === undefined) void sweep(0);
      else if (eventIds.length > 0) enqueue(eventIds).catch(onError);
    },
    async idle() {
      await starting;
      for (;;) {
        while (pending.size > 0 || sweeping) {
          await sweeping;
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        await debouncer.flush();
        const left = await listEventsToProcess(deps.db, "received", 1, [...pending.keys()]);
        if (left.length === 0 && pending.size === 0) return;
        await sweep(0);
      }
    },
    async stop() {
      stopped = true;
      if (sweeper) clearInterval(sweeper);
      await starting;
      await sweeping;
      await jobs.stop();
      debouncer.stop();
    },
  };
}
