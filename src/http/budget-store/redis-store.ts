/**
 * The Redis backend (REDIS_URL): one key per state, holding its JSON with a PX expiry. An update reads the
 * value and Redis's clock in one script, steps it, and writes it back with a compare-and-set script that
 * fails if the value changed meanwhile (then it reads and steps again). Updates of one process are queued
 * per key first, so only other processes can make a compare-and-set fail.
 */
import { Redis } from "ioredis";
import { type BudgetStore, parseState, type StateStep, unreachable, withLease } from "./budget-store.ts";
import { KeyedQueue } from "./keyed-queue.ts";

const READ = `local t = redis.call('TIME')
return {redis.call('GET', KEYS[1]) or '', t[1] * 1000 + math.floor(t[2] / 1000)}`;
const COMPARE_AND_SET = `if (redis.call('GET', KEYS[1]) or '') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`;

export interface RedisBudgetStoreOptions {
  url: string;
  /** Prepended to every key (default `switchyard:`); tests use one per run. */
  prefix?: string;
  /**
   * False: an idle connection does not keep the process alive (the store REDIS_URL opens on its own, so a
   * CLI command ends when its work does); it is held open only while a command waits for Redis. Default true.
   */
  keepsProcessAlive?: boolean;
}

type ScriptedRedis = Redis & {
  syRead(key: string): Promise<[string, number]>;
  syCompareAndSet(key: string, expected: string, next: string, ttlMs: number): Promise<number>;
};

export class RedisBudgetStore implements BudgetStore {
  readonly kind = "redis";
  private readonly redis: ScriptedRedis;
  private readonly queue = new KeyedQueue();
  private readonly keepsProcessAlive: boolean;
  /** Updates waiting on Redis (see keepsProcessAlive). */
  private pending = 0;

  constructor(options: RedisBudgetStoreOptions) {
    const redis = new Redis(options.url, {
      keyPrefix: options.prefix ?? "switchyard:",
      // Fail a command after a bounded time instead of queueing forever while Redis is away.
      maxRetriesPerRequest: 3,
      lazyConnect: false,
    });
    redis.defineCommand("syRead", { numberOfKeys: 1, lua: READ });
    redis.defineCommand("syCompareAndSet", { numberOfKeys: 1, lua: COMPARE_AND_SET });
    // Errors surface on the commands that fail; without a listener ioredis would also print each one.
    redis.on("error", () => undefined);
    this.redis = redis as ScriptedRedis;
    this.keepsProcessAlive = options.keepsProcessAlive ?? true;
    if (!this.keepsProcessAlive) redis.on("connect", () => this.holdProcess(this.pending > 0));
  }

  update<S, R>(key: string, ttlMs: number, step: StateStep<S, R>): Promise<R> {
    if (this.keepsProcessAlive) return this.queue.run(key, () => this.change(key, ttlMs, step));
    if (this.pending++ === 0) this.holdProcess(true);
    return this.queue
      .run(key, () => this.change(key, ttlMs, step))
      .finally(() => {
        if (--this.pending === 0) this.holdProcess(false);
      });
  }

  private change<S, R>(key: string, ttlMs: number, step: StateStep<S, R>): Promise<R> {
    return (async () => {
      for (;;) {
        const [raw, now] = await this.redis.syRead(key).catch((error: unknown) => {
          throw unreachable("Redis", error);
        });
        const { state, result } = step(parseState<S>(raw), Number(now));
        if (state === undefined) return result;
        const ttl = Math.max(1, Math.ceil(ttlMs));
        const written = await this.redis
          .syCompareAndSet(key, raw, JSON.stringify(state), ttl)
          .catch((error: unknown) => {
            throw unreachable("Redis", error);
          });
        if (written === 1) return result;
      }
    })();
  }

  /** Refs or unrefs the connection's socket (ioredis has no option for it; the stream is its socket). */
  private holdProcess(hold: boolean): void {
    const socket = (this.redis as unknown as { stream?: { ref?(): void; unref?(): void } }).stream;
    if (hold) socket?.ref?.();
    else socket?.unref?.();
  }

  withLock<T>(key: string, ttlMs: number, task: () => Promise<T>): Promise<T> {
    return withLease(this, `lock:${key}`, ttlMs, task);
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
