/**
 * Test helpers (not shipped behaviour): a real SQLite store in a temp directory, a connection, a fake clock,
 * an in-memory provider whose streams can be made to fail or wait, and a runner that records overlap.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { freshForEachTest } from "../../test/helpers/lifecycle.ts";
import { streamStatuses } from "../app/syncs/status.ts";
import { buildSyncJob } from "../app/syncs/sync-connection.ts";
import {
  emptyRunStats,
  type ProviderDefinition,
  ProviderUnavailableError,
  type StreamDefinition,
} from "../core/index.ts";
import {
  createConnection,
  createRun,
  ensureEnvironment,
  finishRun,
  getConnection,
  getRun,
  getSync,
  markStreamStarted,
  openStore,
  type Run,
  type Store,
  type Sync,
  streamsOfSyncs,
} from "../store/index.ts";
import { generateVaultKey, parseVaultKey, Vault } from "../vault/index.ts";
import { createSyncRunner } from "./run-claim.ts";
import { createScheduler, type Scheduler, type SyncRunner } from "./scheduler.ts";
import { createStoreSyncQueue, type StoreQueueOptions } from "./store-queue.ts";

export interface FakeClock {
  now: () => Date;
  advance(ms: number): void;
  set(iso: string): void;
}

export function fakeClock(startIso = "2025-06-01T12:00:00.000Z"): FakeClock {
  let current = Date.parse(startIso);
  return {
    now: () => new Date(current),
    advance(ms) {
      current += ms;
    },
    set(iso) {
      current = Date.parse(iso);
    },
  };
}

/** A promise with its resolve function, to hold a run until the test lets it go. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Knobs of the in-memory provider's streams, changeable between runs. */
export interface StreamKnobs {
  /** Streams whose read throws provider_unavailable after their first page. */
  failing: Set<string>;
  /** Awaited by each read before its first page (to hold a run open in one stream). */
  hold?: (stream: string) => Promise<void> | undefined;
  /** Records per stream. */
  records: number;
  /** Full-refresh flags seen by reads, in order. */
  reads: { stream: string; fullRefresh: boolean }[];
}

/** A provider named `memory` with streams alpha, beta and gamma reading from memory, no network. */
export function memoryProvider(knobs: StreamKnobs): ProviderDefinition {
  const stream = (name: string): StreamDefinition => ({
    name,
    primaryKey: "id",
    cursorField: "n",
    schema: { columns: { id: "string", n: "integer" } },
    async *read(ctx) {
      knobs.reads.push({ stream: name, fullRefresh: ctx.fullRefresh });
      await knobs.hold?.(name);
      ctx.signal.throwIfAborted();
      const records = Array.from({ length: knobs.records }, (_, n) => ({ id: `${name}-${n}`, n }));
      yield { records: records.slice(0, 1), state: { page: 1 } };
      if (knobs.failing.has(name)) throw new ProviderUnavailableError("memory", 3, "HTTP 503");
      yield { records: records.slice(1), state: { page: 2 } };
    },
  });
  return {
    name: "memory",
    displayName: "Memory",
    baseUrl: "http://127.0.0.1:9",
    auth: { type: "bearer" },
    streams: ["alpha", "beta", "gamma"].map(stream),
    async checkCredentials() {},
  };
}

/** Waits until the memory provider has begun reading `stream`. */
export async function untilReading(knobs: StreamKnobs, stream: string): Promise<void> {
  while (!knobs.reads.some((read) => read.stream === stream)) await new Promise((r) => setTimeout(r, 2));
}

export interface Fixture {
  dir: string;
  store: Store;
  vault: Vault;
  environmentId: string;
  /** Creates a connection of the memory provider; `status` other than active is set directly. */
  connection(status?: string): Promise<string>;
  /** Opens another store on the same SQLite file (as a second process would). */
  openSibling(): Promise<Store>;
  /** What schedulers built on the fixture report through `onError` (fixturePerTest expects none). */
  errors: unknown[];
  onError(error: unknown): void;
  close(): Promise<void>;
}

