/**
 * Where the state that must hold across processes lives: rate-limit budgets of provider accounts, the fixed
 * windows a provider declares, the API's attempt throttles, and the lock that makes an OAuth refresh
 * single-flight. One interface, three backends:
 *  - memory (embedded default): this process only, today's behaviour;
 *  - Postgres (the store is Postgres): a `shared_state` row per key, changed by compare-and-set;
 *  - Redis (REDIS_URL is set; preferred over Postgres then): a key per state, changed by compare-and-set.
 *
 * Every piece of shared state is a small JSON value changed by a pure `step` function, so the pacing rules
 * are written once and every backend only has to make "read, step, write" atomic.
 */

import { ConfigError } from "../../core/index.ts";

/**
 * One atomic change: the state as stored (undefined when absent or expired) and the backend's clock (epoch
 * ms; the database's or Redis's own clock for the shared backends, so processes on several machines agree)
 * → a result, and the state to store (left out: nothing is written).
 */
export type StateStep<S, R> = (state: S | undefined, now: number) => { state?: S; result: R };

export interface BudgetStore {
  readonly kind: "memory" | "postgres" | "redis";
  /**
   * Applies `step` to the state under `key` atomically across every process sharing the backend: no other
   * change of the key happens between the read and the write. The state is dropped `ttlMs` after its last
   * change. `step` may run more than once (on a conflicting write) and must not have side effects.
   */
  update<S, R>(key: string, ttlMs: number, step: StateStep<S, R>): Promise<R>;
  /**
   * Runs `task` while holding the lock `key`, across every process sharing the backend. A holder that died
   * releases it after `ttlMs` (Redis) or when its connection closes (Postgres).
   */
  withLock<T>(key: string, ttlMs: number, task: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** How often a lock waiter looks again (jittered, so waiters of several processes do not move in step). */
const LOCK_POLL_MS = 40;

/**
 * A lock as a lease in the store, for the shared backends: taken when absent or expired, released by its
 * holder, and expired after `ttlMs` if the holder died. No database connection is held while waiting or
 * while the task runs. A task outliving `ttlMs` loses the lock, so `ttlMs` must exceed the task's timeout.
 */
export async function withLease<T>(
  store: Pick<BudgetStore, "update">,
  key: string,
  ttlMs: number,
  task: () => Promise<T>,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<T> {
  const holder = `${process.pid}:${Math.random().toString(36).slice(2)}`;
  type Lease = { holder: string | null };
  for (;;) {
    const taken = await store.update<Lease, boolean>(key, ttlMs, (lease) =>
      lease?.holder ? { result: false } : { state: { holder }, result: true },
    );
    if (taken) break;
    await sleep(LOCK_POLL_MS / 2 + Math.random() * LOCK_POLL_MS);
  }
  try {
    return await task();
  } finally {
    // Released only if still ours (an expired lease may have been taken over); kept 1 ms, i.e. gone.
    await store.update<Lease, void>(key, 1, (lease) =>
      lease?.holder === holder ? { state: { holder: null }, result: undefined } : { result: undefined },
    );
  }
}

/** A stored value as JSON; a value that is not (written by something else) counts as absent and is replaced. */
export function parseState<S>(raw: string | null | undefined): S | undefined {
  if (!raw) return undefined;
  try {
    return (JSON.parse(raw) as S | null) ?? undefined;
  } catch {
    return undefined;
  }
}

/** The typed error for a shared-state backend that did not answer (the cause keeps the driver's error). */
export function unreachable(backend: "Redis", error: unknown): Error {
  if (error instanceof ConfigError) return error;
  const problem = error instanceof Error ? error.message : String(error);
  return new ConfigError(
    `Could not reach ${backend} for the state shared across processes (rate-limit budgets, throttles, refresh locks): ${problem}`,
    "Check that Redis is running and that REDIS_URL points at it; unset REDIS_URL to keep this state in Postgres.",
  );
}
