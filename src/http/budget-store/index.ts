/**
 * Which backend holds this process's shared state (see budget-store.ts), chosen once per process and store:
 *  1. the store given to `useBudgetStore` (tests, or a composition root that opened one itself);
 *  2. else Redis when REDIS_URL is set;
 *  3. else Postgres when the store is Postgres (its `shared_state` table);
 *  4. else this process's memory (embedded: one process, nothing to share).
 */
import { type Kysely, PostgresAdapter } from "kysely";
import type { BudgetStore, StateStep } from "./budget-store.ts";
import { MemoryBudgetStore } from "./memory-store.ts";
import { PostgresBudgetStore } from "./postgres-store.ts";

export { providerAccountKey } from "./account-key.ts";
export type { BudgetStore, StateStep } from "./budget-store.ts";
export { withLease } from "./budget-store.ts";
export { MemoryBudgetStore } from "./memory-store.ts";
export { PostgresBudgetStore } from "./postgres-store.ts";

let configured: BudgetStore | undefined;
let fromEnvironment: BudgetStore | undefined;
const processMemory = new MemoryBudgetStore();
const memoryByClock = new WeakMap<() => number, MemoryBudgetStore>();
// biome-ignore lint/suspicious/noExplicitAny: any store's database will do; only its dialect is looked at.
const postgresByDb = new WeakMap<Kysely<any>, PostgresBudgetStore>();

/** Makes `store` this process's shared-state backend (undefined: back to the default choice). */
export function useBudgetStore(store: BudgetStore | undefined): void {
  configured = store;
}

/**
 * The backend for clients of the store whose database is `db` (none: the process's configured backend or
 * its memory). Never throws: a Redis that cannot be reached fails the updates that need it, with the reason.
 */
// biome-ignore lint/suspicious/noExplicitAny: see postgresByDb.
export function budgetStoreFor(db?: Kysely<any>): BudgetStore {
  if (configured) return configured;
  const redisUrl = process.env.REDIS_URL?.trim();
  if (redisUrl) {
    fromEnvironment ??= lazyRedisStore(redisUrl);
    return fromEnvironment;
  }
  if (db && db.getExecutor().adapter instanceof PostgresAdapter) {
    let store = postgresByDb.get(db);
    if (!store) {
      store = new PostgresBudgetStore(db);
      postgresByDb.set(db, store);
    }
    return store;
  }
  return processMemory;
}

/**
 * Closes the Redis connection REDIS_URL opened, if any (call at shutdown: an open connection keeps the
 * process alive). Stores given to useBudgetStore are their opener's to close.
 */
export async function closeSharedState(): Promise<void> {
  const store = fromEnvironment;
  fromEnvironment = undefined;
  await store?.close();
}

/** The process's memory store, or one per injected clock (tests whose clients share a fake time line). */
export function memoryBudgetStore(now?: () => number): MemoryBudgetStore {
  if (!now || now === Date.now) return processMemory;
  let store = memoryByClock.get(now);
  if (!store) {
    store = new MemoryBudgetStore(now);
    memoryByClock.set(now, store);
  }
  return store;
}

/**
 * Opens the Redis backend for REDIS_URL-style `url` (`redis://host:6379/0`). ioredis is loaded only here,
 * so an embedded process never pays for it.
 */
export async function openRedisBudgetStore(
  url: string,
  prefix?: string,
  options: { keepsProcessAlive?: boolean } = {},
): Promise<BudgetStore> {
  const { RedisBudgetStore } = await import("./redis-store.ts");
  return new RedisBudgetStore({ url, ...(prefix === undefined ? {} : { prefix }), ...options });
}

/** A Redis backend usable at once; its client is created on the first update. */
function lazyRedisStore(url: string): BudgetStore {
  // Opened on its own, closed by nobody unless closeSharedState is called: it must not hold the process open.
  const opened = openRedisBudgetStore(url, undefined, { keepsProcessAlive: false });
  // A rejected open surfaces on the first update or lock that needs it.
  opened.catch(() => undefined);
  return {
    kind: "redis",
    update: async <S, R>(key: string, ttlMs: number, step: StateStep<S, R>) =>
      (await opened).update(key, ttlMs, step),
    withLock: async <T>(key: string, ttlMs: number, task: () => Promise<T>) =>
      (await opened).withLock(key, ttlMs, task),
    close: async () => (await opened).close(),
  };
}