export async function openFixture(): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-scheduler-"));
  const path = join(dir, "switchyard.sqlite");
  const store = await openStore({ kind: "sqlite", path });
  const vault = new Vault({ current: parseVaultKey(generateVaultKey()), previous: [] });
  const env = await ensureEnvironment(store.db, "dev");
  const siblings: Store[] = [];
  const errors: unknown[] = [];
  return {
    dir,
    store,
    vault,
    environmentId: env.id,
    errors,
    onError: (error) => errors.push(error),
    async connection(status = "active") {
      const row = await createConnection(store.db, {
        environmentId: env.id,
        provider: "memory",
        endUserId: `customer-${Math.random().toString(36).slice(2, 8)}`,
        sealedCredentials: vault.seal(JSON.stringify({ type: "bearer", token: "memory-token" })),
      });
      if (status !== "active")
        await store.db.updateTable("connections").set({ status }).where("id", "=", row.id).execute();
      return row.id;
    },
    async openSibling() {
      const sibling = await openStore({ kind: "sqlite", path });
      siblings.push(sibling);
      return sibling;
    },
    async close() {
      for (const sibling of siblings) await sibling.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A fresh fixture for each test of the file, closed after it, failing the test if a scheduler reported an
 * error. The returned fixture always stands for the current test's one.
 */
export function fixturePerTest(): Fixture {
  const current = freshForEachTest("fixturePerTest's fixture", openFixture, async (f) => {
    try {
      expect(f.errors).toEqual([]);
    } finally {
      await f.close();
    }
  });
  // A stand-in that forwards to the current test's fixture, so that test files can keep one `f`.
  return new Proxy({} as Fixture, { get: (_, key) => Reflect.get(current(), key) });
}

/** Watches runs made through `track`: how many run at once, per sync and overall, and how many ran. */
export interface Overlap {
  maxPerSync: number;
  maxOverall: number;
  started: string[];
  /** A runner that records a run linked to the sync and holds it until `hold` (if any) resolves. */
  track(store: Store, hold?: () => Promise<void>): SyncRunner;
}

export function overlapMeter(): Overlap {
  const active = new Map<string, number>();
  let overall = 0;
  const meter: Overlap = {
    maxPerSync: 0,
    maxOverall: 0,
    started: [],
    track(store, hold) {
      return async (claim, signal): Promise<Run> => {
        const now = (active.get(claim.syncId) ?? 0) + 1;
        active.set(claim.syncId, now);
        overall += 1;
        meter.maxPerSync = Math.max(meter.maxPerSync, now);
        meter.maxOverall = Math.max(meter.maxOverall, overall);
        meter.started.push(claim.syncId);
        try {
          const run = await createRun(store.db, {
            connectionId: claim.connectionId,
            syncId: claim.syncId,
            fullRefresh: claim.fullRefresh,
          });
          await Promise.race([
            hold?.(),
            new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true })),
          ]);
          await finishRun(store.db, run.id, {
            status: signal.aborted ? "failed" : "succeeded",
            stats: emptyRunStats(),
            ...(signal.aborted ? { error: { code: "run_aborted", message: "stopped" } } : {}),
          });
          return getRun(store.db, run.id);
        } finally {
          active.set(claim.syncId, (active.get(claim.syncId) ?? 1) - 1);
          overall -= 1;
        }
      };
    },
  };
  return meter;
}

/**
 * A scheduler with the real runner (engine + store) over the memory provider, as a process of its own would
 * have: its own store queue (`queue` options on top of the fake clock, if any), errors reported to `f`.
 */
export function realScheduler(
  f: Fixture,
  options: { knobs: StreamKnobs; clock?: FakeClock; queue?: StoreQueueOptions; pollMs?: number },
): Scheduler {
  const now = options.clock ? { now: options.clock.now } : {};
  const providers = { memory: memoryProvider(options.knobs) };
  return createScheduler({
    queue: createStoreSyncQueue(f.store.db, { ...now, ...options.queue }),
    run: createSyncRunner({
      store: f.store,
      buildJob: (id, job) => buildSyncJob({ store: f.store, vault: f.vault, providers }, id, job),
      ...now,
    }),
    ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
    onError: f.onError,
  });
}

/** The sync's per-stream status rows as the API shows them at `now`. */
export async function streamStatusesOf(store: Store, sync: Sync, now: Date) {
  const fresh = await getSync(store.db, sync.id);
  const connection = await getConnection(store.db, sync.connectionId);
  const rows = await streamsOfSyncs(store.db, [sync.id]);
  return streamStatuses(fresh, connection.status, rows, now);
}

/**
 * A run of the sync left `running` with `stream` started at `now`, as a worker that died mid-read leaves it.
 */
export async function orphanRun(store: Store, sync: Sync, stream: string, now: Date): Promise<Run> {
  const run = await createRun(store.db, {
    connectionId: sync.connectionId,
    syncId: sync.id,
    fullRefresh: false,
  });
  await markStreamStarted(store.db, { syncId: sync.id, stream, runId: run.id, time: now.toISOString() });
  return run;
}
