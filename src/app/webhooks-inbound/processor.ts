/**
 * The inbound webhook worker: takes the events persisted by the receiver (oldest first), routes each to
 * the connections holding its account, and applies it to the records cache or asks for a debounced
 * incremental sync. Events are only marked done once applied, so what a killed process had persisted is
 * processed when the next one starts (`start` drains what is left, and re-queues debounced syncs).
 * Applying is idempotent (an upsert of the record as the provider has it now), so an event processed
 * twice, by a restart or by two processes sharing a database, leaves the same cache.
 */
import type { InboundEventAction, ProviderWebhooks } from "../../core/index.ts";
import { describeError } from "../../core/index.ts";
import type { ClosableHttpClient } from "../../http/index.ts";
import type { ConnectionRow } from "../../store/index.ts";
import {
  countAttempt,
  type InboundEventRow,
  listEventsToProcess,
  markSyncing,
  settleEvent,
} from "../../store/index.ts";
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
  /** Events taken per pass (default 200). */
  batchSize?: number;
  /** Tries of an event whose application fails before it is marked `failed` (default 5). */
  maxAttempts?: number;
  /** Wait before the next try, times the tries so far (default 2 s). */
  retryDelayMs?: number;
  /** How often to look for events another process persisted (default 5 s). */
  pollMs?: number;
  /** An event changed the cache (its `records.changed` event is queued): the outbound worker can deliver now. */
  onRecordsChanged?: () => void;
  /** Errors of the loop itself (the store unreachable…); events' own errors are kept on the event. */
  onError?: (error: unknown) => void;
}

export interface InboundProcessor {
  /** Processes what is waiting (after a restart too) and then whatever the receiver persists. */
  start(): void;
  /** Something was persisted: process it now. */
  wake(): void;
  /** Resolves once nothing is waiting: every received event processed and every debounced sync asked for. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export function createInboundProcessor(
  deps: InboundProcessorDeps,
  options: InboundProcessorOptions = {},
): InboundProcessor {
  const batchSize = options.batchSize ?? 200;
  const maxAttempts = options.maxAttempts ?? 5;
  const retryDelayMs = options.retryDelayMs ?? 2_000;
  const onError =
    options.onError ?? ((error) => console.error(`inbound webhooks: ${describeError(error).message}`));
  const router = new AccountRouter(deps);
  const debouncer = new SyncDebouncer(deps, options.debounceMs ?? 1_000, onError);
  /** Events whose last try failed: not before this time (epoch ms). */
  const deferred = new Map<string, number>();
  let stopped = true;
  let dirty = false;
  let loop: Promise<void> | undefined;
  let poll: NodeJS.Timeout | undefined;
  let retry: NodeJS.Timeout | undefined;

  function wake(): void {
    if (stopped) return;
    dirty = true;
    loop ??= run().finally(() => {
      loop = undefined;
      if (dirty && !stopped) wake();
    });
  }

  async function run(): Promise<void> {
    while (dirty && !stopped) {
      dirty = false;
      try {
        const now = Date.now();
        for (const [id, until] of deferred) if (until <= now) deferred.delete(id);
        const rows = await listEventsToProcess(deps.db, "received", batchSize, [...deferred.keys()]);
        if (rows.length === batchSize) dirty = true;
        await processPass(rows);
      } catch (error) {
        onError(error);
        scheduleRetry(retryDelayMs);
      }
    }
  }

  function scheduleRetry(ms: number): void {
    if (retry || stopped) return;
    retry = setTimeout(() => {
      retry = undefined;
      wake();
    }, ms);
  }

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
    deferred.set(row.id, Date.now() + retryDelayMs * attempts);
    scheduleRetry(retryDelayMs * attempts);
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
      requeueSyncing().catch(onError);
      poll = setInterval(wake, options.pollMs ?? 5_000);
      poll.unref();
      wake();
    },
    wake,
    async idle() {
      for (;;) {
        while (loop) await loop;
        await debouncer.flush();
        const left = await listEventsToProcess(deps.db, "received", 1, [...deferred.keys()]);
        if (left.length === 0 && !loop) return;
        wake();
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async stop() {
      stopped = true;
      if (poll) clearInterval(poll);
      if (retry) clearTimeout(retry);
      await loop;
      debouncer.stop();
    },
  };
}
