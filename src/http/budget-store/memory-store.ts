/** The embedded backend: state in this process's memory (what a single process needs, and all it gets). */
import type { BudgetStore, StateStep } from "./budget-store.ts";
import { KeyedQueue } from "./keyed-queue.ts";

/** Above this many keys, expired ones are swept on the next write. */
const SWEEP_ABOVE = 1_000;

export class MemoryBudgetStore implements BudgetStore {
  readonly kind = "memory";
  private readonly states = new Map<string, { value: unknown; expiresAt: number }>();
  private readonly locks = new KeyedQueue();

  constructor(private readonly now: () => number = Date.now) {}

  /** Applied before it returns (synchronously): callers that do not await see the change at once. */
  update<S, R>(key: string, ttlMs: number, step: StateStep<S, R>): Promise<R> {
    const now = this.now();
    const held = this.states.get(key);
    const current = held && held.expiresAt > now ? (held.value as S) : undefined;
    const { state, result } = step(current, now);
    if (state === undefined) return Promise.resolve(result);
    if (!held && this.states.size >= SWEEP_ABOVE) this.sweep(now);
    this.states.set(key, { value: state, expiresAt: now + ttlMs });
    return Promise.resolve(result);
  }

  /** A queue per key: each task starts when the one before it settles. */
  withLock<T>(key: string, _ttlMs: number, task: () => Promise<T>): Promise<T> {
    return this.locks.run(key, task);
  }

  async close(): Promise<void> {
    this.states.clear();
  }

  private sweep(now: number): void {
    for (const [key, held] of this.states) if (held.expiresAt <= now) this.states.delete(key);
  }
}
